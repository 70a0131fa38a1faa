/* SPDX-License-Identifier: MIT */
/* The pure parts of applying a host state: sysctl names to /proc/sys
 * paths, the record of what a document wrote and what converging to the
 * next one removes, and what registries become (hosts.toml, credentials). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/tests/tap.h"
#include "host-state.h"
#include "macro.h"
#include "stage2/state-record.h"
#include "stage2/state-registry.h"
#include "strv.h"

static HostState *parse(const char *text) {
        HostState *s = NULL;
        TomlError e = {};

        if (host_state_parse(text, strlen(text), &s, &e) < 0) {
                printf("# parse: %u:%u: %s\n", e.line, e.column, e.msg);
                return NULL;
        }
        return s;
}

static bool path_is(const char *name, const char *want) {
        char buf[256];
        int r = sysctl_name_to_path(name, buf, sizeof(buf));

        if (r < 0 || !streq(buf, want)) {
                printf("# %s -> %s (%d), wanted %s\n", name, r < 0 ? "error" : buf, r, want);
                return false;
        }
        return true;
}

static bool strv_is(char **l, const char *joined) {
        _cleanup_free_ char *j = strv_join(l, ",");

        if (!j || !streq(j, joined)) {
                printf("# got '%s', wanted '%s'\n", strempty(j), joined);
                return false;
        }
        return true;
}

static void test_sysctl(void) {
        char buf[64];

        ok(path_is("net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward"), "dots become slashes");
        ok(path_is("net.ipv4.conf.eth0/100.rp_filter", "/proc/sys/net/ipv4/conf/eth0.100/rp_filter"),
           "a slash stands for a dot in an interface name");
        ok(path_is("vm.swappiness", "/proc/sys/vm/swappiness"), "two parts");
        ok(sysctl_name_to_path("net..x", buf, sizeof(buf)) == -EINVAL, "an empty part is refused");
        ok(sysctl_name_to_path("net./.x", buf, sizeof(buf)) == -EINVAL,
           "a part '/' ('.' in /proc/sys) is refused");
        ok(sysctl_name_to_path("net.//.x", buf, sizeof(buf)) == -EINVAL, "a part '//' ('..') is refused");
        ok(sysctl_name_to_path("", buf, sizeof(buf)) == -EINVAL, "an empty name is refused");
        ok(sysctl_name_to_path("net.", buf, sizeof(buf)) == -EINVAL, "a trailing dot is refused");
        ok(sysctl_name_to_path("net.core.somaxconn_and_a_long_tail_that_does_not_fit", buf, 32) ==
                   -ENAMETOOLONG,
           "a path longer than the buffer is refused");
}

static void test_record(void) {
        _cleanup_(host_state_freep) HostState *a =
                parse("version = 1\n"
                      "[[files]]\npath = \"/etc/motd\"\ncontent = \"hi\"\n"
                      "[[files]]\npath = \"/etc/app/conf\"\ncontent = \"x\"\n"
                      "[[registries]]\nhost = \"registry.example:5000\"\n");
        _cleanup_(host_state_freep) HostState *b =
                parse("version = 1\n"
                      "[[files]]\npath = \"/etc/app/conf\"\ncontent = \"y\"\n"
                      "[[files]]\npath = \"/etc/new\"\ncontent = \"n\"\n");
        _cleanup_strv_free_ char **ra = NULL, **rb = NULL, **stale = NULL, **back = NULL, **u = NULL,
                                 **empty = NULL;
        _cleanup_free_ char *text = NULL;

        ok(a && b, "the two documents parse");
        if (!a || !b)
                return;
        ok(state_record_of(a, &ra) == 0 &&
                   strv_is(ra, "file /etc/motd,file /etc/app/conf,registry registry.example:5000"),
           "a document's record: its files, then its registries, in order");
        ok(state_record_of(b, &rb) == 0 && strv_is(rb, "file /etc/app/conf,file /etc/new"),
           "the next one's");
        ok(state_record_stale(ra, rb, &stale) == 0 &&
                   strv_is(stale, "file /etc/motd,registry registry.example:5000"),
           "converging from a to b removes what b no longer names, and keeps a changed file");
        strv_free(stale);
        stale = NULL;
        ok(state_record_stale(ra, ra, &stale) == 0 && strv_length(stale) == 0,
           "the same document removes nothing");

        text = state_record_format(ra);
        ok(text && streq(text, "file /etc/motd\nfile /etc/app/conf\nregistry registry.example:5000\n"),
           "the record's text: an entry a line");
        ok(text && state_record_parse(text, &back) == 0 &&
                   strv_is(back, "file /etc/motd,file /etc/app/conf,registry registry.example:5000"),
           "and back");

        ok(state_record_parse("file /etc/a\ngarbage\nfile /tmp/x\nfile /etc/../root/x\nfile /etc/b/..\n"
                              "registry a/b\nregistry ..\nfile /etc/a\nfile /etc/c/\nfile /etc/\nregistry "
                              "r:1\nfile /etc/b",
                              &u) == 0 &&
                   strv_is(u, "file /etc/a,registry r:1,file /etc/b"),
           "a torn or tampered record: only entries a document could have made, once each (no newline at "
           "the end too)");
        ok(state_record_parse("", &empty) == 0 && empty && strv_length(empty) == 0, "an empty record");
        ok(state_record_merge(&empty, ra) == 0 && state_record_merge(&empty, rb) == 0 &&
                   strv_is(empty,
                           "file /etc/motd,file /etc/app/conf,registry registry.example:5000,file /etc/new"),
           "while a document is applied, the record holds the old and the new entries, once each");
        ok(streq(strempty(state_record_arg("file /etc/x", "file")), "/etc/x") &&
                   !state_record_arg("file /etc/x", "registry") && !state_record_arg("file", "file") &&
                   !state_record_arg("filex /etc", "file"),
           "an entry's kind and argument");
}

static void test_registry(void) {
        _cleanup_(host_state_freep) HostState *s =
                parse("version = 1\n"
                      "[[registries]]\nhost = \"registry.example:5000\"\nmirrors = "
                      "[\"http://10.0.2.2:5000\", \"https://m.example\"]\n"
                      "plain_http = true\nusername = \"ci\"\npassword = \"s3\\\"cret\"\n"
                      "[[registries]]\nhost = \"docker.io\"\n"
                      "[[registries]]\nhost = \"tok.example\"\ntoken = \"abc\"\n");
        _cleanup_(host_state_freep) HostState *none =
                parse("version = 1\n[[registries]]\nhost = \"a.example\"\n");
        _cleanup_free_ char *t0 = NULL, *t1 = NULL, *auth = NULL, *noauth = (char *) 1;

        ok(s && none, "the documents parse");
        if (!s || !none)
                return;
        ok(registry_hosts_toml(&s->registries[0], "/etc/containerd/certs.d/registry.example:5000/ca.crt",
                               &t0) == 0 &&
                   strstr(t0, "\nserver = \"http://registry.example:5000\"\nca = "
                              "\"/etc/containerd/certs.d/registry.example:5000/ca.crt\"\n") &&
                   strstr(t0, "\n[host.\"http://10.0.2.2:5000\"]\ncapabilities = [\"pull\", "
                              "\"resolve\"]\nca = ") &&
                   strstr(t0, "\n[host.\"https://m.example\"]\n") &&
                   strstr(t0, "\"http://10.0.2.2:5000\"") < strstr(t0, "\"https://m.example\""),
           "plain_http: the server is http://; mirrors in order with their own scheme; the CA for each");
        ok(registry_hosts_toml(&s->registries[1], NULL, &t1) == 0 &&
                   strstr(t1, "\nserver = \"https://registry-1.docker.io\"\n") && !strstr(t1, "ca =") &&
                   strstr(t1, "\n[host.\"https://registry-1.docker.io\"]\ncapabilities = [\"pull\", "
                              "\"resolve\"]\n"),
           "docker.io's API host; https; no CA; no mirror: the server is its own [host] table, "
           "which containerd 1.6 requires");
        ok(registry_auth_json(s, &auth) == 0 && auth && strstr(auth, "\"registry.example:5000\"") &&
                   strstr(auth, "\"username\": \"ci\"") && strstr(auth, "\"password\": \"s3\\\"cret\"") &&
                   strstr(auth, "\"tok.example\"") && strstr(auth, "\"token\": \"abc\"") &&
                   !strstr(auth, "docker.io"),
           "credentials: each registry that has some, JSON-escaped; none for the others");
        ok(registry_auth_json(none, &noauth) == 0 && noauth == NULL, "no credentials: no file");
}

int main(void) {
        test_sysctl();
        test_record();
        test_registry();
        return tap_done();
}
