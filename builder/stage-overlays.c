/* SPDX-License-Identifier: MIT */

/* Stage overlays: the recipe's overlay folders are copied, in recipe order,
 * into the delta, the image's own files that the commit lays over the base
 * tree. Paths are usr-merged like a package's (an overlay's /etc goes to
 * /usr/etc, the image's defaults). Later wins: an overlay file replaces a
 * package's file or an earlier overlay's, and the log names each one.
 * Files become root's; modes (setuid included) and file capabilities stay. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cache.h"
#include "dir-walk.h"
#include "log.h"
#include "path-util.h"
#include "sandbox.h"
#include "stages.h"
#include "tree-path.h"
#include "strv.h"
#include "tree.h"
#include "usrmerge.h"

static int copy_data(int in, int out) {
        for (;;) {
                ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
                if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) {
                        char buf[65536];
                        n = read(in, buf, sizeof(buf));
                        if (n > 0 && write(out, buf, (size_t) n) != n)
                                return -EIO;
                }
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
        }
}

static int copy_capability(int in, int out) {
        char buf[256];
        ssize_t n = fgetxattr(in, "security.capability", buf, sizeof(buf));

        if (n < 0)
                return errno == ENODATA || errno == ENOTSUP ? 0 : -errno;
        return fsetxattr(out, "security.capability", buf, (size_t) n, 0) < 0 ? -errno : 0;
}

/* src to name in the delta's folder dir: whatever had the name (a file or
 * symlink of an earlier overlay) is replaced, never written through. */
static int copy_regular(const char *src, int dir, const char *name, mode_t mode) {
        _cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        _cleanup_close_ int out = -EBADF;
        int r;

        if (in < 0)
                return -errno;
        if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
                return -errno;
        out = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (out < 0)
                return -errno;
        r = copy_data(in, out);
        if (r < 0)
                return r;
        /* chown clears setuid bits, so ownership first, mode after. */
        if (fchown(out, 0, 0) < 0 || fchmod(out, mode & 07777) < 0)
                return -errno;
        return copy_capability(in, out);
}

/* One overlay's copy: what its walk needs and counts. */
typedef struct OverlayWalk {
        const char *overlay;
        int base_fd; /* the base tree, its paths resolved in it (tree-path.h) */
        int delta_fd; /* the delta, written with no symlink on the way */
        unsigned long files, replaced;
        int error; /* set, and logged, when the walk stops on a file of the overlay */
} OverlayWalk;

static int map_path(const char *rel, char **ret) {
        _cleanup_free_ char *merged = NULL;
        int r = usrmerge_path(rel, &merged);

        if (r < 0 || !merged) {
                *ret = NULL;
                return r;
        }
        if (streq(merged, "etc") || strncmp(merged, "etc/", 4) == 0)
                return asprintf(ret, "usr/%s", merged) < 0 ? -ENOMEM : 0;
        *ret = TAKE_PTR(merged);
        return 0;
}

static void note_replacement(OverlayWalk *walk, const char *mapped, int dir, const char *name) {
        struct stat st;

        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
                log_info("overlay %s: replaces /%s of an earlier overlay", walk->overlay, mapped);
                walk->replaced++;
        } else if (tree_path_lstat(walk->base_fd, mapped, &st) == 0 && !S_ISDIR(st.st_mode)) {
                log_info("overlay %s: replaces /%s of the packages", walk->overlay, mapped);
                walk->replaced++;
        }
}

static int overlay_one(const WalkEntry *e, void *userdata) {
        OverlayWalk *walk = userdata;
        const char *path = e->path;
        const struct stat *st = e->st;
        _cleanup_free_ char *mapped = NULL, *target = NULL;
        _cleanup_close_ int dir = -EBADF, fd = -EBADF;
        const char *name;
        int r = 0;

        if (e->depth == 0)
                return 0;
        r = map_path(e->rel, &mapped);
        if (r < 0 || !mapped) {
                walk->error = log_error_errno(r < 0 ? r : EINVAL, "overlay %s: refusing '%s'.",
                                              walk->overlay, path);
                return walk->error;
        }
        /* An earlier overlay's symlink does not lead this overlay's files
         * anywhere: no symlink may stand on the way in the delta (-ELOOP). */
        if (e->type == WALK_DIR) {
                /* Parents too: an overlay's /etc lands in /usr/etc, whose /usr may not exist yet. */
                fd = tree_path_mkdir_p_real(walk->delta_fd, mapped, 0755);
                r = fd;
        } else {
                dir = tree_path_open_parent_real(walk->delta_fd, mapped, 0755, &name);
                r = dir;
        }
        if (r == -ELOOP) {
                walk->error = log_error_errno(ELOOP,
                                              "overlay %s: refusing '%s': a symlink of an earlier overlay "
                                              "stands on the way to /%s, and overlays do not write "
                                              "through symlinks.",
                                              walk->overlay, path, mapped);
                return walk->error;
        }

        switch (r < 0 ? -1 : (int) e->type) {
        case -1:
                break;
        case WALK_DIR:
                if (fchown(fd, 0, 0) < 0 || fchmod(fd, st->st_mode & 07777) < 0)
                        r = -errno;
                break;
        case WALK_FILE:
                if (!S_ISREG(st->st_mode)) {
                        walk->error =
                                log_error_errno(EINVAL, "overlay %s: '%s' is not a file, folder or symlink.",
                                                walk->overlay, path);
                        return walk->error;
                }
                note_replacement(walk, mapped, dir, name);
                r = copy_regular(path, dir, name, st->st_mode);
                walk->files++;
                break;
        case WALK_SYMLINK:
                target = calloc(1, (size_t) st->st_size + 1);
                if (!target || readlink(path, target, (size_t) st->st_size + 1) != st->st_size) {
                        r = target ? -errno : -ENOMEM;
                        break;
                }
                note_replacement(walk, mapped, dir, name);
                (void) unlinkat(dir, name, 0);
                if (symlinkat(target, dir, name) < 0 || fchownat(dir, name, 0, 0, AT_SYMLINK_NOFOLLOW) < 0)
                        r = -errno;
                walk->files++;
                break;
        }
        if (r < 0) {
                walk->error = log_error_errno(r, "overlay %s: cannot copy '%s' to /%s: %m", walk->overlay,
                                              path, mapped);
                return walk->error;
        }
        return 0;
}

/* What the sandboxed copy needs. */
typedef struct OverlaysJob {
        const BuildEnv *env;
        const BaseTree *base;
        const Delta *delta;
} OverlaysJob;

static int copy_overlays(void *userdata) {
        const OverlaysJob *job = userdata;
        const BuildEnv *env = job->env;
        const BaseTree *base = job->base;
        const Delta *ret = job->delta;
        const Recipe *recipe = env->recipe;
        _cleanup_close_ int base_fd = -EBADF, delta_fd = -EBADF;

        base_fd = tree_path_open_root(base->path);
        if (base_fd < 0)
                return log_error_errno(base_fd, "Cannot open %s: %m", base->path);
        delta_fd = tree_path_open_root(ret->path);
        if (delta_fd < 0)
                return log_error_errno(delta_fd, "Cannot open %s: %m", ret->path);

        for (size_t i = 0; i < recipe->n_overlays; i++) {
                const RecipeOverlay *o = &recipe->overlays[i];

                if (build_interrupted())
                        return -EINTR;
                OverlayWalk walk = { .overlay = o->path, .base_fd = base_fd, .delta_fd = delta_fd };
                struct stat st;
                int r;

                /* recipe_load() checked this; the folder may have changed since. The
                 * walk follows no symlink, its root included: a symlink would copy nothing. */
                if (lstat(o->path, &st) < 0)
                        return log_error_errno(errno, "%s:%u:%u: overlay %s: %m", recipe->path, o->pos.line,
                                               o->pos.column, o->path);
                if (S_ISLNK(st.st_mode))
                        return log_error_errno(EINVAL,
                                               "%s:%u:%u: overlay %s is a symlink: name the folder itself.",
                                               recipe->path, o->pos.line, o->pos.column, o->path);
                if (!S_ISDIR(st.st_mode))
                        return log_error_errno(ENOTDIR, "%s:%u:%u: overlay %s is not a folder.",
                                               recipe->path, o->pos.line, o->pos.column, o->path);
                r = walk_tree(o->path, overlay_one, &walk);
                if (r < 0) {
                        if (walk.error < 0)
                                return walk.error;
                        return log_error_errno(r, "%s:%u:%u: cannot read overlay %s: %m", recipe->path,
                                               o->pos.line, o->pos.column, o->path);
                }
                log_info("overlay %s: %lu files, %lu replaced", o->path, walk.files, walk.replaced);
        }
        return 0;
}

/* The copy runs in the sandbox: an overlay's content, and the symlinks of
 * the packages and earlier overlays, can reach the delta alone. It sees the
 * delta (writable), the base tree and the overlay folders. */
int stage_overlays(const BuildEnv *env, const BaseTree *base, Delta *ret) {
        _cleanup_strv_free_ char **inputs = NULL;

        ret->path = path_join(env->cache->tmp, "delta");
        if (!ret->path || strv_extend(&inputs, base->path) < 0)
                return log_oom();
        if (mkdir(ret->path, 0755) < 0)
                return log_error_errno(errno, "Cannot create %s: %m", ret->path);
        char *work[] = { ret->path, NULL };
        for (size_t i = 0; i < env->recipe->n_overlays; i++)
                if (strv_extend(&inputs, env->recipe->overlays[i].path) < 0)
                        return log_oom();

        const OverlaysJob job = { .env = env, .base = base, .delta = ret };
        const SandboxSpec spec = { .name = "overlays", .read_write = work, .read_only = inputs };
        return sandbox_run(&spec, copy_overlays, (void *) &job);
}
