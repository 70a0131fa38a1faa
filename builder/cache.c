/* SPDX-License-Identifier: MIT */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "path-util.h"

char *cache_default_dir(void) {
        /* build-image runs as root (build.c says why): the system's cache
         * folder, shared by every build, test run and CI job on the machine. */
        return strdup("/var/cache/berth");
}

char *cache_path(const Cache *c, const char *kind, const char *key) {
        char *r;
        if (asprintf(&r, "%s/%s%s%s", c->dir, kind, key ? "/" : "", strempty(key)) < 0)
                return NULL;
        return r;
}

#define STALE_PREFIX "tmp.stale-"

/* Removes what earlier builds set aside as STALE_PREFIX-N; what still
 * cannot be removed stays, with a warning. */
static void remove_stale(const Cache *c) {
        DIR *d = opendir(c->dir);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                int r;

                if (strncmp(de->d_name, STALE_PREFIX, strlen(STALE_PREFIX)) != 0)
                        continue;
                p = cache_path(c, de->d_name, NULL);
                if (!p)
                        continue;
                r = rm_rf(p);
                if (r < 0)
                        log_warning_errno(r, "Cannot remove '%s' (kept): %m", p);
                else
                        log_info("Removed '%s', set aside by an earlier build.", p);
        }
        closedir(d);
}

/* Empties tmp/, left by a build that died. What cannot be removed (a tree
 * too deep for the file descriptors, a mount left inside) is renamed aside
 * to tmp.stale-N, so that one bad tree does not refuse every later build;
 * the next clean that succeeds removes it. */
static int clean_tmp(const Cache *c, const char *tmpdir) {
        int r = rm_rf(tmpdir);

        if (r >= 0) {
                remove_stale(c);
                return 0;
        }
        log_warning_errno(r, "Cannot clean '%s': %m", tmpdir);
        for (unsigned n = 1; n < 1000; n++) {
                _cleanup_free_ char *stale = NULL;

                if (asprintf(&stale, "%s/" STALE_PREFIX "%u", c->dir, n) < 0)
                        return log_oom();
                if (renameat2(AT_FDCWD, tmpdir, AT_FDCWD, stale, RENAME_NOREPLACE) == 0) {
                        log_warning("Set '%s' aside as '%s'; a later build removes it.", tmpdir, stale);
                        if (mkdir(tmpdir, 0755) < 0)
                                return log_error_errno(errno, "Cannot create '%s': %m", tmpdir);
                        return 0;
                }
                if (errno != EEXIST)
                        return log_error_errno(errno, "Cannot clean '%s' nor rename it to '%s': %m", tmpdir,
                                               stale);
        }
        return log_error_errno(EEXIST, "Cannot clean '%s', and too many tmp.stale-N already.", tmpdir);
}

int cache_open(const char *dir, Cache **ret) {
        static const char *const kinds[] = { "apt", "resolve", "trees", "initramfs", "tmp" };
        _cleanup_(cache_closep) Cache *c = calloc(1, sizeof(Cache));
        _cleanup_free_ char *lock = NULL, *tmpdir = NULL;
        int r;

        if (!c)
                return log_oom();
        c->lock_fd = -EBADF;
        c->dir = strdup(dir);
        if (!c->dir)
                return log_oom();
        /* Private to root: cached trees hold every package's setuid-root
         * binaries (old, vulnerable versions too), which no local user may
         * reach. Made so, and a cache made 0755 by an older build-image is
         * closed when opened. */
        r = mkdir_p(dir, 0700);
        if (r < 0)
                return log_error_errno(r, "Cannot create the cache folder '%s': %m", dir);
        {
                struct stat st;
                if (stat(dir, &st) < 0)
                        return log_error_errno(errno, "Cannot open the cache folder '%s': %m", dir);
                /* Whoever owns it could swap what the build reads and writes there. */
                if (st.st_uid != geteuid())
                        return log_error_errno(EPERM,
                                               "The cache folder '%s' belongs to uid %u, not to the user "
                                               "running the build (%u).",
                                               dir, (unsigned) st.st_uid, (unsigned) geteuid());
                if ((st.st_mode & 07777) != 0700 && chmod(dir, 0700) < 0)
                        return log_error_errno(errno, "Cannot make the cache folder '%s' private: %m", dir);
        }
        for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
                _cleanup_free_ char *p = cache_path(c, kinds[i], NULL);
                if (!p)
                        return log_oom();
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return log_error_errno(errno, "Cannot create '%s': %m", p);
        }

        lock = cache_path(c, "lock", NULL);
        if (!lock)
                return log_oom();
        c->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (c->lock_fd < 0)
                return log_error_errno(errno, "Cannot open '%s': %m", lock);
        if (flock(c->lock_fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno != EWOULDBLOCK)
                        return log_error_errno(errno, "Cannot lock '%s': %m", lock);
                log_info("Waiting for another build to release the cache %s ...", dir);
                if (flock(c->lock_fd, LOCK_EX) < 0)
                        return log_error_errno(errno, "Cannot lock '%s': %m", lock);
        }

        /* We hold the lock: whatever is in tmp/ was left by a build that died. */
        tmpdir = cache_path(c, "tmp", NULL);
        if (!tmpdir)
                return log_oom();
        r = clean_tmp(c, tmpdir);
        if (r < 0)
                return r;
        if (asprintf(&c->tmp, "%s/build-%d", tmpdir, (int) getpid()) < 0)
                return log_oom();
        r = mkdir_p(c->tmp, 0755);
        if (r < 0)
                return log_error_errno(r, "Cannot create '%s': %m", c->tmp);

        *ret = TAKE_PTR(c);
        return 0;
}

Cache *cache_close(Cache *c) {
        if (!c)
                return NULL;
        if (c->tmp)
                (void) rm_rf(c->tmp);
        free(c->tmp);
        (void) safe_close(c->lock_fd);
        free(c->dir);
        free(c);
        return NULL;
}

void cache_touch_and_evict(const Cache *c, const char *kind, const char *key, unsigned keep) {
        _cleanup_free_ char *dir = cache_path(c, kind, NULL), *entry = cache_path(c, kind, key);
        struct {
                char name[256];
                time_t mtime;
        } items[64];
        size_t n = 0;
        DIR *d;
        struct dirent *de;

        if (!dir || !entry)
                return;
        (void) utimensat(AT_FDCWD, entry, NULL, AT_SYMLINK_NOFOLLOW);

        d = opendir(dir);
        if (!d)
                return;
        while ((de = readdir(d)) && n < ARRAY_SIZE(items)) {
                struct stat st;
                size_t len = strlen(de->d_name);
                /* KEY.meta belongs to KEY and goes with it. */
                if (de->d_name[0] == '.' || (len > 5 && streq(de->d_name + len - 5, ".meta")) ||
                    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                snprintf(items[n].name, sizeof(items[n].name), "%s", de->d_name);
                items[n++].mtime = st.st_mtime;
        }
        closedir(d);

        /* Drop the oldest until `keep` remain; n is small, selection is fine. */
        while (n > keep) {
                size_t oldest = 0;
                for (size_t i = 1; i < n; i++)
                        if (items[i].mtime < items[oldest].mtime)
                                oldest = i;
                _cleanup_free_ char *p = path_join(dir, items[oldest].name), *meta = NULL;
                if (p && !streq(items[oldest].name, key) && asprintf(&meta, "%s.meta", p) >= 0) {
                        log_debug("cache: evicting %s", p);
                        (void) rm_rf(meta);
                        (void) rm_rf(p);
                }
                items[oldest] = items[--n];
        }
}
