/* SPDX-License-Identifier: MIT */

/* rm-rf.c: rm_rf never crosses into another mount, a bind mount of a folder
 * of the same file system included (same st_dev, another mount id). */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macro.h"
#include "rm-rf.h"
#include "tap.h"

static char *at(const char *dir, const char *rel) {
        char *p;
        if (asprintf(&p, "%s/%s", dir, rel) < 0)
                abort();
        return p;
}

static void touch(const char *path) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                abort();
        close(fd);
}

/* On one tmpfs: victim/file, and tree/a/mnt with victim bind-mounted on it. */
static void test_bind_mount(void) {
        char top[] = "/tmp/test-rm-rf-XXXXXX";
        _cleanup_free_ char *victim = NULL, *file = NULL, *tree = NULL, *mnt = NULL, *other = NULL;
        struct stat st;

        if (geteuid() != 0) {
                printf("ok %u - rm_rf leaves a bind mount alone # SKIP needs root to mount\n", ++tap_count);
                return;
        }
        if (!mkdtemp(top))
                return (void) ok(false, "mkdtemp: %m");
        /* A mount namespace of our own: nothing we mount is seen outside, and
         * it all goes when the test exits. In a chroot (a fresh-clone check)
         * "/" is no mount point, so it cannot be made private, and a mount
         * could then reach the build host's namespace: not there. */
        if (!ok(unshare(CLONE_NEWNS) == 0, "a mount namespace of our own"))
                return;
        if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 && errno == EINVAL) {
                printf("ok %u - rm_rf leaves a bind mount alone # SKIP in a chroot: / is no mount point, "
                       "and a mount could reach the host's namespace\n",
                       ++tap_count);
                (void) rmdir(top);
                return;
        }
        if (!ok(mount("tmpfs", top, "tmpfs", 0, "size=1m") == 0, "a tmpfs in a mount namespace of our own"))
                return;
        victim = at(top, "victim");
        file = at(top, "victim/file");
        tree = at(top, "tree");
        mnt = at(top, "tree/a/mnt");
        other = at(top, "tree/a/other");
        if (mkdir(victim, 0755) < 0 || mkdir_p(mnt, 0755) < 0 || mkdir(other, 0755) < 0)
                abort();
        touch(file);
        if (!ok(mount(victim, mnt, "none", MS_BIND, NULL) == 0, "bind-mount victim on tree/a/mnt"))
                return;

        ok(rm_rf(tree) == -EXDEV, "rm_rf of a tree holding a bind mount is -EXDEV");
        ok(lstat(file, &st) == 0, "what the bind mount shows is kept");
        ok(lstat(other, &st) < 0 && errno == ENOENT, "the rest of the tree is removed");
        ok(umount(mnt) == 0, "the bind mount is still there to unmount");
        ok(rm_rf(tree) == 0, "once unmounted, the tree goes");
        ok(lstat(tree, &st) < 0 && lstat(file, &st) == 0, "the tree is gone, victim/file kept");
        (void) umount2(top, MNT_DETACH);
        (void) rmdir(top);
}

/* Files of every kind go; a FIFO is not opened (that would block). */
static void test_kinds(void) {
        char top[] = "/tmp/test-rm-rf-XXXXXX";
        _cleanup_free_ char *fifo = NULL, *link = NULL, *dir = NULL;
        struct stat st;

        if (!mkdtemp(top))
                return (void) ok(false, "mkdtemp: %m");
        fifo = at(top, "fifo");
        link = at(top, "link");
        dir = at(top, "dir");
        if (mkfifo(fifo, 0644) < 0 || symlink("dir", link) < 0 || mkdir(dir, 0755) < 0)
                abort();
        ok(rm_rf(link) == 0 && lstat(link, &st) < 0 && lstat(dir, &st) == 0,
           "rm_rf of a symlink to a folder removes the symlink only");
        ok(rm_rf(top) == 0 && lstat(top, &st) < 0, "a folder with a FIFO is removed");
        ok(rm_rf(top) == 0, "a path that does not exist is fine");
}

int main(void) {
        test_kinds();
        test_bind_mount();
        return tap_done();
}
