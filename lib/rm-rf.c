/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/* Where an open folder lives: its file system and its mount. A bind mount
 * of a folder of the same file system has the same st_dev, so only the
 * mount id (or, where the kernel gives none, the mount-root attribute)
 * tells it apart. */
typedef struct MountKey {
        dev_t dev;
        uint64_t mnt_id; /* 0: unknown */
        bool mount_root;
} MountKey;

static int mount_key(int fd, MountKey *ret) {
        struct statx sx;

        if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE | STATX_MNT_ID, &sx) < 0) {
                struct stat st;

                if (errno != ENOSYS || fstat(fd, &st) < 0)
                        return -errno;
                *ret = (MountKey){ .dev = st.st_dev };
                return 0;
        }
        *ret = (MountKey){
                .dev = makedev(sx.stx_dev_major, sx.stx_dev_minor),
                .mnt_id = (sx.stx_mask & STATX_MNT_ID) ? sx.stx_mnt_id : 0,
                .mount_root = (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
                              (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT),
        };
        return 0;
}

/* Is the folder open as child on another mount than top (the folder rm_rf
 * was given)? Asked of the opened descriptor, not of a name, so nothing can
 * be swapped in between. */
static int is_other_mount(int child, const MountKey *top) {
        MountKey k;
        int r = mount_key(child, &k);

        if (r < 0)
                return r;
        if (k.dev != top->dev || k.mount_root)
                return true;
        return k.mnt_id != 0 && top->mnt_id != 0 && k.mnt_id != top->mnt_id;
}

/* Empties the folder open as fd (which it takes), then nothing else: the
 * caller removes the folder itself. */
static int rm_children(int fd, const MountKey *top) {
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
                int child, q;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                /* Open first, then ask the descriptor: O_NOFOLLOW|O_DIRECTORY
                 * fails with ELOOP on a symlink and ENOTDIR on anything else
                 * that is no folder (never opening a device or a FIFO). */
                child = openat(dirfd(d), de->d_name,
                               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
                if (child < 0) {
                        if (errno == ENOTDIR || errno == ELOOP)
                                q = unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT ? -errno : 0;
                        else
                                q = errno == ENOENT ? 0 : -errno;
                } else {
                        q = is_other_mount(child, top);
                        if (q != 0) {
                                safe_close(child);
                                if (q > 0)
                                        q = -EXDEV;
                        } else {
                                q = rm_children(child, top);
                                if (q >= 0 && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0)
                                        q = -errno;
                        }
                }
                if (q < 0 && r == 0)
                        r = q;
        }
        if (errno != 0 && r == 0)
                r = -errno;
        closedir(d);
        return r;
}

int rm_rf_at(int dir_fd, const char *name) {
        MountKey top;
        int fd, r;

        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                if (errno == ENOTDIR || errno == ELOOP)
                        return unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
                return -errno;
        }
        r = mount_key(fd, &top);
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        r = rm_children(fd, &top);
        if (r < 0)
                return r;
        return unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

int rm_rf(const char *path) {
        return rm_rf_at(AT_FDCWD, path);
}
