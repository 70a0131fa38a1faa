/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "oci-spec.h"

bool ctrd_name_is_valid(const char *name) {
        size_t n = strlen(name);
        if (n == 0 || n > 76)
                return false;
        for (size_t i = 0; i < n; i++) {
                char ch = name[i];
                bool alnum =
                        (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
                if (alnum)
                        continue;
                /* a separator needs an alphanumeric on both sides */
                if (!strchr("._-", ch) || i == 0 || i == n - 1 || strchr("._-", name[i + 1]))
                        return false;
        }
        return true;
}

uint64_t oci_cpu_weight_to_shares(uint64_t weight) {
        if (weight == 0)
                return 0;
        /* runc: weight = 1 + (shares - 2) * 9999 / 262142, rounded down */
        return 2 + ((weight - 1) * 262142 + 9998) / 9999;
}

/* json-c's adders take ownership; a NULL from a constructor is out of memory. */
static int add(json_object *o, const char *key, json_object *v) {
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int push(json_object *a, json_object *v) {
        if (!v || json_object_array_add(a, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static json_object *strv_json(const char *const *l) {
        json_object *a = json_object_new_array();
        for (; a && l && *l; l++)
                if (push(a, json_object_new_string(*l)) < 0) {
                        json_object_put(a);
                        return NULL;
                }
        return a;
}

static const char *const default_caps[] = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_FSETID",
        "CAP_FOWNER",
        "CAP_MKNOD",
        "CAP_NET_RAW",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETFCAP",
        "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT",
        "CAP_KILL",
        "CAP_AUDIT_WRITE",
        NULL,
};
static const char *const masked_paths[] = {
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/sys/firmware",
        "/proc/scsi",
        /* RAPL energy counters, a side channel (CVE-2020-8694): masked by
         * docker and by Kubernetes' default, not by containerd 1.6's spec. */
        "/sys/devices/virtual/powercap",
        NULL,
};
static const char *const readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};
static const struct {
        const char *destination, *type, *source;
        const char *const options[7];
} default_mounts[] = {
        { "/proc", "proc", "proc", { "nosuid", "noexec", "nodev" } },
        { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k" } },
        { "/dev/pts",
          "devpts",
          "devpts",
          { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
        { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
        { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev" } },
        { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro" } },
        { "/run", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k" } },
};

static json_object *mount_json(const char *destination, const char *type, const char *source,
                               const char *const *options) {
        json_object *m = json_object_new_object();
        if (!m || add(m, "destination", json_object_new_string(destination)) < 0 ||
            add(m, "type", json_object_new_string(type)) < 0 ||
            add(m, "source", json_object_new_string(source)) < 0 ||
            add(m, "options", strv_json(options)) < 0) {
                json_object_put(m);
                return NULL;
        }
        return m;
}

static bool path_is_clean_absolute(const char *p) {
        if (!p || p[0] != '/')
                return false;
        for (const char *s = p; *s;) {
                while (*s == '/')
                        s++;
                size_t n = strcspn(s, "/");
                if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
                        return false;
                s += n;
        }
        return true;
}

/* One part at a time with O_NOFOLLOW (not openat2's RESOLVE_NO_SYMLINKS,
 * which valgrind does not know). */
int oci_mount_source_check(const char *source) {
        _cleanup_close_ int cur = -EBADF;
        char part[256];

        if (!source || source[0] != '/')
                return -EINVAL;
        cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0)
                return -errno;
        for (const char *p = source; *p;) {
                struct stat st;
                p += strspn(p, "/");
                size_t n = strcspn(p, "/");
                if (n == 0)
                        break;
                if (n >= sizeof(part) || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return -EINVAL;
                memcpy(part, p, n);
                part[n] = 0;
                p += n;
                int fd = openat(cur, part, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return errno == ENOENT ? 0 : -errno;
                safe_close(cur);
                cur = fd;
                if (fstat(cur, &st) < 0)
                        return -errno;
                if (S_ISLNK(st.st_mode))
                        return -ELOOP;
        }
        return 0;
}

static int build_mounts(json_object *spec, const CtrdContainerSpec *s) {
        json_object *mounts = json_object_new_array();
        int r = add(spec, "mounts", mounts);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ARRAY_SIZE(default_mounts); i++)
                if ((r = push(mounts, mount_json(default_mounts[i].destination, default_mounts[i].type,
                                                 default_mounts[i].source, default_mounts[i].options))) < 0)
                        return r;
        /* On the host's network the host's name service files come along,
         * as containerd's WithHostResolvconf and WithHostHostsFile do. */
        if (s->host_network) {
                static const char *const ro[] = { "rbind", "ro", NULL };
                static const char *const files[] = { "/etc/resolv.conf", "/etc/hosts" };
                for (size_t i = 0; i < ARRAY_SIZE(files); i++)
                        if (access(files[i], F_OK) == 0 &&
                            (r = push(mounts, mount_json(files[i], "bind", files[i], ro))) < 0)
                                return r;
        }
        for (size_t i = 0; i < s->n_mounts; i++) {
                const CtrdMount *m = &s->mounts[i];
                static const char *const opt_ro[] = { "rbind", "ro", NULL }, *const opt_rw[] = { "rbind",
                                                                                                 "rw",
                                                                                                 NULL };
                if (!path_is_clean_absolute(m->source) || !path_is_clean_absolute(m->destination))
                        return -EINVAL;
                if ((r = oci_mount_source_check(m->source)) < 0)
                        return r;
                if ((r = push(mounts, mount_json(m->destination, "bind", m->source,
                                                 m->readonly ? opt_ro : opt_rw))) < 0)
                        return r;
        }
        return 0;
}

/* The image's environment with `env` over it: a KEY of `env` replaces the
 * image's KEY (the first of two equal keys would win in getenv()). */
static json_object *env_json(char *const *image_env, char *const *env) {
        json_object *a = json_object_new_array();
        if (!a)
                return NULL;
        for (char *const *e = image_env; e && *e; e++) {
                size_t k = strcspn(*e, "=");
                bool replaced = false;
                for (char *const *o = env; o && *o && !replaced; o++)
                        replaced = strncmp(*o, *e, k) == 0 && (*o)[k] == '=';
                if (!replaced && push(a, json_object_new_string(*e)) < 0)
                        goto fail;
        }
        for (char *const *o = env; o && *o; o++)
                if (push(a, json_object_new_string(*o)) < 0)
                        goto fail;
        return a;
fail:
        json_object_put(a);
        return NULL;
}

static int parse_id(const char *s, size_t len, uint32_t *ret) {
        uint64_t v = 0;
        if (len == 0 || len > 10)
                return -EOPNOTSUPP;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EOPNOTSUPP;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        if (v >= UINT32_MAX) /* (uid_t) -1 is no user */
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

int oci_user_parse(const char *user, uint32_t *ret_uid, uint32_t *ret_gid) {
        uint32_t uid = 0, gid = 0;
        if (user && *user) {
                size_t n = strcspn(user, ":");
                int r = parse_id(user, n, &uid);
                if (r < 0)
                        return r;
                if (user[n] && (r = parse_id(user + n + 1, strlen(user + n + 1), &gid)) < 0)
                        return r;
        }
        *ret_uid = uid;
        *ret_gid = gid;
        return 0;
}

static int build_process(json_object *spec, const CtrdContainerSpec *s, const CtrdImage *img) {
        json_object *p = json_object_new_object(), *args, *o;
        int r = add(spec, "process", p);
        if (r < 0 || (r = add(p, "args", args = json_object_new_array())) < 0)
                return r;
        /* Kubernetes' rule: command replaces the entrypoint and drops the
         * image's cmd; args replace the cmd. */
        char *const *first = s->command ? s->command : img->entrypoint;
        char *const *second = s->args ? s->args : s->command ? NULL : img->cmd;
        for (char *const *a = first; a && *a; a++)
                if ((r = push(args, json_object_new_string(*a))) < 0)
                        return r;
        for (char *const *a = second; a && *a; a++)
                if ((r = push(args, json_object_new_string(*a))) < 0)
                        return r;
        if (json_object_array_length(args) == 0)
                return -ENOEXEC;

        const char *cwd = s->workdir ? s->workdir : img->workdir ? img->workdir : "/";
        if (cwd[0] != '/')
                return -EINVAL;
        if ((r = add(p, "env", env_json(img->env, s->env))) < 0 ||
            (r = add(p, "cwd", json_object_new_string(cwd))) < 0 ||
            (r = add(p, "noNewPrivileges", json_object_new_boolean(1))) < 0)
                return r;
        /* The image's numeric User is kept (a name runs as root: see
         * oci_user_parse), and a process that is not root has capabilities
         * only in its bounding set, as docker gives it. */
        uint32_t uid = 0, gid = 0;
        if (oci_user_parse(img->user, &uid, &gid) == -EINVAL)
                return -EINVAL;
        json_object *user = json_object_new_object();
        if ((r = add(p, "user", user)) < 0 || (r = add(user, "uid", json_object_new_int64(uid))) < 0 ||
            (r = add(user, "gid", json_object_new_int64(gid))) < 0)
                return r;
        json_object *caps = json_object_new_object();
        if ((r = add(p, "capabilities", caps)) < 0)
                return r;
        static const char *const sets[] = { "bounding", "permitted", "effective" };
        static const char *const none[] = { NULL };
        for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
                if ((r = add(caps, sets[i], strv_json(i == 0 || uid == 0 ? default_caps : none))) < 0)
                        return r;
        json_object *rlimits = json_object_new_array();
        if ((r = add(p, "rlimits", rlimits)) < 0 || (r = push(rlimits, o = json_object_new_object())) < 0 ||
            (r = add(o, "type", json_object_new_string("RLIMIT_NOFILE"))) < 0 ||
            (r = add(o, "hard", json_object_new_uint64(1024))) < 0 ||
            (r = add(o, "soft", json_object_new_uint64(1024))) < 0)
                return r;
        return 0;
}

static int build_linux(json_object *spec, const CtrdContainerSpec *s) {
        json_object *l = json_object_new_object(), *o;
        int r = add(spec, "linux", l);
        if (r < 0)
                return r;
        _cleanup_free_ char *cgroup = NULL;
        const char *parent = s->cgroup_parent ? s->cgroup_parent : CTRD_CGROUP_PARENT;
        if (!path_is_clean_absolute(parent))
                return -EINVAL;
        if (asprintf(&cgroup, "%s/%s", streq(parent, "/") ? "" : parent, s->name) < 0)
                return -ENOMEM;
        if ((r = add(l, "cgroupsPath", json_object_new_string(cgroup))) < 0 ||
            (r = add(l, "maskedPaths", strv_json(masked_paths))) < 0 ||
            (r = add(l, "readonlyPaths", strv_json(readonly_paths))) < 0)
                return r;

        json_object *ns = json_object_new_array();
        static const char *const types[] = { "pid", "ipc", "uts", "mount", "network" };
        if ((r = add(l, "namespaces", ns)) < 0)
                return r;
        for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
                if (s->host_network && streq(types[i], "network"))
                        continue;
                if ((r = push(ns, o = json_object_new_object())) < 0 ||
                    (r = add(o, "type", json_object_new_string(types[i]))) < 0)
                        return r;
        }

        /* Limits in the spec's portable form: runc writes memory.max,
         * pids.max, cpu.max and cpu.weight on cgroup v2 (their v1
         * counterparts on v1). Every device is denied but runc's defaults
         * (null, zero, full, random, urandom, tty, ptmx). */
        json_object *res = json_object_new_object(), *dev;
        if ((r = add(l, "resources", res)) < 0 ||
            (r = add(res, "devices", dev = json_object_new_array())) < 0 ||
            (r = push(dev, o = json_object_new_object())) < 0 ||
            (r = add(o, "allow", json_object_new_boolean(0))) < 0 ||
            (r = add(o, "access", json_object_new_string("rwm"))) < 0)
                return r;
        if (s->memory_max) {
                if (s->memory_max > INT64_MAX)
                        return -EINVAL;
                if ((r = add(res, "memory", o = json_object_new_object())) < 0 ||
                    (r = add(o, "limit", json_object_new_int64((int64_t) s->memory_max))) < 0)
                        return r;
        }
        if (s->pids_max) {
                if (s->pids_max > INT64_MAX)
                        return -EINVAL;
                if ((r = add(res, "pids", o = json_object_new_object())) < 0 ||
                    (r = add(o, "limit", json_object_new_int64((int64_t) s->pids_max))) < 0)
                        return r;
        }
        if (s->cpu_quota_usec || s->cpu_weight) {
                if (s->cpu_weight > 10000 || s->cpu_quota_usec > INT64_MAX ||
                    (s->cpu_quota_usec && (s->cpu_period_usec < 1000 || s->cpu_period_usec > 1000000)))
                        return -EINVAL;
                if ((r = add(res, "cpu", o = json_object_new_object())) < 0)
                        return r;
                if (s->cpu_quota_usec &&
                    ((r = add(o, "quota", json_object_new_int64((int64_t) s->cpu_quota_usec))) < 0 ||
                     (r = add(o, "period", json_object_new_uint64(s->cpu_period_usec))) < 0))
                        return r;
                if (s->cpu_weight &&
                    (r = add(o, "shares", json_object_new_uint64(oci_cpu_weight_to_shares(s->cpu_weight)))) <
                            0)
                        return r;
        }
        return 0;
}

int oci_spec_build(const CtrdContainerSpec *s, const CtrdImage *img, char **ret) {
        if (!s->name || !ctrd_name_is_valid(s->name))
                return -EINVAL;
        json_object *spec = json_object_new_object();
        if (!spec)
                return -ENOMEM;
        json_object *root;
        int r = add(spec, "ociVersion", json_object_new_string("1.0.2"));
        if (r >= 0 && (r = add(spec, "root", root = json_object_new_object())) >= 0)
                r = add(root, "path", json_object_new_string("rootfs"));
        if (r >= 0 && !s->host_network)
                r = add(spec, "hostname", json_object_new_string(s->name));
        if (r >= 0)
                r = build_process(spec, s, img);
        if (r >= 0)
                r = build_mounts(spec, s);
        if (r >= 0)
                r = build_linux(spec, s);
        if (r >= 0) {
                const char *text = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PLAIN);
                if (!text || !(*ret = strdup(text)))
                        r = -ENOMEM;
        }
        json_object_put(spec);
        return r;
}
