/* SPDX-License-Identifier: MIT */
#include "tree-path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "rm-rf.h"

/* The kernel walks the path with the tree as its root: "/" and ".." stop at
 * tree_fd, symlinks are followed inside it, /proc's magic links refused. */
static int openat_in_root(int tree_fd, const char *rel, int flags, mode_t mode, unsigned long long resolve) {
        struct open_how how = {
                .flags = (unsigned long long) (flags | O_CLOEXEC),
                .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
                .resolve = resolve,
        };

        if (!rel || !rel[0])
                rel = ".";
        /* -EAGAIN: a rename elsewhere in the tree raced the walk; walk again. */
        for (unsigned i = 0; i < 16; i++) {
                long fd = syscall(SYS_openat2, tree_fd, rel, &how, sizeof(how));
                if (fd >= 0)
                        return (int) fd;
                if (errno != EAGAIN)
                        return -errno;
        }
        return -EAGAIN;
}

int tree_path_open_root(const char *path) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        return fd < 0 ? -errno : fd;
}

int tree_path_open(int tree_fd, const char *rel, int flags, mode_t mode) {
        return openat_in_root(tree_fd, rel, flags, mode, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

int tree_path_open_real(int tree_fd, const char *rel, int flags) {
        return openat_in_root(tree_fd, rel, flags, 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
}

static bool is_dot_or_dotdot(const char *name, size_t len) {
        return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* mkdir -p, each step resolved in the tree (real: with no symlink at all). */
static int mkdir_p_at(int tree_fd, const char *rel, mode_t mode, bool real) {
        _cleanup_free_ char *p = strdup(rel);
        _cleanup_close_ int fd = -EBADF;
        size_t len;

        if (!p)
                return -ENOMEM;
        fd = tree_path_open(tree_fd, ".", O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0)
                return fd;
        len = strlen(p);
        for (size_t i = 0; i < len;) {
                size_t l = strcspn(p + i, "/");
                int next;

                if (l == 0) {
                        i++;
                        continue;
                }
                char saved = p[i + l];
                p[i + l] = 0;
                /* The path so far, from the tree's root: a symlink on the way
                 * leads where it would in a chroot. */
                next = real ? tree_path_open_real(tree_fd, p, O_RDONLY | O_DIRECTORY)
                            : tree_path_open(tree_fd, p, O_RDONLY | O_DIRECTORY, 0);
                if (next == -ENOENT && !is_dot_or_dotdot(p + i, l)) {
                        /* Missing: made in the folder the path so far led to. */
                        if (mkdirat(fd, p + i, mode) < 0 && errno != EEXIST)
                                return -errno;
                        next = openat(fd, p + i, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (next < 0 && (errno == ELOOP || errno == ENOTDIR)) {
                                /* A symlink that leads nowhere in the tree, or no folder. */
                                struct stat st;
                                return fstatat(fd, p + i, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                                                       S_ISLNK(st.st_mode)
                                               ? -ELOOP
                                               : -ENOTDIR;
                        }
                        if (next < 0)
                                return -errno;
                }
                if (next < 0)
                        return next;
                safe_close(fd);
                fd = next;
                p[i + l] = saved;
                i += l;
        }
        return TAKE_FD(fd);
}

int tree_path_mkdir_p(int tree_fd, const char *rel, mode_t mode) {
        return mkdir_p_at(tree_fd, rel, mode, false);
}

int tree_path_mkdir_p_real(int tree_fd, const char *rel, mode_t mode) {
        return mkdir_p_at(tree_fd, rel, mode, true);
}

static int open_parent_at(int tree_fd, const char *rel, int mkdir_mode, bool real, const char **ret_name) {
        _cleanup_free_ char *dir = NULL;
        const char *slash, *name;
        size_t len = strlen(rel);

        /* "a/b/" names b: the trailing slashes go. */
        while (len > 0 && rel[len - 1] == '/')
                len--;
        slash = memrchr(rel, '/', len);
        name = slash ? slash + 1 : rel;
        if (name == rel + len || is_dot_or_dotdot(name, (size_t) (rel + len - name)) || strchr(name, '/'))
                return -EINVAL;
        dir = strndup(rel, slash ? (size_t) (slash - rel) : 0);
        if (!dir)
                return -ENOMEM;
        *ret_name = name;
        if (mkdir_mode >= 0)
                return mkdir_p_at(tree_fd, dir, (mode_t) mkdir_mode, real);
        return real ? tree_path_open_real(tree_fd, dir, O_RDONLY | O_DIRECTORY)
                    : tree_path_open(tree_fd, dir, O_RDONLY | O_DIRECTORY, 0);
}

int tree_path_open_parent(int tree_fd, const char *rel, int mkdir_mode, const char **ret_name) {
        return open_parent_at(tree_fd, rel, mkdir_mode, false, ret_name);
}

int tree_path_open_parent_real(int tree_fd, const char *rel, int mkdir_mode, const char **ret_name) {
        return open_parent_at(tree_fd, rel, mkdir_mode, true, ret_name);
}

/* The final component as a name of its own (open_parent's may hold a trailing '/'). */
static int parent_and_name(int tree_fd, const char *rel, int mkdir_mode, bool real, char **ret_name) {
        const char *name;
        int fd = open_parent_at(tree_fd, rel, mkdir_mode, real, &name);

        if (fd < 0)
                return fd;
        *ret_name = strndup(name, strcspn(name, "/"));
        if (!*ret_name) {
                safe_close(fd);
                return -ENOMEM;
        }
        return fd;
}

int tree_path_lstat(int tree_fd, const char *rel, struct stat *ret) {
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int dir = parent_and_name(tree_fd, rel, -1, false, &name);

        if (dir < 0)
                return dir;
        return fstatat(dir, name, ret, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

bool tree_path_exists(int tree_fd, const char *rel) {
        _cleanup_close_ int fd = tree_path_open(tree_fd, rel, O_PATH, 0);

        return fd >= 0;
}

int tree_path_read(int tree_fd, const char *rel, size_t max_size, char **ret, size_t *ret_size) {
        /* O_NONBLOCK: a FIFO is opened without waiting, then refused as no regular file. */
        _cleanup_close_ int fd = tree_path_open(tree_fd, rel, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0);

        if (fd < 0)
                return fd;
        return read_full_fd(fd, max_size, ret, ret_size);
}

static int write_at(int tree_fd, const char *rel, const void *data, size_t size, mode_t mode, bool real) {
        _cleanup_free_ char *name = NULL, *tmp = NULL;
        _cleanup_close_ int dir = -EBADF, fd = -EBADF;
        const char *p = data;
        int r = 0;

        dir = parent_and_name(tree_fd, rel, 0755, real, &name);
        if (dir < 0)
                return dir;
        if (asprintf(&tmp, ".#%.200s.%d", name, (int) getpid()) < 0)
                return -ENOMEM;
        /* A leftover of an interrupted build goes; the name is never followed. */
        (void) unlinkat(dir, tmp, 0);
        fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        while (size > 0 && r == 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0 && errno != EINTR)
                        r = -errno;
                if (n > 0) {
                        p += n;
                        size -= (size_t) n;
                }
        }
        /* Ownership first: chown clears setuid bits. */
        if (r == 0 && geteuid() == 0 && fchown(fd, 0, 0) < 0)
                r = -errno;
        if (r == 0 && fchmod(fd, mode & 07777) < 0)
                r = -errno;
        /* rename replaces whatever has the name, a symlink too, never what it points to. */
        if (r == 0 && renameat(dir, tmp, dir, name) < 0)
                r = -errno;
        if (r < 0)
                (void) unlinkat(dir, tmp, 0);
        return r;
}

int tree_path_write(int tree_fd, const char *rel, const void *data, size_t size, mode_t mode) {
        return write_at(tree_fd, rel, data, size, mode, false);
}

int tree_path_write_real(int tree_fd, const char *rel, const void *data, size_t size, mode_t mode) {
        return write_at(tree_fd, rel, data, size, mode, true);
}

int tree_path_symlink(int tree_fd, const char *target, const char *rel) {
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int dir = parent_and_name(tree_fd, rel, -1, false, &name);

        if (dir < 0)
                return dir;
        return symlinkat(target, dir, name) < 0 ? -errno : 0;
}

int tree_path_rename(int tree_fd, const char *from, const char *to) {
        _cleanup_free_ char *from_name = NULL, *to_name = NULL;
        _cleanup_close_ int from_dir = -EBADF, to_dir = -EBADF;

        from_dir = parent_and_name(tree_fd, from, -1, false, &from_name);
        if (from_dir < 0)
                return from_dir;
        to_dir = parent_and_name(tree_fd, to, -1, false, &to_name);
        if (to_dir < 0)
                return to_dir;
        return renameat(from_dir, from_name, to_dir, to_name) < 0 ? -errno : 0;
}

int tree_path_unlink(int tree_fd, const char *rel) {
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int dir = parent_and_name(tree_fd, rel, -1, false, &name);

        if (dir == -ENOENT)
                return 0;
        if (dir < 0)
                return dir;
        return unlinkat(dir, name, 0) < 0 && errno != ENOENT ? -errno : 0;
}

int tree_path_rm_rf(int tree_fd, const char *rel) {
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int dir = parent_and_name(tree_fd, rel, -1, false, &name);

        if (dir == -ENOENT)
                return 0;
        if (dir < 0)
                return dir;
        return rm_rf_at(dir, name);
}
