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

        for (size_t i = 0; i < ARRAY_SIZE(entries); i++) {
                _cleanup_free_ char *p = path_join(tree, entries[i].path);
                struct stat st;

                if (!p)
                        return log_oom();
                if (entries[i].target) {
                        if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode))
                                continue;
                        if (symlink(entries[i].target, p) < 0)
                                return log_error_errno(errno, "Cannot link %s -> %s: %m", p,
                                                       entries[i].target);
                        continue;
                }
                if (mkdir(p, (mode_t) entries[i].mode) < 0 && errno != EEXIST)
                        return log_error_errno(errno, "Cannot create %s: %m", p);
                if (chmod(p, (mode_t) entries[i].mode) < 0)
                        return log_error_errno(errno, "Cannot set the mode of %s: %m", p);
        }
        return 0;
}

int tree_place_kernel(const char *tree, char **ret_kver) {
        _cleanup_free_ char *modules = path_join(tree, "usr/lib/modules"), *boot = path_join(tree, "boot");
        _cleanup_free_ char *kver = NULL, *src = NULL, *dst = NULL;
        DIR *d;
        struct dirent *de;
        int r;

        if (!modules || !boot)
                return log_oom();
        d = opendir(modules);
        if (!d)
                return log_error_errno(errno, "The tree has no kernel modules (%s): %m", modules);
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
                return log_error_errno(ENOENT, "No kernel in %s: is kernel.package a kernel?", modules);

        if (asprintf(&src, "%s/vmlinuz-%s", boot, kver) < 0 ||
            asprintf(&dst, "%s/%s/vmlinuz", modules, kver) < 0)
                return log_oom();
        if (rename(src, dst) < 0)
                return log_error_errno(errno, "Cannot move %s to %s: %m", src, dst);

        /* ostree keeps the kernel under usr/lib/modules; /boot is the bootloader's. */
        r = rm_rf(boot);
        if (r < 0 || mkdir(boot, 0755) < 0)
                return log_error_errno(r < 0 ? r : errno, "Cannot empty %s: %m", boot);

        *ret_kver = TAKE_PTR(kver);
        return 0;
}

int tree_ldconfig(const char *tree) {
        _cleanup_free_ char *conf = path_join(tree, "etc/ld.so.conf");
        static const char default_conf[] = "include /etc/ld.so.conf.d/*.conf\n";
        char *argv[] = { (char *) "ldconfig", (char *) "-X", (char *) "-r", (char *) tree, NULL };
        int r;

        if (!conf)
                return log_oom();
        /* libc-bin ships this file; images without libc-bin still want the
         * multiarch folders that libc6's ld.so.conf.d names. */
        if (access(conf, F_OK) < 0) {
                r = write_file_atomic(conf, default_conf, strlen(default_conf), 0644);
                if (r < 0)
                        return log_error_errno(r, "Cannot write %s: %m", conf);
        }
        r = run_command(argv, NULL);
        if (r < 0)
                return log_error_errno(r, "Cannot run ldconfig: %m");
        if (r != 0)
                return log_error_errno(EIO, "ldconfig -r %s failed (status %d).", tree, r);
        return 0;
}

static int ca_collect(const WalkEntry *e, void *userdata) {
        char ***files = userdata;
        size_t len = strlen(e->path);

        if (e->type == WALK_FILE && len > 4 && streq(e->path + len - 4, ".crt"))
                return strv_extend(files, e->path);
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int tree_ca_bundle(const char *tree) {
        _cleanup_free_ char *dir = path_join(tree, "usr/share/ca-certificates"), *certs = NULL,
                            *bundle = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_strv_free_ char **ca_files = NULL;
        size_t len = 0;
        FILE *f;
        int r = 0;

        if (!dir)
                return log_oom();
        if (access(dir, F_OK) < 0)
                return 0;

        r = walk_tree(dir, ca_collect, &ca_files);
        if (r < 0)
                return log_error_errno(r, "Cannot list %s: %m", dir);
        /* Sorted, so the same certificates give the same bundle. */
        qsort(ca_files, strv_length(ca_files), sizeof(char *), cmp_str);

        f = open_memstream(&text, &len);
        if (!f)
                return log_oom();
        STRV_FOREACH (c, ca_files) {
                _cleanup_free_ char *pem = NULL;
                size_t n;
                r = read_full_file(*c, 0, &pem, &n);
                if (r < 0)
                        break;
                fwrite(pem, 1, n, f);
                if (n > 0 && pem[n - 1] != '\n')
                        fputc('\n', f);
        }
        fclose(f);
        if (r < 0)
                return log_error_errno(r, "Cannot read a certificate under %s: %m", dir);

        certs = path_join(tree, "etc/ssl/certs");
        bundle = path_join(tree, "etc/ssl/certs/ca-certificates.crt");
        if (!certs || !bundle)
                return log_oom();
        r = mkdir_p(certs, 0755);
        if (r >= 0)
                r = write_file_atomic(bundle, text, len, 0644);
        if (r < 0)
                return log_error_errno(r, "Cannot write %s: %m", bundle);
        return 0;
}

int tree_empty_var(const char *tree) {
        _cleanup_free_ char *var = path_join(tree, "var");
        int r;

        if (!var)
                return log_oom();
        r = rm_rf(var);
        if (r < 0 || mkdir(var, 0755) < 0)
                return log_error_errno(r < 0 ? r : -errno, "Cannot empty %s: %m", var);
        return 0;
}

int tree_move_etc(const char *tree) {
        _cleanup_free_ char *etc = path_join(tree, "etc"), *usr_etc = path_join(tree, "usr/etc");

        if (!etc || !usr_etc)
                return log_oom();
        if (access(usr_etc, F_OK) == 0)
                return log_error_errno(EEXIST,
                                       "A package ships /usr/etc; berth keeps the image's /etc there.");
        /* No /etc stays behind: ostree refuses a tree with both. */
        if (rename(etc, usr_etc) < 0)
                return log_error_errno(errno, "Cannot move %s to %s: %m", etc, usr_etc);
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
        _cleanup_free_ char *dst = path_join(tree, rel), *dir = NULL, *data = NULL;
        size_t n;
        int r;

        if (!dst || !(dir = path_dirname_absolute(dst)))
                return log_oom();
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return log_error_errno(r, "Cannot create %s: %m", dir);
        r = read_full_file(src, 256u << 20, &data, &n);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s: %m", src);
        r = write_file_atomic(dst, data, n, mode);
        if (r < 0 || chown(dst, 0, 0) < 0)
                return log_error_errno(r < 0 ? r : -errno, "Cannot write %s: %m", dst);
        return 0;
}

/* The applets are read from the binary, not asked of it: nothing from a
 * package runs on the build host (busybox-applets.c). */
int tree_busybox_links(const char *tree) {
        _cleanup_free_ char *busybox = path_join(tree, "usr/bin/busybox"), *data = NULL;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        unsigned n = 0;
        size_t size;
        int r;

        if (!busybox)
                return log_oom();
        fd = open(busybox, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT)
                return 0;
        if (fd < 0 || fstat(fd, &st) < 0)
                return log_error_errno(errno, "Cannot open %s: %m", busybox);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(EINVAL, "%s is not a regular file.", busybox);
        /* Through the descriptor just checked: the final name may not be a symlink. */
        char fdpath[sizeof("/proc/self/fd/") + 12];
        snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
        r = read_full_file(fdpath, 64u << 20, &data, &size);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s: %m", busybox);
        if (busybox_applet_names(data, size, &names) < 0)
                return log_oom();
        if (!names[0])
                log_warning("%s holds no busybox applet table: no applets linked.", busybox);
        STRV_FOREACH (a, names) {
                _cleanup_free_ char *link = NULL;

                /* busybox installs linuxrc as /linuxrc, for an initrd's kernel to run. */
                if (streq(*a, "linuxrc"))
                        continue;
                /* One folder for all: usr/bin/NAME -> busybox. */
                if (asprintf(&link, "%s/usr/bin/%s", tree, *a) < 0)
                        return log_oom();
                if (lstat(link, &st) == 0)
                        continue;
                if (symlink("busybox", link) < 0)
                        return log_error_errno(errno, "Cannot link %s: %m", link);
                n++;
        }
        log_info("busybox: %u applets linked", n);
        return 0;
}
