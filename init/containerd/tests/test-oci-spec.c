/* SPDX-License-Identifier: MIT */
/* The OCI spec of a berth container, and the image information it is built
 * from: names, limits, the command rule, environment, mounts, networks;
 * the chain id of an imported image's layers. */

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../lib/tests/tap.h"
#include "macro.h"
#include "import.h"
#include "oci-spec.h"

static json_object *build(const CtrdContainerSpec *s, const CtrdImage *img, int *r) {
        char *text = NULL;
        *r = oci_spec_build(s, img, &text);
        if (*r < 0)
                return NULL;
        json_object *o = json_tokener_parse(text);
        free(text);
        return o;
}

static json_object *at(json_object *o, const char *path) {
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *save = NULL, *k = strtok_r(buf, ".", &save); o && k; k = strtok_r(NULL, ".", &save)) {
                json_object *next = NULL;
                if (json_object_is_type(o, json_type_array))
                        next = json_object_array_get_idx(o, (size_t) atoi(k));
                else if (!json_object_object_get_ex(o, k, &next))
                        next = NULL;
                o = next;
        }
        return o;
}

static const char *str_at(json_object *o, const char *path) {
        json_object *v = at(o, path);
        return v ? json_object_get_string(v) : "(absent)";
}

static bool has_namespace(json_object *spec, const char *type) {
        json_object *ns = at(spec, "linux.namespaces");
        for (size_t i = 0; ns && i < json_object_array_length(ns); i++)
                if (streq(str_at(json_object_array_get_idx(ns, i), "type"), type))
                        return true;
        return false;
}

static bool has_mount(json_object *spec, const char *destination, const char *source) {
        json_object *m = at(spec, "mounts");
        for (size_t i = 0; m && i < json_object_array_length(m); i++) {
                json_object *e = json_object_array_get_idx(m, i);
                if (streq(str_at(e, "destination"), destination) && streq(str_at(e, "source"), source))
                        return true;
        }
        return false;
}

/* runc's ConvertCPUSharesToCgroupV2Value */
static uint64_t runc_weight(uint64_t shares) {
        return 1 + ((shares - 2) * 9999) / 262142;
}

int main(void) {
        char *entry[] = { "/bin/entry", NULL }, *cmd[] = { "default-arg", NULL };
        char *image_env[] = { "PATH=/bin", "LANG=C", NULL };
        CtrdImage img = {
                .chain_id = (char *) "sha256:x", .entrypoint = entry, .cmd = cmd, .env = image_env
        };
        int r;

        ok(ctrd_name_is_valid("web") && ctrd_name_is_valid("a.b-c_d9"), "plain names are valid");
        ok(!ctrd_name_is_valid("") && !ctrd_name_is_valid("../x") && !ctrd_name_is_valid("a/b") &&
                   !ctrd_name_is_valid("-a") && !ctrd_name_is_valid("a..b") && !ctrd_name_is_valid("a-"),
           "empty names, slashes, dots and separators at the ends or doubled are not");
        char long_name[78];
        memset(long_name, 'a', 77);
        long_name[77] = 0;
        ok(!ctrd_name_is_valid(long_name), "77 characters are too many");

        bool exact = true;
        for (uint64_t w = 1; w <= 10000; w++)
                exact = exact && runc_weight(oci_cpu_weight_to_shares(w)) == w;
        ok(exact, "every cpu.weight 1..10000 comes back out of runc's conversion unchanged");

        CtrdContainerSpec s = { .name = "web" };
        json_object *spec = build(&s, &img, &r);
        ok(spec, "a spec of the image's defaults builds (%d)", r);
        ok(streq(str_at(spec, "process.args.0"), "/bin/entry") &&
                   streq(str_at(spec, "process.args.1"), "default-arg"),
           "args are the image's entrypoint then cmd");
        ok(streq(str_at(spec, "linux.cgroupsPath"), "/containers/web"),
           "the cgroup is /containers/NAME (got %s)", str_at(spec, "linux.cgroupsPath"));
        ok(!at(spec, "linux.resources.memory") && !at(spec, "linux.resources.pids") &&
                   !at(spec, "linux.resources.cpu"),
           "no limit unless asked");
        ok(has_namespace(spec, "network") && has_namespace(spec, "pid") && has_namespace(spec, "mount"),
           "own network, pid and mount namespaces");
        json_object *masked = at(spec, "linux.maskedPaths");
        bool powercap = false;
        for (size_t i = 0; masked && i < json_object_array_length(masked); i++)
                powercap = powercap || streq(json_object_get_string(json_object_array_get_idx(masked, i)),
                                             "/sys/devices/virtual/powercap");
        ok(powercap, "the RAPL energy counters (/sys/devices/virtual/powercap) are masked");
        ok(has_mount(spec, "/proc", "proc") && has_mount(spec, "/sys", "sysfs") &&
                   has_mount(spec, "/dev", "tmpfs"),
           "containerd's default mounts");
        ok(streq(str_at(spec, "root.path"), "rootfs") && streq(str_at(spec, "process.cwd"), "/") &&
                   streq(str_at(spec, "hostname"), "web"),
           "root, cwd and hostname");
        json_object_put(spec);

        char *command[] = { "/bin/sh", "-c", "x", NULL }, *args[] = { "a1", NULL },
             *env[] = { "LANG=de", "X=1", NULL };
        CtrdMount mounts[] = { { .source = "/var/data", .destination = "/data", .readonly = true } };
        s = (CtrdContainerSpec){
                .name = "job",
                .command = command,
                .env = env,
                .mounts = mounts,
                .n_mounts = 1,
                .host_network = true,
                .cgroup_parent = "/t",
                .memory_max = 64 << 20,
                .pids_max = 32,
                .cpu_quota_usec = 50000,
                .cpu_period_usec = 100000,
                .cpu_weight = 100,
        };
        spec = build(&s, &img, &r);
        ok(spec, "a spec with every setting builds (%d)", r);
        ok(streq(str_at(spec, "process.args.0"), "/bin/sh") && !at(spec, "process.args.3"),
           "command replaces the entrypoint and drops the image's cmd");
        ok(streq(str_at(spec, "process.env.0"), "PATH=/bin") &&
                   streq(str_at(spec, "process.env.1"), "LANG=de") &&
                   streq(str_at(spec, "process.env.2"), "X=1") && !at(spec, "process.env.3"),
           "env replaces the image's LANG and adds X");
        ok(json_object_get_int64(at(spec, "linux.resources.memory.limit")) == 64 << 20 &&
                   json_object_get_int64(at(spec, "linux.resources.pids.limit")) == 32,
           "memory and pids limits");
        ok(json_object_get_int64(at(spec, "linux.resources.cpu.quota")) == 50000 &&
                   json_object_get_int64(at(spec, "linux.resources.cpu.period")) == 100000 &&
                   runc_weight((uint64_t) json_object_get_int64(at(spec, "linux.resources.cpu.shares"))) ==
                           100,
           "cpu.max and cpu.weight");
        ok(!has_namespace(spec, "network"), "host network: no network namespace");
        ok(has_mount(spec, "/data", "/var/data") && streq(str_at(spec, "linux.cgroupsPath"), "/t/job"),
           "the bind mount and the cgroup parent");
        json_object_put(spec);

        s.command = NULL;
        s.args = args;
        spec = build(&s, &img, &r);
        ok(spec && streq(str_at(spec, "process.args.0"), "/bin/entry") &&
                   streq(str_at(spec, "process.args.1"), "a1"),
           "args replace the image's cmd and keep its entrypoint");
        json_object_put(spec);

        CtrdImage bare = { .chain_id = (char *) "sha256:x" };
        s = (CtrdContainerSpec){ .name = "x" };
        ok(!build(&s, &bare, &r) && r == -ENOEXEC, "no program anywhere: -ENOEXEC");
        s = (CtrdContainerSpec){ .name = "../x" };
        ok(!build(&s, &img, &r) && r == -EINVAL, "a bad name: -EINVAL");
        CtrdMount bad[] = { { .source = "/var/../etc", .destination = "/x" } };
        s = (CtrdContainerSpec){ .name = "x", .mounts = bad, .n_mounts = 1 };
        ok(!build(&s, &img, &r) && r == -EINVAL, "a mount source with ..: -EINVAL");
        {
                /* A folder a container could write into, holding a symlink to /. */
                char dir[] = "/tmp/test-oci-spec.XXXXXX", link[64], below[80];
                ok(mkdtemp(dir) != NULL, "a scratch folder");
                snprintf(link, sizeof(link), "%s/link", dir);
                snprintf(below, sizeof(below), "%s/link/etc", dir);
                ok(symlink("/", link) == 0, "a symlink to / in it");
                CtrdMount via[] = { { .source = link, .destination = "/x" } };
                s = (CtrdContainerSpec){ .name = "x", .mounts = via, .n_mounts = 1 };
                ok(!build(&s, &img, &r) && r == -ELOOP, "a mount source that is a symlink: -ELOOP");
                via[0].source = below;
                ok(!build(&s, &img, &r) && r == -ELOOP, "a mount source below a symlink: -ELOOP");
                via[0].source = dir;
                json_object *o = build(&s, &img, &r);
                ok(o && has_mount(o, "/x", dir), "a real folder is mounted");
                json_object_put(o);
                (void) unlink(link);
                (void) rmdir(dir);
        }
        {
                /* The image's User: numbers kept, a non-root process without
                 * effective or permitted capabilities; a name stays root. */
                CtrdImage u = img;
                json_object *o;
                s = (CtrdContainerSpec){ .name = "x" };
                u.user = (char *) "1000:1001";
                o = build(&s, &u, &r);
                ok(o && streq(str_at(o, "process.user.uid"), "1000") &&
                           streq(str_at(o, "process.user.gid"), "1001"),
                   "User 1000:1001: uid 1000, gid 1001");
                ok(o && json_object_array_length(at(o, "process.capabilities.effective")) == 0 &&
                           json_object_array_length(at(o, "process.capabilities.permitted")) == 0 &&
                           json_object_array_length(at(o, "process.capabilities.bounding")) > 0,
                   "not root: capabilities in the bounding set only");
                json_object_put(o);
                u.user = (char *) "65534";
                o = build(&s, &u, &r);
                ok(o && streq(str_at(o, "process.user.uid"), "65534") &&
                           streq(str_at(o, "process.user.gid"), "0"),
                   "User 65534: uid 65534, gid 0");
                json_object_put(o);
                uint32_t uid, gid;
                u.user = (char *) "nobody";
                o = build(&s, &u, &r);
                ok(o && streq(str_at(o, "process.user.uid"), "0") &&
                           json_object_array_length(at(o, "process.capabilities.effective")) > 0 &&
                           oci_user_parse(u.user, &uid, &gid) == -EOPNOTSUPP &&
                           oci_user_parse("1:staff", &uid, &gid) == -EOPNOTSUPP,
                   "a name: root (-EOPNOTSUPP from oci_user_parse)");
                json_object_put(o);
                u.user = (char *) "4294967295";
                ok(!build(&s, &u, &r) && r == -EINVAL, "User (uid_t) -1: -EINVAL");
        }
        s = (CtrdContainerSpec){ .name = "x", .cpu_quota_usec = 1000, .cpu_period_usec = 10 };
        ok(!build(&s, &img, &r) && r == -EINVAL, "a cpu period under 1 ms: -EINVAL");
        s = (CtrdContainerSpec){ .name = "x", .cgroup_parent = "/containers/../system" };
        ok(!build(&s, &img, &r) && r == -EINVAL, "a cgroup parent with ..: -EINVAL");

        CtrdImage parsed = {};
        r = ctrd_image_parse_info(
                "{\"chainID\":\"sha256:c\",\"imageSpec\":{\"config\":{\"Entrypoint\":[\"/e\"],"
                "\"Cmd\":[\"a\",\"b\"],\"Env\":[\"PATH=/bin\"],\"WorkingDir\":\"/w\",\"User\":\"7:8\"}}}",
                &parsed);
        ok(r == 0 && streq(parsed.chain_id, "sha256:c") && streq(parsed.entrypoint[0], "/e") &&
                   streq(parsed.cmd[1], "b") && !parsed.cmd[2] && streq(parsed.env[0], "PATH=/bin") &&
                   streq(parsed.workdir, "/w") && streq(parsed.user, "7:8"),
           "CRI's image info: chain id, entrypoint, cmd, env, workdir, user");
        ctrd_image_done(&parsed);
        r = ctrd_image_parse_info("{\"chainID\":\"sha256:c\",\"imageSpec\":{}}", &parsed);
        ok(r == 0 && !parsed.entrypoint && !parsed.cmd && !parsed.workdir, "an image without config");
        ctrd_image_done(&parsed);
        ok(ctrd_image_parse_info("{\"imageSpec\":{}}", &parsed) == -EBADMSG &&
                   ctrd_image_parse_info("not json", &parsed) == -EBADMSG &&
                   ctrd_image_parse_info("{\"chainID\":\"c\",\"imageSpec\":{\"config\":{\"Cmd\":[1]}}}",
                                         &parsed) == -EBADMSG,
           "no chain id, not JSON, a cmd of numbers: -EBADMSG");
        char a[] = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             b[] = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
             cc[] = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
        char *ids[] = { a, b, cc }, chain[72];
        ok(ctrd_chain_id(ids, 1, chain) == 0 && streq(chain, a), "one layer: the chain id is its diff id");
        ok(ctrd_chain_id(ids, 3, chain) == 0 &&
                   streq(chain, "sha256:c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588"),
           "three layers: sha256(sha256(A B) C), as the OCI image spec defines ChainID");
        char *not_sha[] = { a, (char *) "md5:x" };
        ok(ctrd_chain_id(not_sha, 2, chain) == -EINVAL, "a diff id that is no sha256 digest: -EINVAL");
        char *null_id[] = { a, NULL };
        ok(ctrd_chain_id(null_id, 2, chain) == -EINVAL, "a diff id that is JSON null (NULL): -EINVAL");
        return tap_done();
}
