/* SPDX-License-Identifier: MIT */

/* host-state.c: every key's good and bad values, the position of each
 * error, the limits a hostile document meets, and the comparison the
 * converge step uses. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-state.h"
#include "strv.h"
#include "tests/tap.h"

static int parse(const char *doc, HostState **ret, TomlError *e) {
        return host_state_parse(doc, strlen(doc), ret, e);
}

/* doc is refused at line:col (0:0: any position) with a message holding want. */
static void bad(const char *doc, unsigned line, unsigned col, const char *want) {
        _cleanup_(host_state_freep) HostState *s = NULL;
        TomlError e;
        int k = parse(doc, &s, &e);

        ok(k == -EINVAL && !s && strstr(e.msg, want) && (line == 0 || (e.line == line && e.column == col)),
           "refused at %u:%u, '%s' (got %d, %u:%u: %s)", line, col, want, k, e.line, e.column, e.msg);
}

/* doc is accepted; returns the state for more checks (the caller frees it). */
static HostState *good(const char *doc) {
        HostState *s = NULL;
        TomlError e = { 0 };
        int k = parse(doc, &s, &e);

        char shown[61];

        /* One line of TAP: the document's first characters, newlines shown as '|'. */
        snprintf(shown, sizeof(shown), "%s", doc);
        for (char *p = shown; *p; p++)
                if (*p == '\n')
                        *p = '|';
        ok(k == 0 && s, "accepted: %s... (%d, %u:%u: %s)", shown, k, e.line, e.column, e.msg);
        return s;
}

static void good_free(const char *doc) {
        host_state_free(good(doc));
}

#define V "version = 1\n"
#define C(extra) V "[[containers]]\nname = \"web\"\nimage = \"busybox:1.36\"\n" extra

static const char full[] = V "hostname = \"web-1.example\"\n"
                             "refresh = \"5m\"\n"
                             "[sysctl]\n"
                             "net.ipv4.ip_forward = 1\n"
                             "\"vm.swappiness\" = \"10\"\n"
                             "net.ipv4.conf.\"eth0/100\".rp_filter = 2\n"
                             "[[files]]\n"
                             "path = \"/etc/motd\"\n"
                             "content = \"hello\\n\"\n"
                             "[[files]]\n"
                             "path = \"/etc/app/key\"\n"
                             "mode = \"0600\"\n"
                             "owner = 1000\n"
                             "group = 1001\n"
                             "content_base64 = \"AAEC/w==\"\n"
                             "[[registries]]\n"
                             "host = \"registry.example:5000\"\n"
                             "mirrors = [\"http://10.0.2.2:5000\", \"https://mirror.example/v2\"]\n"
                             "plain_http = true\n"
                             "username = \"ci\"\n"
                             "password = \"s3cret\"\n"
                             "ca = \"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n\"\n"
                             "[[containers]]\n"
                             "name = \"web\"\n"
                             "image = \"registry.example:5000/team/web:1.0@sha256:"
                             "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n"
                             "command = [\"/bin/httpd\"]\n"
                             "args = [\"-f\", \"-p\", \"8080\"]\n"
                             "env = { PORT = \"8080\", MODE = \"prod\" }\n"
                             "host_network = true\n"
                             "restart = \"on-failure\"\n"
                             "max_restarts = 3\n"
                             "[[containers.mounts]]\n"
                             "source = \"/var/lib/web\"\n"
                             "target = \"/data\"\n"
                             "[[containers.mounts]]\n"
                             "source = \"/var/log/web\"\n"
                             "target = \"/logs\"\n"
                             "read_only = true\n"
                             "[containers.resources]\n"
                             "cpu_max = \"50000\"\n"
                             "cpu_weight = 200\n"
                             "memory_max = \"256M\"\n"
                             "pids_max = 100\n"
                             "[[containers]]\n"
                             "name = \"offline\"\n"
                             "archive = { url = \"https://files.example/app.tar\", sha256 = "
                             "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\" }\n";

static void test_full(void) {
        _cleanup_(host_state_freep) HostState *s = good(full);
        const HostStateContainer *c;

        if (!s)
                return;
        ok(s->version == 1 && streq(s->hostname, "web-1.example") && s->refresh == 300,
           "version, hostname, refresh");
        ok(strv_length(s->sysctl) == 6 && streq(s->sysctl[0], "net.ipv4.ip_forward") &&
                   streq(s->sysctl[1], "1") && streq(s->sysctl[2], "net.ipv4.conf.eth0/100.rp_filter") &&
                   streq(s->sysctl[3], "2") && streq(s->sysctl[4], "vm.swappiness") &&
                   streq(s->sysctl[5], "10"),
           "sysctl: dotted keys, quoted keys, integers as decimal, in the order of TOML's tables");
        ok(s->n_files == 2 && s->files[0].mode == 0644 && s->files[0].owner == 0 &&
                   streq(s->files[0].content, "hello\n") && s->files[0].content_size == 6,
           "file: default mode 0644, owner 0, content");
        ok(s->files[1].mode == 0600 && s->files[1].owner == 1000 && s->files[1].group == 1001 &&
                   s->files[1].content_size == 4 && memcmp(s->files[1].content, "\0\1\2\377", 4) == 0,
           "file: mode string, owner, group, content_base64 decoded");
        ok(s->n_registries == 1 && s->registries[0].plain_http &&
                   strv_length(s->registries[0].mirrors) == 2 && streq(s->registries[0].username, "ci") &&
                   streq(s->registries[0].password, "s3cret") &&
                   strstr(s->registries[0].ca, "BEGIN CERTIFICATE"),
           "registry: mirrors, plain_http, credentials, ca");
        c = host_state_container_find(s, "web");
        ok(c && strv_length(c->args) == 3 && streq(c->command[0], "/bin/httpd") &&
                   strv_length(c->env) == 4 && streq(c->env[0], "PORT") && streq(c->env[3], "prod") &&
                   c->host_network && c->restart == HOST_STATE_RESTART_ON_FAILURE && c->max_restarts == 3,
           "container: command, args, env, host_network, restart");
        ok(c && c->n_mounts == 2 && !c->mounts[0].read_only && c->mounts[1].read_only &&
                   streq(c->mounts[1].source, "/var/log/web"),
           "container: mounts");
        ok(c && streq(c->resources.cpu_max, "50000 100000") && c->resources.cpu_weight == 200 &&
                   c->resources.memory_max == 256u << 20 && c->resources.pids_max == 100,
           "container: resources, cpu_max with its period written out");
        c = host_state_container_find(s, "offline");
        ok(c && !c->image && strstr(c->archive.url, "app.tar") && c->restart == HOST_STATE_RESTART_ALWAYS &&
                   c->max_restarts == 0 && !c->command && c->resources.memory_max == 0,
           "container from an archive: defaults (restart always, no limits, the image's command)");
        ok(!host_state_container_find(s, "nope"), "an unknown container is not found");
}

static void test_top(void) {
        HostState *s = good(V);
        ok(s && !s->hostname && s->refresh == 0 && !s->sysctl && s->n_containers == 0,
           "an empty state changes nothing");
        host_state_free(s);
        bad("hostname = \"x\"\n", 1, 1, "missing required key 'version'");
        bad("version = 2\nnew_key = 1\n", 1, 11, "'version' must be 1");
        bad("version = \"1\"\n", 1, 11, "'version' must be 1");
        bad(V "colour = 1\n", 2, 1, "unknown key 'colour' (known: version");
        bad(V "[containers]\n", 2, 2, "'containers' must be an array of tables");
        bad(V "version = 1\n", 2, 1, "duplicate key 'version'");
        bad(V "hostname = 1\n", 2, 12, "'hostname' must be a string, not an integer");
        good_free(V "hostname = \"a\"\n");
        good_free(V "hostname = \"A-1.b2\"\n");
        bad(V "hostname = \"-a\"\n", 2, 12, "hostname '-a'");
        bad(V "hostname = \"a-\"\n", 2, 12, "hostname 'a-'");
        bad(V "hostname = \"a..b\"\n", 2, 12, "hostname");
        bad(V "hostname = \"a_b\"\n", 2, 12, "hostname");
        bad(V "hostname = \"\"\n", 2, 12, "hostname");
        bad(V "hostname = \"a\\nb\"\n", 2, 12, "control characters");
        bad(V "hostname = \"a\\u0000b\"\n", 2, 12, "NUL");
        bad(V "hostname = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b\"\n", 2, 12,
            "hostname");
        bad(V "hostname = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n", 2, 12,
            "hostname");
        good_free(V "hostname = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n");
}

static void test_refresh(void) {
        HostState *s;

        s = good(V "refresh = 30\n");
        ok(s && s->refresh == 30, "refresh = 30 is 30 seconds");
        host_state_free(s);
        s = good(V "refresh = \"2h\"\n");
        ok(s && s->refresh == 7200, "refresh = \"2h\" is 7200 seconds");
        host_state_free(s);
        s = good(V "refresh = \"7d\"\n");
        ok(s && s->refresh == 7 * 86400, "refresh = \"7d\" is the longest");
        host_state_free(s);
        bad(V "refresh = 9\n", 2, 11, "between 10 seconds and 7 days");
        bad(V "refresh = \"8d\"\n", 2, 11, "between 10 seconds and 7 days");
        bad(V "refresh = \"5\"\n", 2, 11, "\"30s\"");
        bad(V "refresh = \"5 m\"\n", 2, 11, "\"30s\"");
        bad(V "refresh = \"1h30m\"\n", 2, 11, "\"30s\"");
        bad(V "refresh = \"99999999999999999s\"\n", 2, 11, "\"30s\"");
        bad(V "refresh = -5\n", 2, 11, "between");
        bad(V "refresh = 1.5\n", 2, 11, "must be an integer (seconds) or a string");
}

static void test_sysctl(void) {
        good_free(V "[sysctl]\nkernel.pid_max = 65536\nfs.inotify.max_user_watches = 524288\n"
                    "net.ipv4.tcp_rmem = \"4096 87380 6291456\"\n");
        good_free(V "sysctl = {}\n");
        bad(V "[sysctl]\ndev.tty.ldisc_autoload = 0\n", 3, 9, "not allowed");
        bad(V "[sysctl]\nnetwork.x = 0\n", 3, 9, "not allowed");
        bad(V "[sysctl]\nkernel.modprobe = \"/bin/sh\"\n", 3, 8,
            "refused: it makes the kernel run a program");
        bad(V "[sysctl]\nkernel.core_pattern = \"|/bin/sh\"\n", 3, 8, "refused");
        bad(V "[sysctl.kernel]\ncore_pattern = \"core\"\n", 3, 1, "sysctl 'kernel.core_pattern' is refused");
        bad(V "[sysctl]\nkernel.hotplug = \"/x\"\n", 3, 8, "refused");
        bad(V "[sysctl]\nkernel.poweroff_cmd = \"/x\"\n", 3, 8, "refused");
        bad(V "[sysctl]\n\"kernel.usermodehelper.bset\" = \"0 0\"\n", 3, 1, "refused");
        bad(V "[sysctl]\nkernel.hostname = \"x\"\n", 3, 8, "set 'hostname' instead");
        good_free(V "[sysctl]\nkernel.modprobe_x = 1\n");
        bad(V "[sysctl]\n\"net..x\" = 1\n", 3, 1, "separated by single dots");
        bad(V "[sysctl]\n\"net.x.\" = 1\n", 3, 1, "must not end with '.'");
        bad(V "[sysctl]\n\"net.//.x\" = 1\n", 3, 1, "each starting with a letter");
        bad(V "[sysctl]\n\"net.X\" = 1\n", 3, 1, "parts of a-z");
        bad(V "[sysctl]\n\"net.x\" = 1\nnet.x = 2\n", 4, 5, "'net.x' is set twice in 'sysctl'");
        bad(V "[sysctl]\n\"net.a.b\" = 1\nnet.a.b = 2\n", 4, 7, "'net.a.b' is set twice");
        bad(V "[sysctl]\nnet.x = true\n", 3, 9,
            "'sysctl.net.x' must be a string or an integer, not a boolean");
        bad(V "[sysctl]\nnet.x = \"a\\nb\"\n", 3, 9, "control characters");
        bad(V "sysctl = 1\n", 2, 10, "'sysctl' must be a table");
}

static void test_files(void) {
        HostState *s;

        s = good(V "[[files]]\npath = \"/etc/x\"\nmode = 0o640\ncontent = \"\"\n");
        ok(s && s->files[0].mode == 0640 && s->files[0].content_size == 0, "mode = 0o640, empty content");
        host_state_free(s);
        s = good(V "[[files]]\npath = \"/etc/x\"\nmode = \"755\"\ncontent = \"a\"\n");
        ok(s && s->files[0].mode == 0755, "mode = \"755\"");
        host_state_free(s);
        bad(V "[[files]]\npath = \"/etc\"\ncontent = \"\"\n", 3, 8, "below /etc");
        bad(V "[[files]]\npath = \"/etc/\"\ncontent = \"\"\n", 3, 8, "below /etc");
        bad(V "[[files]]\npath = \"/etcx/a\"\ncontent = \"\"\n", 3, 8, "below /etc");
        bad(V "[[files]]\npath = \"/etc/../root/x\"\ncontent = \"\"\n", 3, 8, "no '..'");
        bad(V "[[files]]\npath = \"/etc/a/./b\"\ncontent = \"\"\n", 3, 8, "below /etc");
        bad(V "[[files]]\npath = \"/etc//a\"\ncontent = \"\"\n", 3, 8, "below /etc");
        bad(V "[[files]]\npath = \"/etc/a/\"\ncontent = \"\"\n", 3, 8, "below /etc");
        bad(V "[[files]]\npath = \"etc/a\"\ncontent = \"\"\n", 3, 8, "below /etc");
        bad(V "[[files]]\npath = \"/etc/a\\tb\"\ncontent = \"\"\n", 3, 8, "control characters");
        bad(V "[[files]]\npath = \"/etc/hostname\"\ncontent = \"\"\n", 3, 8,
            "berth writes /etc/hostname itself");
        bad(V "[[files]]\npath = \"/etc/containerd/certs.d/x/hosts.toml\"\ncontent = \"\"\n", 3, 8,
            "berth writes");
        bad(V "[[files]]\npath = \"/etc/x\"\nmode = 644\ncontent = \"\"\n", 4, 8, "write 0o644 or \"0644\"");
        bad(V "[[files]]\npath = \"/etc/x\"\nmode = \"4755\"\ncontent = \"\"\n", 4, 8, "setuid");
        bad(V "[[files]]\npath = \"/etc/x\"\nmode = 0o2755\ncontent = \"\"\n", 4, 8, "at most 0o777");
        bad(V "[[files]]\npath = \"/etc/x\"\nmode = \"0x1\"\ncontent = \"\"\n", 4, 8, "octal mode");
        bad(V "[[files]]\npath = \"/etc/x\"\nmode = \"64\"\ncontent = \"\"\n", 4, 8, "octal mode");
        bad(V "[[files]]\npath = \"/etc/x\"\nmode = true\ncontent = \"\"\n", 4, 8,
            "must be a string (\"0644\")");
        bad(V "[[files]]\npath = \"/etc/x\"\nowner = -1\ncontent = \"\"\n", 4, 9, "between 0 and");
        bad(V "[[files]]\npath = \"/etc/x\"\nowner = \"root\"\ncontent = \"\"\n", 4, 9,
            "must be an integer");
        bad(V "[[files]]\npath = \"/etc/x\"\ngroup = 4294967295\ncontent = \"\"\n", 4, 9, "between 0 and");
        bad(V "[[files]]\npath = \"/etc/x\"\n", 2, 1, "one of 'content' and 'content_base64'");
        bad(V "[[files]]\npath = \"/etc/x\"\ncontent = \"\"\ncontent_base64 = \"\"\n", 2, 1, "one of");
        bad(V "[[files]]\npath = \"/etc/x\"\ncontent_base64 = \"AAE\"\n", 4, 18, "not base64");
        bad(V "[[files]]\npath = \"/etc/x\"\ncontent_base64 = \"AA=A\"\n", 4, 18, "not base64");
        bad(V "[[files]]\npath = \"/etc/x\"\ncontent_base64 = \"A===\"\n", 4, 18, "not base64");
        bad(V "[[files]]\npath = \"/etc/x\"\ncontent_base64 = \"AA*A\"\n", 4, 18, "not base64");
        s = good(V "[[files]]\npath = \"/etc/x\"\ncontent_base64 = \"\"\"\nYWJj\nZA==\n\"\"\"\n");
        ok(s && s->files[0].content_size == 4 && streq(s->files[0].content, "abcd"),
           "content_base64 wrapped over lines");
        host_state_free(s);
        bad(V "[[files]]\ncontent = \"\"\n", 2, 1, "missing required key 'files.path'");
        bad(V "[[files]]\npath = \"/etc/x\"\ncontent = \"\"\nmod = 1\n", 5, 1,
            "unknown key 'mod' in [[files]]");
        bad(V "[[files]]\npath = \"/etc/x\"\ncontent = \"\"\n[[files]]\npath = \"/etc/x\"\ncontent = \"\"\n",
            6, 8, "file '/etc/x' is written twice");
        bad(V "files = [1]\n", 2, 10, "'files' must be an array of tables");
}

static void test_registries(void) {
        good_free(V "[[registries]]\nhost = \"docker.io\"\nmirrors = [\"https://mirror.gcr.io\"]\n");
        good_free(V "[[registries]]\nhost = \"[fd00::1]:5000\"\ntoken = \"t\"\n");
        good_free(V "[[registries]]\nhost = \"10.0.2.2:5000\"\nplain_http = true\n");
        bad(V "[[registries]]\nhost = \"Registry.example\"\n", 3, 8, "lower-case host name");
        bad(V "[[registries]]\nhost = \"r.example:0\"\n", 3, 8, "registry host");
        bad(V "[[registries]]\nhost = \"r.example:65536\"\n", 3, 8, "registry host");
        bad(V "[[registries]]\nhost = \"r.example/x\"\n", 3, 8, "registry host");
        bad(V "[[registries]]\nhost = \"https://r.example\"\n", 3, 8, "registry host");
        bad(V "[[registries]]\nhost = \"r\"\nmirrors = [\"ftp://m\"]\n", 4, 12, "http:// or https:// URL");
        bad(V "[[registries]]\nhost = \"r\"\nmirrors = [\"https://m/a b\"]\n", 4, 12, "no spaces or quotes");
        bad(V "[[registries]]\nhost = \"r\"\nmirrors = [\"https://m/\\\"\"]\n", 4, 12,
            "no spaces or quotes");
        bad(V "[[registries]]\nhost = \"r\"\nmirrors = [\"https://u:p@m/\"]\n", 4, 12, "no user@");
        bad(V "[[registries]]\nhost = \"r\"\nmirrors = [\"https://\"]\n", 4, 12, "with a host");
        bad(V "[[registries]]\nhost = \"r\"\nmirrors = [\"https://m\", \"https://m\"]\n", 4, 25,
            "listed twice");
        bad(V "[[registries]]\nhost = \"r\"\nmirrors = [\"http://m\"]\n", 4, 11,
            "needs 'plain_http = true'");
        bad(V "[[registries]]\nhost = \"r\"\nplain_http = \"yes\"\n", 4, 14, "must be a boolean");
        bad(V "[[registries]]\nhost = \"r\"\nusername = \"u\"\n", 2, 1, "both 'username' and 'password'");
        bad(V "[[registries]]\nhost = \"r\"\npassword = \"p\"\n", 2, 1, "both 'username' and 'password'");
        bad(V "[[registries]]\nhost = \"r\"\nusername = \"u\"\npassword = \"p\"\ntoken = \"t\"\n", 6, 9,
            "use one of them");
        bad(V "[[registries]]\nhost = \"r\"\nca = \"not a cert\"\n", 4, 6, "PEM certificates");
        bad(V "[[registries]]\nhost = \"r\"\n[[registries]]\nhost = \"r\"\n", 5, 8, "configured twice");
        bad(V "[[registries]]\nplain_http = true\n", 2, 1, "missing required key 'registries.host'");
}

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void image_good(const char *ref) {
        _cleanup_free_ char *doc = NULL;
        if (asprintf(&doc, V "[[containers]]\nname = \"c\"\nimage = \"%s\"\n", ref) < 0)
                abort();
        good_free(doc);
}

static void image_bad(const char *ref, const char *want) {
        _cleanup_free_ char *doc = NULL;
        if (asprintf(&doc, V "[[containers]]\nname = \"c\"\nimage = \"%s\"\n", ref) < 0)
                abort();
        bad(doc, 4, 9, want);
}

static void test_images(void) {
        image_good("busybox:1.36");
        image_good("library/busybox:latest");
        image_good("docker.io/library/busybox:1.36.1-musl");
        image_good("localhost/app:1");
        image_good("localhost:5000/a/b/c:v1");
        image_good("10.0.2.2:5000/app:1");
        image_good("[fd00::1]:5000/app:1");
        image_good("registry.example/a.b/c__d/e-f/g--h:1");
        image_good("busybox@sha256:" SHA);
        image_good("r.example/busybox:1@sha256:" SHA);
        image_bad("busybox", "must name a tag");
        image_bad("r.example:5000/busybox", "must name a tag");
        image_bad("Busybox:1", "is not a reference");
        image_bad("busybox:", "is not a reference");
        image_bad("busybox:.x", "is not a reference");
        image_bad("busybox:a b", "is not a reference");
        image_bad("busybox@sha256:abc", "is not a reference");
        image_bad("busybox@sha512:" SHA, "is not a reference");
        image_bad("busybox@sha256:" SHA "0", "is not a reference");
        image_bad("a//b:1", "is not a reference");
        image_bad("/a:1", "is not a reference");
        image_bad("a/:1", "is not a reference");
        image_bad("a_-b:1", "is not a reference");
        image_bad("a___b:1", "is not a reference");
        image_bad("-a:1", "is not a reference");
        image_bad("a.:1", "is not a reference");
        image_bad("bad_host.example/a:1", "is not a reference");
        image_bad("r.example:99999/a:1", "is not a reference");
}

static void test_containers(void) {
        HostState *s;

        bad(V "[[containers]]\nname = \"web\"\n", 2, 1, "one of 'image' and 'archive'");
        bad(C("archive = { url = \"https://a/x.tar\", sha256 = \"" SHA "\" }\n"), 2, 1,
            "one of 'image' and 'archive'");
        bad(V "[[containers]]\nname = \"c\"\narchive = { url = \"https://a/x.tar\" }\n", 4, 11,
            "missing required key 'containers.archive.sha256'");
        bad(V "[[containers]]\nname = \"c\"\narchive = { url = \"https://a/x.tar\", sha256 = \"ABC\" }\n", 4,
            47, "64 lower-case hex digits");
        bad(V "[[containers]]\nname = \"c\"\narchive = { url = \"file:///x.tar\", sha256 = \"" SHA "\" }\n",
            4, 19, "http:// or https:// URL");
        bad(V "[[containers]]\nimage = \"a:1\"\n", 2, 1, "missing required key 'containers.name'");
        bad(V "[[containers]]\nname = \"Web\"\nimage = \"a:1\"\n", 3, 8, "container name 'Web'");
        bad(V "[[containers]]\nname = \"_web\"\nimage = \"a:1\"\n", 3, 8, "container name");
        bad(V "[[containers]]\nname = \"a/b\"\nimage = \"a:1\"\n", 3, 8, "container name");
        bad(V "[[containers]]\nname = \"\"\nimage = \"a:1\"\n", 3, 8, "container name");
        bad(V "[[containers]]\nname = "
              "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\nimage = \"a:1\"\n",
            3, 8, "container name");
        good_free(V "[[containers]]\nname = "
                    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n"
                    "image = \"a:1\"\n");
        bad(C("") "[[containers]]\nname = \"web\"\nimage = \"a:1\"\n", 6, 8,
            "container name 'web' is used twice");
        bad(C("command = \"/bin/sh -c x\"\n"), 5, 11, "'containers.command' must be an array of strings");
        bad(C("args = [1]\n"), 5, 9, "'containers.args' must hold only strings, not an integer");
        bad(C("args = [\"a\\u0000b\"]\n"), 5, 9, "NUL");
        s = good(C("args = [\"a\\nb\", \"a\", \"a\"]\ncommand = []\n"));
        ok(s && strv_length(s->containers[0].args) == 3 && s->containers[0].command &&
                   !s->containers[0].command[0],
           "an argument may hold a newline and repeat; command = [] is an empty command, not the image's");
        host_state_free(s);
        s = good(C("env = { \"JAVA.opts\" = \"-Xmx1g\\n\", _X = \"\" }\n"));
        ok(s && strv_length(s->containers[0].env) == 4 && streq(s->containers[0].env[0], "JAVA.opts"),
           "env names with '.' and '_', empty values");
        host_state_free(s);
        bad(C("env = [\"A=1\"]\n"), 5, 7, "'containers.env' must be a table, not an array");
        bad(C("env = { \"A=B\" = \"1\" }\n"), 5, 9, "environment name 'A=B'");
        bad(C("env = { 1A = \"1\" }\n"), 5, 9, "environment name '1A'");
        bad(C("env = { A = 1 }\n"), 5, 13, "'containers.env.A' must be a string, not an integer");
        bad(C("host_network = 1\n"), 5, 16, "must be a boolean");
        bad(C("restart = \"sometimes\"\n"), 5, 11, "\"always\", \"on-failure\" or \"never\"");
        bad(C("restart = \"never\"\nmax_restarts = 1\n"), 6, 16, "on-failure\" only");
        bad(C("restart = \"on-failure\"\nmax_restarts = -1\n"), 6, 16, "between 0 and");
        s = good(C("restart = \"on-failure\"\n"));
        ok(s && s->containers[0].max_restarts == 5, "on-failure without max_restarts allows 5");
        host_state_free(s);
        s = good(C("restart = \"never\"\n"));
        ok(s && s->containers[0].restart == HOST_STATE_RESTART_NEVER, "restart = never");
        host_state_free(s);
        bad(C("colour = 1\n"), 5, 1, "unknown key 'colour' in [[containers]]");
        bad(C("[containers.resources]\ncpu = 1\n"), 6, 1, "unknown key 'cpu' in [containers.resources]");
}

static void test_mounts(void) {
        good_free(C("mounts = [{ source = \"/var/lib/app\", target = \"/app\" }]\n"));
        bad(C("mounts = [{ source = \"/srv/app\", target = \"/app\" }]\n"), 5, 22, "below /var");
        bad(C("mounts = [{ source = \"/var\", target = \"/app\" }]\n"), 5, 22, "below /var");
        bad(C("mounts = [{ source = \"/var/lib/../../etc\", target = \"/app\" }]\n"), 5, 22, "no '..'");
        bad(C("mounts = [{ source = \"/var/lib/berth\", target = \"/app\" }]\n"), 5, 22,
            "belongs to the host");
        bad(C("mounts = [{ source = \"/var/lib/containerd/io\", target = \"/app\" }]\n"), 5, 22,
            "belongs to the host");
        bad(C("mounts = [{ source = \"/var/run/containerd\", target = \"/app\" }]\n"), 5, 22,
            "belongs to the host");
        bad(C("mounts = [{ source = \"/var/lib\", target = \"/app\" }]\n"), 5, 22,
            "'/var/lib' is refused: it holds /var/lib/berth");
        bad(C("mounts = [{ source = \"/var/log\", target = \"/app\" }]\n"), 5, 22,
            "'/var/log' is refused: it holds /var/log/berth");
        bad(C("mounts = [{ source = \"/var/log/berth/web\", target = \"/app\" }]\n"), 5, 22,
            "/var/log/berth belongs to the host");
        good_free(C("mounts = [{ source = \"/var/log/web\", target = \"/app\" }]\n"));
        good_free(C("mounts = [{ source = \"/var/lib/berthx\", target = \"/app\" }]\n"));
        bad(C("mounts = [{ source = \"/var/a\", target = \"app\" }]\n"), 5, 41, "mount target 'app'");
        bad(C("mounts = [{ source = \"/var/a\", target = \"/\" }]\n"), 5, 41, "mount target '/'");
        bad(C("mounts = [{ source = \"/var/a\" }]\n"), 5, 11,
            "missing required key 'containers.mounts.target'");
        bad(C("mounts = [{ source = \"/var/a\", target = \"/a\", read_only = \"yes\" }]\n"), 5, 59,
            "must be a boolean");
        bad(C("mounts = [{ source = \"/var/a\", target = \"/a\" },\n{ source = \"/var/b\", target = \"/a\" "
              "}]\n"),
            6, 31, "mounts '/a' twice");
}

static void test_resources(void) {
        HostState *s;

        s = good(C("resources = { cpu_max = \"max\", memory_max = 1048576, pids_max = \"max\" }\n"));
        ok(s && streq(s->containers[0].resources.cpu_max, "max 100000") &&
                   s->containers[0].resources.memory_max == 1048576 &&
                   s->containers[0].resources.pids_max == 0,
           "cpu_max max, memory_max in bytes, pids_max max");
        host_state_free(s);
        s = good(C("resources = { cpu_max = \"max 50000\", memory_max = \"2G\" }\n"));
        ok(s && streq(s->containers[0].resources.cpu_max, "max 50000") &&
                   s->containers[0].resources.memory_max == UINT64_C(2) << 30,
           "cpu_max max PERIOD, memory_max 2G");
        host_state_free(s);
        s = good(C("resources = { cpu_max = \"150000 100000\", memory_max = \"max\" }\n"));
        ok(s && streq(s->containers[0].resources.cpu_max, "150000 100000") &&
                   s->containers[0].resources.memory_max == 0,
           "cpu_max QUOTA PERIOD (1.5 CPUs), memory_max max");
        host_state_free(s);
        bad(C("resources = { cpu_max = 0.5 }\n"), 5, 25, "must be a string (\"50000 100000\")");
        bad(C("resources = { cpu_max = \"999\" }\n"), 5, 25, "cgroup v2's cpu.max");
        bad(C("resources = { cpu_max = \"50000 999\" }\n"), 5, 25, "cpu.max");
        bad(C("resources = { cpu_max = \"50000 1000001\" }\n"), 5, 25, "cpu.max");
        bad(C("resources = { cpu_max = \"50000  100000\" }\n"), 5, 25, "cpu.max");
        bad(C("resources = { cpu_max = \"-5 100000\" }\n"), 5, 25, "cpu.max");
        bad(C("resources = { cpu_max = \"max max\" }\n"), 5, 25, "cpu.max");
        bad(C("resources = { cpu_max = \"99999999999999999999 100000\" }\n"), 5, 25, "cpu.max");
        bad(C("resources = { cpu_weight = 0 }\n"), 5, 28, "between 1 and 10000");
        bad(C("resources = { cpu_weight = 10001 }\n"), 5, 28, "between 1 and 10000");
        bad(C("resources = { memory_max = 1048575 }\n"), 5, 28, "between 1M and 1024T");
        bad(C("resources = { memory_max = \"1023K\" }\n"), 5, 28, "between 1M");
        bad(C("resources = { memory_max = \"17179869184G\" }\n"), 5, 28, "between 1M");
        /* (2^34 + 1) << 30 wraps around to 1G. */
        bad(C("resources = { memory_max = \"17179869185G\" }\n"), 5, 28, "between 1M");
        bad(C("resources = { memory_max = \"1025T\" }\n"), 5, 28, "between 1M");
        s = good(C("resources = { memory_max = \"1024T\" }\n"));
        ok(s && s->containers[0].resources.memory_max == UINT64_C(1) << 50, "memory_max 1024T is the most");
        host_state_free(s);
        bad(C("resources = { memory_max = \"256MB\" }\n"), 5, 28, "a number with K, M, G or T");
        bad(C("resources = { memory_max = \"M\" }\n"), 5, 28, "between 1M");
        bad(C("resources = { memory_max = -1 }\n"), 5, 28, "between 1M");
        bad(C("resources = { pids_max = 0 }\n"), 5, 26, "between 1 and 4194304");
        bad(C("resources = { pids_max = 4194305 }\n"), 5, 26, "between 1 and");
        bad(C("resources = { pids_max = \"100\" }\n"), 5, 26, "must be an integer or \"max\"");
        bad(C("resources = 1\n"), 5, 1, "'containers.resources' must be a table");
}

static void test_limits(void) {
        char *doc;
        size_t size = HOST_STATE_MAX_BYTES + 2, n;
        HostState *s = NULL;
        TomlError e;
        FILE *f;
        int k;

        /* Too large to look at. */
        doc = malloc(size);
        if (!doc)
                abort();
        memset(doc, '#', size);
        memcpy(doc, V, strlen(V));
        k = host_state_parse(doc, size - 1, &s, &e);
        ok(k == -EFBIG && !s && strstr(e.msg, "larger than"), "a document over 1 MiB is refused unread (%s)",
           e.msg);
        free(doc);

        /* Within the size, over the counts. */
        f = open_memstream(&doc, &n);
        fputs(V, f);
        for (unsigned i = 0; i < 60000; i++)
                fputs("[[containers]]\n", f);
        fclose(f);
        bad(doc, 2, 1, "'containers' must hold at most 128 tables");
        free(doc);

        f = open_memstream(&doc, &n);
        fputs(V "[sysctl]\n", f);
        for (unsigned i = 0; i < 20000; i++)
                fprintf(f, "net.x%u = 1\n", i);
        fclose(f);
        bad(doc, 515, 5, "'sysctl' must hold at most 512 entries");
        free(doc);

        f = open_memstream(&doc, &n);
        fputs(C("args = ["), f);
        for (unsigned i = 0; i < 1000; i++)
                fputs("\"a\",", f);
        fputs("]\n", f);
        fclose(f);
        bad(doc, 5, 8, "'containers.args' must hold at most 256 items");
        free(doc);

        f = open_memstream(&doc, &n);
        fputs(V "[[files]]\npath = \"/etc/big\"\ncontent = \"", f);
        for (unsigned i = 0; i < HOST_STATE_MAX_FILE_SIZE + 1; i++)
                fputc('x', f);
        fputs("\"\n", f);
        fclose(f);
        bad(doc, 4, 11, "'files.content' must be at most 262144 bytes long");
        free(doc);

        /* Nested deeper than a name can be long. */
        f = open_memstream(&doc, &n);
        fputs(V "[sysctl]\n", f);
        for (unsigned i = 0; i < 100000; i++)
                fputs("net.", f);
        fputs("x = 1\n", f);
        fclose(f);
        bad(doc, 3, 0 + 257, "a name in 'sysctl' is too long");
        free(doc);

        f = open_memstream(&doc, &n);
        fputs(V "x = ", f);
        for (unsigned i = 0; i < 100000; i++)
                fputc('[', f);
        fclose(f);
        bad(doc, 2, 133, "nested deeper than");
        free(doc);
}

/* Every document of the parser's corpus is accepted or refused with a
 * message; none crashes (the sanitizers and valgrind watch this run). */
static void test_corpus(void) {
        static const char *const dirs[] = { "lib/tests/toml-corpus/valid", "lib/tests/toml-corpus/invalid",
                                            "lib/tests/toml-corpus/limits" };
        unsigned files = 0, refused_with_message = 0;

        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
                DIR *d = opendir(dirs[i]);
                struct dirent *de;

                if (!d)
                        continue;
                while ((de = readdir(d))) {
                        _cleanup_free_ char *path = NULL;
                        _cleanup_(host_state_freep) HostState *s = NULL;
                        TomlError e;

                        if (de->d_name[0] == '.' || asprintf(&path, "%s/%s", dirs[i], de->d_name) < 0)
                                continue;
                        files++;
                        if (host_state_load(path, &s, &e) < 0 && e.msg[0])
                                refused_with_message++;
                }
                closedir(d);
        }
        ok(files > 50 && refused_with_message == files,
           "each of the %u corpus documents is refused with a message (%u were)", files,
           refused_with_message);
}

static void container_changed(const char *extra, const char *what) {
        _cleanup_(host_state_freep) HostState *a = NULL, *b = NULL;
        _cleanup_free_ char *doc = NULL;

        a = good(C("env = { A = \"1\", B = \"2\" }\nmounts = [{ source = \"/var/a\", target = \"/a\" }]\n"));
        if (asprintf(&doc, "%s%s", C(""), extra) < 0)
                abort();
        b = good(doc);
        ok(a && b && !host_state_container_equal(&a->containers[0], &b->containers[0]), "changed: %s", what);
}

static void test_equal(void) {
        _cleanup_(host_state_freep) HostState *a = good(full), *b = good(full);
        HostStateContainer *c;

        if (!a || !b)
                return;
        for (size_t i = 0; i < a->n_containers; i++)
                ok(host_state_container_equal(&a->containers[i], &b->containers[i]),
                   "container %s equals itself", a->containers[i].name);
        ok(!host_state_container_equal(&a->containers[0], &b->containers[1]), "two containers differ");
        ok(host_state_file_equal(&a->files[1], &b->files[1]) &&
                   !host_state_file_equal(&a->files[0], &b->files[1]),
           "files compare");
        ok(host_state_registry_equal(&a->registries[0], &b->registries[0]), "registries compare");
        c = &b->containers[0];
        c->resources.pids_max++;
        ok(!host_state_container_equal(&a->containers[0], c), "changed: pids_max");
        c->resources.pids_max--;
        c->mounts[1].read_only = false;
        ok(!host_state_container_equal(&a->containers[0], c), "changed: a mount's read_only");
        c->mounts[1].read_only = true;
        ok(host_state_container_equal(&a->containers[0], c), "restored: equal again");
        container_changed(
                "env = { B = \"2\", A = \"1\" }\nmounts = [{ source = \"/var/a\", target = \"/a\" }]\n",
                "env order");
        container_changed(
                "env = { A = \"1\", B = \"3\" }\nmounts = [{ source = \"/var/a\", target = \"/a\" }]\n",
                "an env value");
        container_changed("env = { A = \"1\", B = \"2\" }\n", "a mount removed");
        container_changed("env = { A = \"1\", B = \"2\" }\nmounts = [{ source = \"/var/a\", target = \"/a\" "
                          "}]\nargs = []\n",
                          "args = [] (none, not the image's)");
        container_changed(
                "env = { A = \"1\", B = \"2\" }\nmounts = [{ source = \"/var/a\", target = \"/b\" }]\n",
                "a mount target");
        container_changed(
                "env = { A = \"1\", B = \"2\" }\nmounts = [{ source = \"/var/a\", target = \"/a\" }]\n"
                "restart = \"never\"\n",
                "restart");
}

int main(void) {
        test_full();
        test_top();
        test_refresh();
        test_sysctl();
        test_files();
        test_registries();
        test_images();
        test_containers();
        test_mounts();
        test_resources();
        test_limits();
        test_corpus();
        test_equal();
        return tap_done();
}
