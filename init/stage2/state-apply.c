/* SPDX-License-Identifier: MIT */
#include "state-apply.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot-contract.h"
#include "fileio.h"
#include "fs-util.h"
#include "macro.h"
#include "state-record.h"
#include "state-registry.h"
#include "strv.h"

#define TEMP_NAME ".berth-new"
/* The sysctl list is name, value, name, value, ..., NULL. */
#define STRV_FOREACH_PAIR(n, v, l) \
        for (char **n = (l), **v = n ? n + 1 : NULL; n && *n && *v; n += 2, v = n + 1)

_printf_(3, 4) static int fail(char *why, size_t why_size, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(why, why_size, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static int open_beneath(int dirfd, const char *name, int flags) {
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        long fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));

        return fd < 0 ? -errno : (int) fd;
}

/* Opens the folder rel (relative, normalized) below rootfd one part at a
 * time, never through a symlink (-ELOOP) nor out of rootfd. create: missing
 * folders are made (0755); otherwise a missing part returns -ENOENT, as
 * nothing below it can be a symlink. */
static int open_folder(int rootfd, const char *rel, bool create) {
        _cleanup_free_ char *copy = strdup(rel);
        _cleanup_close_ int cur = -EBADF;
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return -errno;
        for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
                int fd = open_beneath(cur, part, O_PATH | O_DIRECTORY);
                if (fd == -ENOENT && create) {
                        if (mkdirat(cur, part, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        fd = open_beneath(cur, part, O_PATH | O_DIRECTORY);
                }
                if (fd < 0)
                        return fd;
                safe_close(cur);
                cur = fd;
        }
        return TAKE_FD(cur);
}

/* "/etc/a/b" -> folder "a" and name "b", both below /etc. */
static int split_etc(const char *path, char **ret_dir, const char **ret_name) {
        const char *rel = path + strlen("/etc/"), *slash = strrchr(rel, '/');

        *ret_dir = slash ? strndup(rel, (size_t) (slash - rel)) : strdup(".");
        *ret_name = slash ? slash + 1 : rel;
        return *ret_dir ? 0 : -ENOMEM;
}

/* The file's folders lie below /etc without a symlink, and the file, if it
 * is there, is no folder. */
static int check_file(int etcfd, const char *path, char *why, size_t why_size) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *name;
        struct stat st;

        if (split_etc(path, &dir, &name) < 0)
                return -ENOMEM;
        fd = open_folder(etcfd, dir, false);
        if (fd == -ENOENT)
                return 0;
        if (fd == -ELOOP || fd == -EXDEV)
                return fail(why, why_size, "%s: leads through a symlink (refused: it could leave /etc)",
                            path);
        if (fd < 0)
                return fail(why, why_size, "%s: %s", path, strerror(-fd));
        if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
                return fail(why, why_size, "%s: is a folder", path);
        return 0;
}

/* Everything the document needs, before anything is changed. */
static int state_check(const HostState *s, int etcfd, char *why, size_t why_size) {
        char path[PATH_MAX];
        int r;

        STRV_FOREACH_PAIR(name, value, s->sysctl) {
                _cleanup_close_ int fd = -EBADF;
                if (sysctl_name_to_path(*name, path, sizeof(path)) < 0)
                        return fail(why, why_size, "sysctl %s: not a /proc/sys name", *name);
                fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        return fail(why, why_size, "sysctl %s: %s: %s", *name, path, strerror(errno));
        }
        for (size_t i = 0; i < s->n_files; i++) {
                r = check_file(etcfd, s->files[i].path, why, why_size);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < s->n_registries; i++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "/etc/%s/%s/hosts.toml", REGISTRY_CERTS_D, s->registries[i].host) < 0)
                        return -ENOMEM;
                r = check_file(etcfd, p, why, why_size);
                if (r < 0)
                        return r;
        }
        r = check_file(etcfd, "/etc/hostname", why, why_size);
        return r;
}

/* Whether the file at fd already holds data with the mode and owners. */
static bool file_same(int dirfd, const char *name, const void *data, size_t size, mode_t mode, uid_t uid,
                      gid_t gid) {
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t got = 0;

        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 07777) != mode ||
            st.st_uid != uid || st.st_gid != gid || (size_t) st.st_size != size)
                return false;
        buf = malloc(size + 1);
        if (!buf)
                return false;
        while (got < size) {
                ssize_t n = read(fd, buf + got, size - got);
                if (n <= 0)
                        return false;
                got += (size_t) n;
        }
        return memcmp(buf, data, size) == 0;
}

/* Writes /etc/<rel> as a temporary file beside it, then renames it over. */
static int write_etc(int etcfd, const char *path, const void *data, size_t size, mode_t mode, uid_t uid,
                     gid_t gid, char *why, size_t why_size) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int dfd = -EBADF, fd = -EBADF;
        const char *name;
        size_t done = 0;

        if (split_etc(path, &dir, &name) < 0)
                return -ENOMEM;
        dfd = open_folder(etcfd, dir, true);
        if (dfd < 0)
                return fail(why, why_size, "%s: %s", path,
                            dfd == -ELOOP ? "leads through a symlink" : strerror(-dfd));
        if (file_same(dfd, name, data, size, mode, uid, gid))
                return 0;
        /* O_PATH fds cannot be written through: a real one for the file's folder. */
        int wdir = open_beneath(dfd, ".", O_RDONLY | O_DIRECTORY);
        if (wdir < 0)
                return fail(why, why_size, "%s: %s", path, strerror(-wdir));
        safe_close(dfd);
        dfd = wdir;
        (void) unlinkat(dfd, TEMP_NAME, 0);
        fd = openat(dfd, TEMP_NAME, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return fail(why, why_size, "%s: %s", path, strerror(errno));
        while (done < size) {
                ssize_t n = write(fd, (const char *) data + done, size - done);
                if (n < 0) {
                        int e = errno;
                        (void) unlinkat(dfd, TEMP_NAME, 0);
                        return fail(why, why_size, "%s: %s", path, strerror(e));
                }
                done += (size_t) n;
        }
        if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0 ||
            renameat(dfd, TEMP_NAME, dfd, name) < 0) {
                int e = errno;
                (void) unlinkat(dfd, TEMP_NAME, 0);
                return fail(why, why_size, "%s: %s", path, strerror(e));
        }
        (void) fsync(dfd);
        return 1;
}

static int remove_etc(int etcfd, const char *path) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int dfd = -EBADF;
        const char *name;

        if (split_etc(path, &dir, &name) < 0)
                return -ENOMEM;
        dfd = open_folder(etcfd, dir, false);
        if (dfd == -ENOENT)
                return 0;
        if (dfd < 0)
                return dfd;
        /* unlinkat() wants a real folder fd, not O_PATH's. */
        int wdir = open_beneath(dfd, ".", O_RDONLY | O_DIRECTORY);
        if (wdir < 0)
                return wdir;
        int r = unlinkat(wdir, name, 0) < 0 && errno != ENOENT ? -errno : 0;
        safe_close(wdir);
        return r;
}

static const char *sysctl_prev(const HostState *prev, const char *name) {
        if (!prev)
                return NULL;
        STRV_FOREACH_PAIR(n, v, prev->sysctl)
        if (streq(*n, name))
                return *v;
        return NULL;
}

static int apply_registry(int etcfd, const HostStateRegistry *r, char *why, size_t why_size) {
        _cleanup_free_ char *hosts = NULL, *ca = NULL, *toml = NULL;
        int k;

        if (asprintf(&hosts, "/etc/%s/%s/hosts.toml", REGISTRY_CERTS_D, r->host) < 0 ||
            asprintf(&ca, "/etc/%s/%s/%s", REGISTRY_CERTS_D, r->host, REGISTRY_CA_NAME) < 0)
                return -ENOMEM;
        if (r->ca) {
                k = write_etc(etcfd, ca, r->ca, strlen(r->ca), 0644, 0, 0, why, why_size);
                if (k < 0)
                        return k;
        } else if (remove_etc(etcfd, ca) < 0)
                return fail(why, why_size, "%s: cannot remove it", ca);
        if (registry_hosts_toml(r, r->ca ? ca : NULL, &toml) < 0)
                return -ENOMEM;
        k = write_etc(etcfd, hosts, toml, strlen(toml), 0644, 0, 0, why, why_size);
        return k < 0 ? k : 0;
}

static int remove_registry(int etcfd, const char *host) {
        _cleanup_free_ char *hosts = NULL, *ca = NULL, *dir = NULL;
        _cleanup_close_ int dfd = -EBADF;

        if (asprintf(&hosts, "/etc/%s/%s/hosts.toml", REGISTRY_CERTS_D, host) < 0 ||
            asprintf(&ca, "/etc/%s/%s/%s", REGISTRY_CERTS_D, host, REGISTRY_CA_NAME) < 0)
                return -ENOMEM;
        if (remove_etc(etcfd, hosts) < 0 || remove_etc(etcfd, ca) < 0)
                return -EIO;
        dfd = open_folder(etcfd, REGISTRY_CERTS_D, false);
        if (dfd >= 0) {
                int wdir = open_beneath(dfd, ".", O_RDONLY | O_DIRECTORY);
                if (wdir >= 0) {
                        (void) unlinkat(wdir, host, AT_REMOVEDIR); /* only when empty */
                        safe_close(wdir);
                }
        }
        return 0;
}

static int record_save(char **entries) {
        _cleanup_free_ char *text = state_record_format(entries);

        if (!text)
                return -ENOMEM;
        (void) mkdir_p("/run/berth", 0755);
        return write_file_atomic(STATE_RECORD_PATH, text, strlen(text), 0600);
}

int state_apply(const HostState *prev, const HostState *s, char *why, size_t why_size, bool *ret_changed) {
        _cleanup_strv_free_ char **old = NULL, **now = NULL, **stale = NULL;
        _cleanup_free_ char *text = NULL, *auth = NULL;
        _cleanup_close_ int etcfd = -EBADF;
        char path[PATH_MAX], current[HOST_NAME_MAX + 1] = "";
        int r;

        *ret_changed = false;
        why[0] = 0;
        etcfd = open("/etc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (etcfd < 0)
                return fail(why, why_size, "/etc: %s", strerror(errno));
        r = state_check(s, etcfd, why, why_size);
        if (r < 0)
                return r;
        if (read_full_file(STATE_RECORD_PATH, 1 << 20, &text, NULL) < 0)
                text = NULL;
        if (state_record_parse(text ?: "", &old) < 0 || state_record_of(s, &now) < 0 ||
            state_record_stale(old, now, &stale) < 0)
                return -ENOMEM;

        /* From here on the host changes. */
        *ret_changed = true;
        if (s->hostname) {
                (void) gethostname(current, sizeof(current) - 1);
                if (!streq(current, s->hostname) && sethostname(s->hostname, strlen(s->hostname)) < 0)
                        return fail(why, why_size, "hostname %s: %s", s->hostname, strerror(errno));
                _cleanup_free_ char *line = NULL;
                if (asprintf(&line, "%s\n", s->hostname) < 0)
                        return -ENOMEM;
                r = write_etc(etcfd, "/etc/hostname", line, strlen(line), 0644, 0, 0, why, why_size);
                if (r < 0)
                        return r;
        }
        STRV_FOREACH_PAIR(name, value, s->sysctl) {
                const char *was = sysctl_prev(prev, *name);
                _cleanup_close_ int fd = -EBADF;

                if (was && streq(was, *value))
                        continue;
                (void) sysctl_name_to_path(*name, path, sizeof(path));
                fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0 || write(fd, *value, strlen(*value)) != (ssize_t) strlen(*value))
                        return fail(why, why_size, "sysctl %s = %s: %s", *name, *value, strerror(errno));
        }
        /* What may be on disk while this runs: the old record and the new one. */
        if (state_record_merge(&old, now) < 0)
                return -ENOMEM;
        r = record_save(old);
        if (r < 0)
                return fail(why, why_size, "%s: %s", STATE_RECORD_PATH, strerror(-r));
        for (size_t i = 0; i < s->n_files; i++) {
                const HostStateFile *f = &s->files[i];
                r = write_etc(etcfd, f->path, f->content ?: "", f->content_size, f->mode, (uid_t) f->owner,
                              (gid_t) f->group, why, why_size);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < s->n_registries; i++) {
                r = apply_registry(etcfd, &s->registries[i], why, why_size);
                if (r < 0)
                        return r;
        }
        STRV_FOREACH (e, stale) {
                const char *a = *e;
                r = 0;
                if ((a = state_record_arg(*e, "file")))
                        r = remove_etc(etcfd, a);
                else if ((a = state_record_arg(*e, "registry")))
                        r = remove_registry(etcfd, a);
                if (r < 0)
                        return fail(why, why_size, "cannot remove %s: %s", a, strerror(-r));
        }
        r = record_save(now);
        if (r < 0)
                return fail(why, why_size, "%s: %s", STATE_RECORD_PATH, strerror(-r));

        /* Credentials for the container runner: root's only. */
        if (registry_auth_json(s, &auth) < 0)
                return -ENOMEM;
        if (auth) {
                r = write_file_atomic(BERTH_REGISTRY_AUTH_PATH, auth, strlen(auth), 0600);
                if (r < 0)
                        return fail(why, why_size, "%s: %s", BERTH_REGISTRY_AUTH_PATH, strerror(-r));
        } else if (unlink(BERTH_REGISTRY_AUTH_PATH) < 0 && errno != ENOENT)
                return fail(why, why_size, "%s: %s", BERTH_REGISTRY_AUTH_PATH, strerror(errno));
        return 0;
}
