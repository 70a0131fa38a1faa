/* SPDX-License-Identifier: MIT */
#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "busybox-applets.h"
#include "cache.h"
#include "fileio.h"
#include "dir-walk.h"
#include "log.h"
#include "path-util.h"
#include "process-util.h"
#include "strv.h"
#include "tree-path.h"
#include "usrmerge.h"

int tree_layout(const char *tree) {
        static const struct {
                const char *path, *target; /* target NULL: a folder */
                int mode;
        } entries[] = {
                { "usr/bin", NULL, 0755 },   { "usr/sbin", NULL, 0755 },  { "usr/lib", NULL, 0755 },
                { "usr/lib64", NULL, 0755 }, { "bin", "usr/bin", 0 },     { "sbin", "usr/sbin", 0 },
                { "lib", "usr/lib", 0 },     { "lib64", "usr/lib64", 0 }, { "dev", NULL, 0755 },
                { "proc", NULL, 0555 },      { "sys", NULL, 0555 },       { "run", NULL, 0755 },
                { "tmp", NULL, 01777 },      { "sysroot", NULL, 0755 },   { "ostree", "sysroot/ostree", 0 },
                { "var", NULL, 0755 },       { "etc", NULL, 0755 },       { "boot", NULL, 0755 },
        };

        _cleanup_close_ int root = tree_path_open_root(tree);

        if (root < 0)
                return log_error_errno(root, "Cannot open %s: %m", tree);
        for (size_t i = 0; i < ARRAY_SIZE(entries); i++) {
                const char *p = entries[i].path;
                _cleanup_close_ int fd = -EBADF;
                struct stat st;
                int r;

                if (entries[i].target) {
                        if (tree_path_lstat(root, p, &st) == 0 && S_ISLNK(st.st_mode))
                                continue;
                        r = tree_path_symlink(root, entries[i].target, p);
                        if (r < 0)
                                return log_error_errno(r, "Cannot link /%s -> %s in %s: %m", p,
                                                       entries[i].target, tree);
                        continue;
                }
                /* Resolved in the tree: a package's tmp -> /elsewhere is made
                 * (or found) inside it, and its mode set through the descriptor. */
                fd = tree_path_mkdir_p(root, p, (mode_t) entries[i].mode);
                if (fd < 0)
                        return log_error_errno(fd, "Cannot create /%s in %s (a package's symlink?): %m", p,
                                               tree);
                if (fchmod(fd, (mode_t) entries[i].mode) < 0)
                        return log_error_errno(errno, "Cannot set the mode of /%s in %s: %m", p, tree);
        }
        return 0;
}

int tree_place_kernel(const char *tree, char **ret_kver) {
        _cleanup_free_ char *kver = NULL, *src = NULL, *dst = NULL;
        _cleanup_close_ int root = tree_path_open_root(tree), fd = -EBADF;
        const char *modules = "usr/lib/modules";
        DIR *d;
        struct dirent *de;
        int r;

        if (root < 0)
                return log_error_errno(root, "Cannot open %s: %m", tree);
        fd = tree_path_open(root, modules, O_RDONLY | O_DIRECTORY, 0);
        d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d)
                return log_error_errno(fd < 0 ? fd : -errno,
                                       "The tree has no kernel modules (/%s in %s): %m", modules, tree);
        TAKE_FD(fd);
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (kver) {
                        closedir(d);
                        return log_error_errno(EINVAL,
                                               "The tree holds two kernels (%s and %s); an image has one.",
                                               kver, de->d_name);
                }
                kver = strdup(de->d_name);
        }
        closedir(d);
        if (!kver)
                return log_error_errno(ENOENT, "No kernel in /%s of %s: is kernel.package a kernel?",
                                       modules, tree);

        if (asprintf(&src, "boot/vmlinuz-%s", kver) < 0 ||
            asprintf(&dst, "%s/%s/vmlinuz", modules, kver) < 0)
                return log_oom();
        r = tree_path_rename(root, src, dst);
        if (r < 0)
                return log_error_errno(r, "Cannot move /%s to /%s in %s: %m", src, dst, tree);

        /* ostree keeps the kernel under usr/lib/modules; /boot is the
         * bootloader's. A boot that is a symlink is removed, not followed. */
        r = tree_path_rm_rf(root, "boot");
        if (r >= 0)
                r = mkdirat(root, "boot", 0755) < 0 ? -errno : 0;
        if (r < 0)
                return log_error_errno(r, "Cannot empty /boot in %s: %m", tree);

        *ret_kver = TAKE_PTR(kver);
        return 0;
}

int tree_ldconfig(const char *tree) {
        static const char default_conf[] = "include /etc/ld.so.conf.d/*.conf\n";
        char *argv[] = { (char *) "ldconfig", (char *) "-X", (char *) "-r", (char *) tree, NULL };
        _cleanup_close_ int root = tree_path_open_root(tree);
        int r;

        if (root < 0)
                return log_error_errno(root, "Cannot open %s: %m", tree);
        /* libc-bin ships this file; images without libc-bin still want the
         * multiarch folders that libc6's ld.so.conf.d names. */
        if (!tree_path_exists(root, "etc/ld.so.conf")) {
                r = tree_path_write(root, "etc/ld.so.conf", default_conf, strlen(default_conf), 0644);
                if (r < 0)
                        return log_error_errno(r, "Cannot write /etc/ld.so.conf in %s: %m", tree);
        }
        /* ldconfig -r chroot()s into the tree before it reads or writes a
         * path (glibc's elf/ldconfig.c), so it resolves them in the tree too. */
        r = run_command(argv, NULL);
        if (r < 0)
                return log_error_errno(r, "Cannot run ldconfig: %m");
        if (r != 0)
                return log_error_errno(EIO, "ldconfig -r %s failed (status %d).", tree, r);
        return 0;
}

static int ca_collect(const WalkEntry *e, void *userdata) {
        char ***files = userdata;
        size_t len = strlen(e->rel);

        if (e->type == WALK_FILE && len > 4 && streq(e->rel + len - 4, ".crt"))
                return strv_extend(files, e->rel);
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Debian's bundle is some 200 kB. The bound is on the sum: a package's hard
 * links give one certificate many names at no cost of the unpacking limits,
 * and would otherwise make the bundle as large as the build host's memory. */
#define CA_BUNDLE_MAX (16u << 20)

int tree_ca_bundle(const char *tree) {
        static const char dir[] = "usr/share/ca-certificates",
                          bundle[] = "etc/ssl/certs/ca-certificates.crt";
        _cleanup_close_ int root = tree_path_open_root(tree), dir_fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        _cleanup_strv_free_ char **ca_files = NULL;
        size_t len = 0, total = 0;
        FILE *f;
        int r = 0;

        if (root < 0)
                return log_error_errno(root, "Cannot open %s: %m", tree);
        /* Every path in the tree: a certificate folder or file that is a
         * symlink to the build host's reads the tree's, never the host's. */
        dir_fd = tree_path_open(root, dir, O_RDONLY | O_DIRECTORY, 0);
        if (dir_fd == -ENOENT)
                return 0;
        if (dir_fd < 0)
                return log_error_errno(dir_fd, "Cannot open /%s in %s: %m", dir, tree);

        r = walk_tree_fd(dir_fd, dir, ca_collect, &ca_files);
        if (r < 0)
                return log_error_errno(r, "Cannot list %s: %m", dir);
        /* Sorted, so the same certificates give the same bundle. */
        qsort(ca_files, strv_length(ca_files), sizeof(char *), cmp_str);

        f = open_memstream(&text, &len);
        if (!f)
                return log_oom();
        STRV_FOREACH (c, ca_files) {
                _cleanup_free_ char *pem = NULL, *rel = path_join(dir, *c);
                size_t n;
                r = rel ? tree_path_read(root, rel, CA_BUNDLE_MAX, &pem, &n) : -ENOMEM;
                if (r == -EFBIG || (r >= 0 && n + 1 > CA_BUNDLE_MAX - total)) {
                        fclose(f);
                        return log_error_errno(EFBIG,
                                               "The certificates under /%s in %s (at /%s) hold more than "
                                               "%u MiB: refusing to make /%s of them.",
                                               dir, tree, rel, CA_BUNDLE_MAX >> 20, bundle);
                }
                if (r < 0) {
                        fclose(f);
                        return log_error_errno(r, "Cannot read the certificate /%s in %s: %m",
                                               rel ? rel : dir, tree);
                }
                fwrite(pem, 1, n, f);
                total += n + 1;
                if (n > 0 && pem[n - 1] != '\n')
                        fputc('\n', f);
        }
        fclose(f);

        r = tree_path_write(root, bundle, text, len, 0644);
        if (r < 0)
                return log_error_errno(r, "Cannot write /%s in %s: %m", bundle, tree);
        return 0;
}

int tree_empty_var(const char *tree) {
        _cleanup_close_ int root = tree_path_open_root(tree);
        int r;

        if (root < 0)
                return log_error_errno(root, "Cannot open %s: %m", tree);
        /* A var that is a symlink is removed, never followed. */
        r = tree_path_rm_rf(root, "var");
        if (r >= 0)
                r = mkdirat(root, "var", 0755) < 0 ? -errno : 0;
        if (r < 0)
                return log_error_errno(r, "Cannot empty /var in %s: %m", tree);
        return 0;
}

int tree_move_etc(const char *tree) {
        _cleanup_close_ int root = tree_path_open_root(tree);
        struct stat st;
        int r;

        if (root < 0)
                return log_error_errno(root, "Cannot open %s: %m", tree);
        if (tree_path_lstat(root, "usr/etc", &st) == 0)
                return log_error_errno(EEXIST,
                                       "A package ships /usr/etc; berth keeps the image's /etc there.");
        /* The image's defaults must be a folder: an etc that is a symlink
         * would leave /usr/etc pointing anywhere. */
        r = tree_path_lstat(root, "etc", &st);
        if (r >= 0 && !S_ISDIR(st.st_mode))
                return log_error_errno(ENOTDIR, "/etc in %s is not a folder (a package's symlink?).", tree);
        /* No /etc stays behind: ostree refuses a tree with both. */
        if (r >= 0)
                r = tree_path_rename(root, "etc", "usr/etc");
        if (r < 0)
                return log_error_errno(r, "Cannot move /etc to /usr/etc in %s: %m", tree);
        return 0;
}

static int size_one(const WalkEntry *e, void *userdata) {
        uint64_t *total = userdata;

        /* The walk visits every name of a hard-linked file: each adds its share. */
        if (e->type == WALK_FILE)
                *total += (uint64_t) e->st->st_size / (e->st->st_nlink > 0 ? e->st->st_nlink : 1);
        else if (e->type == WALK_SYMLINK)
                *total += (uint64_t) e->st->st_size;
        return 0;
}

int tree_size(const char *tree, uint64_t *ret) {
        uint64_t total = 0;
        int r = walk_tree(tree, size_one, &total);

        if (r < 0)
                return log_error_errno(r, "Cannot measure %s: %m", tree);
        *ret = total;
        return 0;
}

int tree_install_file(const char *src, const char *tree, const char *rel, int mode) {
        _cleanup_close_ int root = tree_path_open_root(tree);
        _cleanup_free_ char *data = NULL;
        size_t n;
        int r;

        if (root < 0)
                return log_error_errno(root, "Cannot open %s: %m", tree);
        r = read_full_file(src, 256u << 20, &data, &n);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s: %m", src);
        /* Folders made and the file written in the tree, owned by root. */
        r = tree_path_write(root, rel, data, n, (mode_t) mode);
        if (r < 0)
                return log_error_errno(r, "Cannot write /%s in %s: %m", rel, tree);
        return 0;
}

/* The applets are read from the binary, not asked of it: nothing from a
 * package runs on the build host (busybox-applets.c). */
int tree_busybox_links(const char *tree) {
        static const char busybox[] = "usr/bin/busybox";
        _cleanup_free_ char *data = NULL;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_close_ int root = tree_path_open_root(tree), fd = -EBADF;
        struct stat st;
        unsigned n = 0;
        size_t size;
        int r;

        if (root < 0)
                return log_error_errno(root, "Cannot open %s: %m", tree);
        /* Resolved in the tree; the final name may not be a symlink. */
        fd = tree_path_open(root, busybox, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return log_error_errno(fd, "Cannot open /%s in %s: %m", busybox, tree);
        if (fstat(fd, &st) < 0)
                return log_error_errno(errno, "Cannot open /%s in %s: %m", busybox, tree);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(EINVAL, "/%s in %s is not a regular file.", busybox, tree);
        r = read_full_fd(fd, 64u << 20, &data, &size);
        if (r < 0)
                return log_error_errno(r, "Cannot read /%s in %s: %m", busybox, tree);
        if (busybox_applet_names(data, size, &names) < 0)
                return log_oom();
        if (!names[0])
                log_warning("/%s holds no busybox applet table: no applets linked.", busybox);
        STRV_FOREACH (a, names) {
                _cleanup_free_ char *link = NULL;

                /* busybox installs linuxrc as /linuxrc, for an initrd's kernel to run. */
                if (streq(*a, "linuxrc"))
                        continue;
                /* One folder for all: usr/bin/NAME -> busybox. An applet name
                 * is one component (busybox-applets.c), linked in the tree. */
                if (asprintf(&link, "usr/bin/%s", *a) < 0)
                        return log_oom();
                if (tree_path_lstat(root, link, &st) == 0)
                        continue;
                r = tree_path_symlink(root, "busybox", link);
                if (r < 0)
                        return log_error_errno(r, "Cannot link /%s in %s: %m", link, tree);
                n++;
        }
        log_info("busybox: %u applets linked", n);
        return 0;
}
