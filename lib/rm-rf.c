/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rm-rf.h"
#include "macro.h"

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
