/* SPDX-License-Identifier: MIT */
/* Where host state comes from: the platform from DMI strings, the sources
 * from kernel arguments, the URL and pin checks, the size limit. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/tests/tap.h"
#include "boot-contract.h"
#include "fetch-buffer.h"
#include "kernel-args.h"
#include "state-plan.h"
#include "strv.h"

static DmiStrings dmi(const char *vendor, const char *product, const char *bios, const char *tag) {
        DmiStrings d = {};
        snprintf(d.sys_vendor, sizeof(d.sys_vendor), "%s", vendor);
        snprintf(d.product_name, sizeof(d.product_name), "%s", product);
        snprintf(d.bios_vendor, sizeof(d.bios_vendor), "%s", bios);
        snprintf(d.chassis_asset_tag, sizeof(d.chassis_asset_tag), "%s", tag);
        return d;
}

static void check_platform(DmiStrings d, Platform want, const char *what) {
        Platform got = platform_from_dmi(&d);
        if (!ok(got == want, "DMI of %s: platform %s", what, platform_names[want]))
                printf("# got %s\n", platform_names[got]);
}

/* The plan of a command line and DMI strings, its words joined by spaces. */
static void check_plan(const char *cmdline, DmiStrings d, const char *want) {
        KernelArgs a;
        char **specs = NULL;
        char *got = NULL;

        if (kernel_args_parse(cmdline, &a) == 0 &&
            state_plan(a.arg[KARG_STATE].present ? a.arg[KARG_STATE].text ?: "" : NULL,
                       (Platform) a.arg[KARG_PLATFORM].number, &d, &specs) == 0)
                got = strv_join(specs, " ");
        if (!ok(got && strcmp(got, want) == 0, "plan of [%s] on %s", cmdline, d.sys_vendor))
                printf("# got [%s], want [%s]\n", got ? got : "(error)", want);
        free(got);
        strv_free(specs);
        kernel_args_clear(&a);
}

static void check_source(const char *spec, int want_r, ProviderKind want_kind, const char *want_where) {
        StateSource s = { .kind = _PROVIDER_MAX };
        char msg[200] = "";
        int r = state_source_parse(spec, &s, msg, sizeof(msg));
        bool good = r == want_r && (r < 0 ? msg[0] != 0 : s.kind == want_kind && streq(s.where, want_where));
        if (!ok(good, "source [%s] %s", spec, want_r < 0 ? "refused" : provider_names[want_kind]))
                printf("# r=%d msg=[%s]\n", r, msg);
}

static void check_url(const char *url, bool pinned, bool any, bool want_ok, const char *want_msg) {
        char msg[300] = "";
        int r = state_url_check(url, pinned, any, msg, sizeof(msg));
        bool good = want_ok ? r == 0 : r < 0 && strstr(msg, want_msg);
        if (!ok(good, "url [%s]%s%s: %s", url, pinned ? " pinned" : "", any ? " http=any" : "",
                want_ok ? "fetched" : want_msg))
                printf("# r=%d msg=[%s]\n", r, msg);
}

static void check_redact(const char *url, const char *want) {
        char *got = url_redact(url);
        if (!ok(got && strcmp(got, want) == 0, "redact [%s]", url))
                printf("# got [%s], want [%s]\n", got ? got : "(null)", want);
        free(got);
}

static void check_pin(const char *text, const char *want) {
        char out[65] = "", msg[200] = "";
        int r = sha256_pin_parse(text, out, msg, sizeof(msg));
        bool good = want ? r == 0 && streq(out, want) : r < 0 && strstr(msg, "not 64 hex digits");
        if (!ok(good, "pin [%.20s...] (%zu chars) %s", text, strlen(text), want ? "taken" : "refused"))
                printf("# r=%d out=[%s] msg=[%s]\n", r, out, msg);
}

static void test_dmi_read(void) {
        char dir[] = "/tmp/test-dmi.XXXXXX";
        char path[300];
        DmiStrings d;
        FILE *f;

        if (!mkdtemp(dir)) {
                ok(false, "mkdtemp");
                return;
        }
        snprintf(path, sizeof(path), "%s/sys_vendor", dir);
        f = fopen(path, "w");
        fputs("Amazon EC2\n", f);
        fclose(f);
        dmi_read(dir, &d);
        ok(streq(d.sys_vendor, "Amazon EC2"), "dmi_read: the newline is dropped");
        ok(d.product_name[0] == 0 && d.bios_vendor[0] == 0, "dmi_read: a missing file is empty");
        check_platform(d, PLATFORM_EC2, "the files read");
        unlink(path);
        rmdir(dir);
}

static void test_buffer(void) {
        FetchBuffer b = { .limit = 10 };

        ok(fetch_buffer_append(&b, "12345", 5) == 0 && b.size == 5 && streq(b.data, "12345"),
           "buffer: 5 bytes of 10 taken");
        ok(fetch_buffer_append(&b, "67890", 5) == 0 && b.size == 10, "buffer: up to the limit exactly");
        ok(fetch_buffer_append(&b, "x", 1) == -EFBIG && b.too_big && b.size == 10,
           "buffer: one byte past the limit is -EFBIG, nothing added");
        fetch_buffer_reset(&b);
        ok(b.size == 0 && !b.data && !b.too_big && b.limit == 10, "buffer: reset keeps the limit");
        ok(fetch_buffer_append(&b, "x", (size_t) -1) == -EFBIG, "buffer: a huge length does not wrap");
        fetch_buffer_reset(&b);
        ok(fetch_size_too_big(20 * 1000 * 1000, 1024 * 1024), "size: a declared 20 MB is past 1 MiB");
        ok(!fetch_size_too_big(1024 * 1024, 1024 * 1024), "size: a declared 1 MiB is within 1 MiB");
        ok(!fetch_size_too_big(-1, 1024 * 1024), "size: no declared size is not refused early");
}

int main(void) {
        DmiStrings qemu = dmi("QEMU", "Standard PC (i440FX + PIIX, 1996)", "SeaBIOS", "");
        DmiStrings ec2 = dmi("Amazon EC2", "t3.micro", "Amazon EC2", "Amazon EC2");
        DmiStrings gce = dmi("Google", "Google Compute Engine", "Google", "");
        DmiStrings metal = dmi("Dell Inc.", "PowerEdge R640", "Dell Inc.", "");
        const char *pin = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        check_platform(qemu, PLATFORM_QEMU, "QEMU");
        check_platform(ec2, PLATFORM_EC2, "a Nitro instance");
        check_platform(dmi("Xen", "HVM domU", "Amazon EC2", ""), PLATFORM_EC2, "a Xen instance (BIOS)");
        check_platform(dmi("", "", "", "Amazon EC2"), PLATFORM_EC2, "an asset tag alone");
        check_platform(gce, PLATFORM_GCE, "GCE");
        check_platform(dmi("", "Google Compute Engine", "", ""), PLATFORM_GCE, "GCE's product alone");
        check_platform(metal, PLATFORM_METAL, "a Dell server");
        check_platform(dmi("", "", "", ""), PLATFORM_METAL, "no DMI");
        check_platform(dmi("qemu", "", "", ""), PLATFORM_METAL, "a lower-case vendor");
        test_dmi_read();

        check_plan("", qemu, "fw_cfg:opt/org.berth/state nocloud:cidata");
        check_plan("", ec2, "ec2:http://169.254.169.254");
        check_plan("", gce, "gce:http://metadata.google.internal");
        check_plan("", metal, "nocloud:cidata");
        check_plan("berth.platform=ec2", qemu, "ec2:http://169.254.169.254");
        check_plan("berth.platform=gce", ec2, "gce:http://metadata.google.internal");
        check_plan("berth.platform=nocloud", qemu, "nocloud:cidata");
        check_plan("berth.platform=metal", ec2, "nocloud:cidata");
        check_plan("berth.platform=qemu", metal, "fw_cfg:opt/org.berth/state nocloud:cidata");
        check_plan("berth.platform=azure", ec2, "ec2:http://169.254.169.254");
        check_plan("berth.state=https://h/s.toml", ec2, "url:https://h/s.toml");
        check_plan("berth.platform=qemu berth.state=http://h/s", qemu, "url:http://h/s");
        check_plan("berth.state=https://a/1 berth.state=https://b/2", metal, "url:https://b/2");

        {
                KernelArgs a;
                kernel_args_parse("berth.platform=azure berth.state.http=yes", &a);
                ok(strstr(a.arg[KARG_PLATFORM].warning, "not one of auto, qemu, nocloud, ec2, gce, metal") !=
                           NULL,
                   "berth.platform=azure: a warning naming the choices");
                ok(a.arg[KARG_STATE_HTTP].number == STATE_HTTP_PINNED &&
                           strstr(a.arg[KARG_STATE_HTTP].warning, "using the default pinned"),
                   "berth.state.http=yes: the default, pinned");
                kernel_args_clear(&a);
                kernel_args_parse("berth.state.http=any berth.state.sha256=ABC", &a);
                ok(a.arg[KARG_STATE_HTTP].number == STATE_HTTP_ANY, "berth.state.http=any");
                ok(a.arg[KARG_STATE_SHA256].present && streq(a.arg[KARG_STATE_SHA256].text, "ABC") &&
                           !a.arg[KARG_STATE].present,
                   "berth.state.sha256 is not berth.state");
                kernel_args_clear(&a);
        }

        check_source("url:https://h/s.toml", 0, PROVIDER_URL, "https://h/s.toml");
        check_source("fw_cfg:opt/org.berth/state", 0, PROVIDER_FWCFG, "opt/org.berth/state");
        check_source("nocloud:cidata", 0, PROVIDER_NOCLOUD, "cidata");
        check_source("ec2:http://127.0.0.1:8080", 0, PROVIDER_EC2, "http://127.0.0.1:8080");
        check_source("gce:http://metadata.google.internal", 0, PROVIDER_GCE,
                     "http://metadata.google.internal");
        check_source("url:ftp://h/s.toml", -EINVAL, 0, NULL);
        check_source("url:file:///etc/passwd", -EINVAL, 0, NULL);
        check_source("ec2:169.254.169.254", -EINVAL, 0, NULL);
        check_source("nocloud:", -EINVAL, 0, NULL);
        check_source("azure:http://h", -EINVAL, 0, NULL);
        check_source("https://h/s.toml", -EINVAL, 0, NULL);
        check_source("url", -EINVAL, 0, NULL);

        check_url("https://h/s.toml", false, false, true, NULL);
        check_url("HTTPS://h/s.toml", false, false, true, NULL);
        check_url("http://h/s.toml", true, false, true, NULL);
        check_url("http://h/s.toml", false, true, true, NULL);
        check_url("http://h/s.toml", false, false, false,
                  "plain http without berth.state.sha256= is refused");
        check_url("ftp://h/s.toml", true, true, false, "not an http:// or https:// URL");
        check_url("file:///etc/passwd", true, true, false, "not an http:// or https:// URL");
        check_url("gopher://h/", true, true, false, "not an http:// or https:// URL");
        check_url("https:///s.toml", true, true, false, "not an http:// or https:// URL");
        check_url("https://h/a b", true, true, false, "not an http:// or https:// URL");
        check_url("https://h/\x01", true, true, false, "not an http:// or https:// URL");
        check_url("https://", true, true, false, "not an http:// or https:// URL");

        check_redact("https://user:secret@h/s.toml", "https://h/s.toml");
        check_redact("https://u@x:p@h:8443/s?a=b@c", "https://h:8443/s?a=b@c");
        check_redact("https://h/s.toml?x=a@b", "https://h/s.toml?x=a@b");
        check_redact("http://h", "http://h");

        check_pin(pin, pin);
        check_pin("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789ABCDEF", pin);
        check_pin("0123456789abcdef", NULL);
        check_pin("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0", NULL);
        check_pin("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", NULL);
        check_pin("g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL);
        check_pin("", NULL);

        test_buffer();
        return tap_done();
}
