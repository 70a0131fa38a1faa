/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dir-walk.h"
#include "macro.h"

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
        return walk_tree_fd(-EBADF, root, f, userdata);
}

int walk_tree_fd(int root_fd, const char *root, walk_func_t f, void *userdata) {
        Walk w = { .f = f, .userdata = userdata };
        struct stat st;
        int fd, r;

        if ((root_fd >= 0 ? fstat(root_fd, &st) : lstat(root, &st)) < 0)
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
                /* The folder itself (its descriptor's copy), or its name, not followed. */
                fd = root_fd >= 0 ? fcntl(root_fd, F_DUPFD_CLOEXEC, 3)
                                  : open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                r = fd < 0 ? -errno : walk_dir(&w, fd, w.root_len, 1);
        }
        free(w.path);
        return r;
}
