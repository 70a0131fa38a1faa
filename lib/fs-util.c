/* SPDX-License-Identifier: MIT */
#include "fs-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"

int mkdir_p(const char *path, int mode) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = 0;
                if (mkdir(p, (mode_t) mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, (mode_t) mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static void clear_immutable(int fd) {
        int flags;

        if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_IMMUTABLE_FL)) {
                flags &= ~FS_IMMUTABLE_FL;
                (void) ioctl(fd, FS_IOC_SETFLAGS, &flags);
        }
}

/* Empties the folder open as fd (which it takes), then nothing else: the
 * caller removes the folder itself. */
static int rm_children(int fd, dev_t dev) {
        DIR *d = fdopendir(fd);
        struct dirent *de;
        int r = 0;

        if (!d) {
                r = -errno;
                safe_close(fd);
                return r;
        }
        /* An immutable folder refuses unlinkat() of what it holds. */
        clear_immutable(dirfd(d));
        while ((errno = 0, de = readdir(d))) {
                struct stat st;
                int q;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        q = errno == ENOENT ? 0 : -errno;
                } else if (S_ISDIR(st.st_mode)) {
                        int child;

                        if (st.st_dev != dev)
                                q = -EXDEV;
                        else if ((child = openat(dirfd(d), de->d_name,
                                                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
                                q = -errno;
                        else {
                                q = rm_children(child, dev);
                                if (q >= 0 && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0)
                                        q = -errno;
                        }
                } else
                        q = unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT ? -errno : 0;
                if (q < 0 && r == 0)
                        r = q;
        }
        if (errno != 0 && r == 0)
                r = -errno;
        closedir(d);
        return r;
}

int rm_rf(const char *path) {
        struct stat st;
        int fd, r;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlink(path) < 0 ? -errno : 0;
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = rm_children(fd, st.st_dev);
        if (r < 0)
                return r;
        return rmdir(path) < 0 ? -errno : 0;
}

typedef struct Walk {
        walk_func_t f;
        void *userdata;
        char *path; /* grows as the walk goes down */
        size_t allocated;
        size_t root_len;
} Walk;

static int walk_set_path(Walk *w, size_t len, const char *name) {
        size_t n = strlen(name), need = len + 1 + n + 1;

        if (need > w->allocated) {
                size_t a = need * 2;
                char *p = realloc(w->path, a);
                if (!p)
                        return -ENOMEM;
                w->path = p;
                w->allocated = a;
        }
        w->path[len] = '/';
        memcpy(w->path + len + 1, name, n + 1);
        return 0;
}

static const char *walk_rel(const Walk *w) {
        return w->path[w->root_len] ? w->path + w->root_len + 1 : "";
}

static WalkType walk_type(const struct stat *st) {
        return S_ISDIR(st->st_mode) ? WALK_DIR : S_ISLNK(st->st_mode) ? WALK_SYMLINK : WALK_FILE;
}

/* The folder w->path (of length len), open as fd, which it takes. */
static int walk_dir(Walk *w, int fd, size_t len, unsigned depth) {
        DIR *d = fdopendir(fd);
        struct dirent *de;
        int r = 0;

        if (!d) {
                r = -errno;
                safe_close(fd);
                return r;
        }
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                r = walk_set_path(w, len, de->d_name);
                if (r < 0)
                        break;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = -errno;
                        break;
                }
                WalkEntry e = {
                        .path = w->path,
                        .rel = walk_rel(w),
                        .st = &st,
                        .type = walk_type(&st),
                        .depth = depth,
                };
                r = w->f(&e, w->userdata);
                if (r < 0 || e.type != WALK_DIR)
                        continue;
                int child = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (child < 0) {
                        r = -errno;
                        break;
                }
                r = walk_dir(w, child, len + 1 + strlen(de->d_name), depth + 1);
        }
        if (r >= 0 && errno != 0)
                r = -errno;
        closedir(d);
        return r;
}

int walk_tree(const char *root, walk_func_t f, void *userdata) {
        Walk w = { .f = f, .userdata = userdata };
        struct stat st;
        int fd, r;

        if (lstat(root, &st) < 0)
                return -errno;
        w.root_len = strlen(root);
        w.allocated = w.root_len + 256;
        w.path = malloc(w.allocated);
        if (!w.path)
                return -ENOMEM;
        memcpy(w.path, root, w.root_len + 1);

        WalkEntry e = { .path = w.path, .rel = "", .st = &st, .type = walk_type(&st), .depth = 0 };
        r = f(&e, userdata);
        if (r >= 0 && e.type == WALK_DIR) {
                fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                r = fd < 0 ? -errno : walk_dir(&w, fd, w.root_len, 1);
        }
        free(w.path);
        return r;
}
