/* SPDX-License-Identifier: MIT */

/* switch_root as util-linux and systemd do it: move the API file systems
 * into the new root, delete the initramfs's files (it is a tmpfs-like
 * rootfs that cannot be unmounted: its memory is freed only this way), move
 * the new root onto / and chroot into it. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "stage1.h"

static void remove_tree(int fd_dir, dev_t rootdev) {
        DIR *d = fdopendir(fd_dir);
        struct dirent *de;

        if (!d) {
                (void) close(fd_dir);
                return;
        }
        while ((de = readdir(d))) {
                struct stat st;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != rootdev)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        int fd = openat(dirfd(d), de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd >= 0)
                                remove_tree(fd, rootdev);
                        (void) unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
                } else
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        }
        closedir(d);
}

int switch_root(const char *new_root) {
        static const char *const api[] = { "/proc", "/sys", "/dev", "/run" };
        struct stat st;
        int old;

        for (size_t i = 0; i < ARRAY_SIZE(api); i++) {
                char target[256];
                snprintf(target, sizeof(target), "%s%s", new_root, api[i]);
                if (mount(api[i], target, NULL, MS_MOVE, NULL) < 0) {
                        /* Not fatal for /run and /sys: stage 2 mounts afresh what is missing. */
                        if (streq(api[i], "/dev") || streq(api[i], "/proc"))
                                return -errno;
                        (void) umount2(api[i], MNT_DETACH);
                }
        }

        old = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (old < 0 || fstat(old, &st) < 0)
                return -errno;
        if (chdir(new_root) < 0)
                return -errno;
        remove_tree(old, st.st_dev);
        if (mount(new_root, "/", NULL, MS_MOVE, NULL) < 0)
                return -errno;
        if (chroot(".") < 0 || chdir("/") < 0)
                return -errno;
        return 0;
}
