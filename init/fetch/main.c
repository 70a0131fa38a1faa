/* SPDX-License-Identifier: MIT */

/* berth-fetch: the host state document's bytes, from the first of its
 * sources that holds one, checked against its pin, written to a file
 * (mode 0600, a temporary name then rename). Stage 2 runs it as a
 * short-lived child with the sources it chose (init/state/state-plan.c);
 * tests run it the same way against their own servers. It validates the
 * document with the host state's schema before it writes it (so PID 1
 * never parses an unchecked one). Exit codes and the line on stdout:
 * fetch.h. */

#include <errno.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-contract.h"
#include "fetch.h"
#include "fileio.h"
#include "host-state.h"
#include "kernel-args.h"
#include "kmod-util.h"
#include "macro.h"
#include "strv.h"
#include "version.h"

static const ProviderFetchFn providers[_PROVIDER_MAX] = {
        [PROVIDER_URL] = provider_url_fetch,         [PROVIDER_FWCFG] = provider_fwcfg_fetch,
        [PROVIDER_NOCLOUD] = provider_nocloud_fetch, [PROVIDER_EC2] = provider_ec2_fetch,
        [PROVIDER_GCE] = provider_gce_fetch,
};

void fetch_load_modules(const char *const *names) {
        _cleanup_(modules_closep) Modules *m = NULL;

        /* Built in, or not needed on this machine: the provider finds out. */
        if (modules_open(&m) < 0)
                return;
        for (const char *const *n = names; *n; n++)
                (void) modules_load(m, *n);
}

static void sha256_hex(const void *data, size_t size, char out[static 65]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;

        out[0] = 0;
        if (EVP_Digest(data, size, md, &len, EVP_sha256(), NULL) != 1 || len != 32)
                return;
        for (unsigned i = 0; i < len; i++)
                snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void usage(FILE *f) {
        fprintf(f,
                "Usage: berth-fetch --out PATH [OPTIONS] SOURCE...\n"
                "       berth-fetch --archive URL --sha256 HEX --out PATH [OPTIONS]\n"
                "       berth-fetch --plan\n"
                "Fetches the host state document from the first SOURCE that holds one.\n"
                "  SOURCE is url:URL, fw_cfg:NAME, nocloud:LABEL, ec2:BASE-URL or gce:BASE-URL\n"
                "  --out PATH         where the document is written (mode 0600)\n"
                "  --sha256 HEX       the document's pin: any other document is refused\n"
                "  --http-unpinned    plain http may be fetched without a pin\n"
                "  --timeout SECONDS  the deadline for every source together (default %d)\n"
                "  --max-size BYTES   a larger document is refused (default %d)\n"
                "  --ca-bundle PATH   the CA certificates https trusts (default %s)\n"
                "  --plan             print the sources this boot's kernel arguments and DMI name\n"
                "  --archive URL      a container's OCI archive instead, streamed to --out once its\n"
                "                     sha256 is --sha256's (default limits: %d s, %llu bytes)\n"
                "Exit: 0 written, 2 usage, 3 no source holds a document, 4 a source failed.\n",
                FETCH_DEFAULT_TIMEOUT, FETCH_DEFAULT_MAX_SIZE, BERTH_CA_BUNDLE_PATH, ARCHIVE_DEFAULT_TIMEOUT,
                ARCHIVE_DEFAULT_MAX_SIZE);
}

/* What stage 2 would ask: for a look at a running host. */
static int print_plan(void) {
        _cleanup_strv_free_ char **specs = NULL;
        DmiStrings dmi;

        dmi_read("/sys/class/dmi/id", &dmi);
        if (state_plan(kernel_arg_string(KARG_STATE), (Platform) kernel_arg_unsigned(KARG_PLATFORM), &dmi,
                       &specs) < 0)
                return FETCH_EXIT_FAILED;
        STRV_FOREACH (s, specs)
                printf("%s\n", *s);
        return FETCH_EXIT_OK;
}

static int parse_number(const char *s, unsigned long long max, unsigned long long *ret) {
        char *end;

        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-' || v == 0 || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "out", required_argument, NULL, 'o' },
                { "sha256", required_argument, NULL, 's' },
                { "http-unpinned", no_argument, NULL, 'H' },
                { "timeout", required_argument, NULL, 't' },
                { "max-size", required_argument, NULL, 'm' },
                { "ca-bundle", required_argument, NULL, 'c' },
                { "plan", no_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { "archive", required_argument, NULL, 'a' },
                {},
        };
        FetchOptions o = { .max_size = FETCH_DEFAULT_MAX_SIZE, .ca_bundle = BERTH_CA_BUNDLE_PATH };
        const char *out = NULL, *pin_text = NULL, *archive = NULL;
        unsigned long long timeout = 0, max_size = 0, v;
        char pin[65] = "", why[512] = "", name[512] = "";
        _cleanup_free_ char *none = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) != -1)
                switch (c) {
                case 'o':
                        out = optarg;
                        break;
                case 's':
                        pin_text = optarg;
                        break;
                case 'H':
                        o.http_unpinned_ok = true;
                        break;
                case 't':
                case 'm':
                        if (parse_number(optarg, c == 't' ? 86400 : ARCHIVE_MAX_MAX_SIZE, &v) < 0) {
                                fprintf(stderr, "berth-fetch: --%s %s: not a number from 1 to %llu\n",
                                        c == 't' ? "timeout" : "max-size", optarg,
                                        c == 't' ? 86400ULL : ARCHIVE_MAX_MAX_SIZE);
                                return FETCH_EXIT_USAGE;
                        }
                        if (c == 't')
                                timeout = v;
                        else
                                max_size = v;
                        break;
                case 'a':
                        archive = optarg;
                        break;
                case 'c':
                        o.ca_bundle = optarg;
                        break;
                case 'p':
                        return print_plan();
                case 'h':
                        usage(stdout);
                        return FETCH_EXIT_OK;
                case 'V':
                        printf("berth-fetch (berth) %s\n", BERTH_VERSION);
                        return FETCH_EXIT_OK;
                default:
                        usage(stderr);
                        return FETCH_EXIT_USAGE;
                }
        if (archive) {
                if (!out || !pin_text || optind < argc) {
                        usage(stderr);
                        return FETCH_EXIT_USAGE;
                }
                if (sha256_pin_parse(pin_text, pin, why, sizeof(why)) < 0) {
                        printf("%s: --sha256 %.80s: not 64 hex digits\n", archive, pin_text);
                        return FETCH_EXIT_USAGE;
                }
                if (http_init() < 0) {
                        printf("%s: libcurl cannot start\n", archive);
                        return FETCH_EXIT_FAILED;
                }
                o.pinned = true;
                o.max_size = max_size ? (size_t) max_size : ARCHIVE_DEFAULT_MAX_SIZE;
                o.deadline = now_usec() + (timeout ? timeout : ARCHIVE_DEFAULT_TIMEOUT) * 1000000ULL;
                return archive_fetch(archive, pin, out, &o);
        }
        if (max_size > 1ULL << 30) {
                fprintf(stderr, "berth-fetch: --max-size %llu: a document is at most %llu bytes\n", max_size,
                        1ULL << 30);
                return FETCH_EXIT_USAGE;
        }
        if (max_size)
                o.max_size = (size_t) max_size;
        if (!timeout)
                timeout = FETCH_DEFAULT_TIMEOUT;
        if (!out || optind >= argc) {
                usage(stderr);
                return FETCH_EXIT_USAGE;
        }
        /* Every source is checked before any is asked. */
        for (int i = optind; i < argc; i++) {
                StateSource src;
                if (state_source_parse(argv[i], &src, why, sizeof(why)) < 0) {
                        fprintf(stderr, "berth-fetch: %s\n", why);
                        return FETCH_EXIT_USAGE;
                }
        }
        if (pin_text) {
                if (sha256_pin_parse(pin_text, pin, why, sizeof(why)) < 0) {
                        printf("%s: %s\n", argv[optind], why);
                        return FETCH_EXIT_FAILED;
                }
                o.pinned = true;
        }
        if (http_init() < 0) {
                printf("%s: libcurl cannot start\n", argv[optind]);
                return FETCH_EXIT_FAILED;
        }
        o.deadline = now_usec() + timeout * 1000000ULL;

        for (int i = optind; i < argc; i++) {
                FetchBuffer doc = { .limit = o.max_size };
                StateSource src;
                char hex[65];
                int r;

                (void) state_source_parse(argv[i], &src, why, sizeof(why));
                why[0] = 0;
                r = providers[src.kind](&src, &o, &doc, name, sizeof(name), why, sizeof(why));
                if (r == 0) {
                        fprintf(stderr, "berth-fetch: %s\n", why);
                        char *more = none ? strv_join((char *[]){ none, why, NULL }, "; ") : strdup(why);
                        free(none);
                        none = more;
                        continue;
                }
                if (r < 0) {
                        fetch_buffer_reset(&doc);
                        printf("%s: %s\n", name, why[0] ? why : strerror(-r));
                        return FETCH_EXIT_FAILED;
                }
                sha256_hex(doc.data ?: "", doc.size, hex);
                if (o.pinned && !streq(hex, pin)) {
                        fetch_buffer_reset(&doc);
                        printf("%s: sha256:%s is not the pin sha256:%s\n", name, hex, pin);
                        return FETCH_EXIT_FAILED;
                }
                /* Judged here, in a short-lived process: the TOML tree of a hostile
                 * 1 MiB document costs tens of MB, which PID 1 must never spend.
                 * PID 1 then parses only documents that passed. */
                {
                        _cleanup_(host_state_freep) HostState *state = NULL;
                        TomlError e = {};
                        r = host_state_parse(doc.data ?: "", doc.size, &state, &e);
                        if (r < 0) {
                                fetch_buffer_reset(&doc);
                                if (e.line > 0)
                                        printf("%s: %u:%u: %s\n", name, e.line, e.column, e.msg);
                                else
                                        printf("%s: %s\n", name, e.msg[0] ? e.msg : strerror(-r));
                                return FETCH_EXIT_FAILED;
                        }
                }
                r = write_file_atomic(out, doc.data ?: "", doc.size, 0600);
                fetch_buffer_reset(&doc);
                if (r < 0) {
                        printf("%s: cannot write %s: %s\n", name, out, strerror(-r));
                        return FETCH_EXIT_FAILED;
                }
                printf("%s sha256:%s\n", name, hex);
                return FETCH_EXIT_OK;
        }
        printf("none: %s\n", none ?: "no source");
        return FETCH_EXIT_NONE;
}
