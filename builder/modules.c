/* SPDX-License-Identifier: MIT */
#include "modules.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-contract.h"
#include "dir-walk.h"
#include "log.h"
#include "process-util.h"
#include "strv.h"
#include "tree-path.h"

/* depmod follows symlinks and opens every module: one that is a symlink
 * would read a build host's file into the indexes, a FIFO would hang it.
 * Only "build" and "source" (links to the kernel's headers, which depmod
 * skips) may be links. */
static int depmod_check_one(const WalkEntry *e, void *userdata) {
        const char *tree = userdata;

        if (e->type == WALK_SYMLINK &&
            !(e->depth == 1 && (streq(e->rel, "build") || streq(e->rel, "source"))))
                return log_error_errno(EPERM,
                                       "/%s in %s is a symlink (a package's?); refusing to run depmod.",
                                       e->path, tree);
        if (e->type == WALK_FILE && !S_ISREG(e->st->st_mode))
                return log_error_errno(EPERM, "/%s in %s is no regular file; refusing to run depmod.",
                                       e->path, tree);
        return 0;
}

/* What the kernel package gives depmod to read; every other modules.* file
 * is depmod's output, made again. */
static const char *const depmod_inputs[] = { "modules.order", "modules.builtin", "modules.builtin.modinfo" };

/* depmod is the build host's program and follows paths as the host sees
 * them: before it runs, TREE/lib/modules/KVER must lead to the tree's own
 * folder with no symlink a package could have bent (lib is the layout's
 * lib -> usr/lib, usr/lib/modules/KVER holds no symlink), its inputs must
 * be regular files (a symlink would read a host file into the image), and
 * its outputs are removed (depmod writes NAME.tmp through any symlink). */
static int depmod_prepare(const char *tree, const char *kver) {
        _cleanup_close_ int root = tree_path_open_root(tree), fd = -EBADF;
        _cleanup_free_ char *rel = NULL;
        char link[sizeof("usr/lib")];
        ssize_t n;
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (root < 0)
                return log_error_errno(root, "Cannot open %s: %m", tree);
        if (asprintf(&rel, "usr/lib/modules/%s", kver) < 0)
                return log_oom();
        n = readlinkat(root, "lib", link, sizeof(link));
        if (n != (ssize_t) strlen("usr/lib") || memcmp(link, "usr/lib", (size_t) n) != 0)
                return log_error_errno(
                        EPERM, "/lib in %s is not the link lib -> usr/lib; refusing to run depmod.", tree);
        fd = tree_path_open_real(root, rel, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return log_error_errno(fd,
                                       "/%s in %s is not a folder reached without symlinks (a package's "
                                       "symlink?); refusing to run depmod: %m",
                                       rel, tree);
        d = fdopendir(fd);
        if (!d)
                return log_error_errno(errno, "Cannot list /%s in %s: %m", rel, tree);
        TAKE_FD(fd);
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                bool input = false;
                struct stat st;

                if (strncmp(de->d_name, "modules.", strlen("modules.")) != 0)
                        continue;
                for (size_t i = 0; i < ARRAY_SIZE(depmod_inputs); i++)
                        input = input || streq(de->d_name, depmod_inputs[i]);
                if (!input) {
                        if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
                                r = log_error_errno(errno, "Cannot remove /%s/%s in %s before depmod: %m",
                                                    rel, de->d_name, tree);
                        continue;
                }
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        r = log_error_errno(errno, "Cannot stat /%s/%s in %s: %m", rel, de->d_name, tree);
                else if (!S_ISREG(st.st_mode))
                        r = log_error_errno(EPERM,
                                            "/%s/%s in %s is not a regular file (a package's symlink?); "
                                            "refusing to run depmod on it.",
                                            rel, de->d_name, tree);
        }
        if (r >= 0 && errno != 0)
                r = log_error_errno(errno, "Cannot list /%s in %s: %m", rel, tree);
        if (r >= 0) {
                /* A fresh descriptor: the walk reads the folder from its start. */
                _cleanup_close_ int walk_fd = tree_path_open_real(root, rel, O_RDONLY | O_DIRECTORY);
                r = walk_fd < 0 ? walk_fd : walk_tree_fd(walk_fd, rel, depmod_check_one, (void *) tree);
                if (r < 0 && r != -EPERM)
                        r = log_error_errno(r, "Cannot list /%s in %s: %m", rel, tree);
        }
        closedir(d);
        return r;
}

int modules_depmod(const char *tree, const char *kver) {
        char *argv[] = { (char *) "depmod", (char *) "-b", (char *) tree, (char *) kver, NULL };
        int r = depmod_prepare(tree, kver);

        if (r < 0)
                return r;
        r = run_command(argv, NULL);

        if (r < 0)
                return log_error_errno(r, "Cannot run depmod: %m");
        if (r != 0)
                return log_error_errno(EIO, "depmod -b %s %s failed (status %d).", tree, kver, r);
        return 0;
}

static void kmod_unrefp(struct kmod_ctx **c) {
        if (*c)
                kmod_unref(*c);
}

static void kmod_list_unrefp(struct kmod_list **l) {
        if (*l)
                kmod_module_unref_list(*l);
}

/* Adds the module's path and, recursively, its hard and soft dependencies. */
static int keep_module(struct kmod_module *m, char ***keep, unsigned depth) {
        _cleanup_(kmod_list_unrefp) struct kmod_list *deps = NULL, *pre = NULL, *post = NULL;
        struct kmod_list *i;
        const char *path = kmod_module_get_path(m);
        int r;

        if (!path || strv_contains(*keep, path))
                return 0;
        if (depth > 64)
                return -ELOOP;
        r = strv_extend(keep, path);
        if (r < 0)
                return r;

        deps = kmod_module_get_dependencies(m);
        kmod_list_foreach(i, deps) {
                struct kmod_module *d = kmod_module_get_module(i);
                r = keep_module(d, keep, depth + 1);
                kmod_module_unref(d);
                if (r < 0)
                        return r;
        }
        if (kmod_module_get_softdeps(m, &pre, &post) >= 0) {
                struct kmod_list *lists[] = { pre, post };
                for (size_t j = 0; j < ARRAY_SIZE(lists); j++)
                        kmod_list_foreach(i, lists[j]) {
                                struct kmod_module *d = kmod_module_get_module(i);
                                r = keep_module(d, keep, depth + 1);
                                kmod_module_unref(d);
                                if (r < 0)
                                        return r;
                        }
        }
        return 0;
}

static bool is_module_file(const char *name) {
        static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
        size_t len = strlen(name);

        for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
                size_t l = strlen(suffixes[i]);
                if (len > l && streq(name + len - l, suffixes[i]))
                        return true;
        }
        return false;
}

/* A prune's state, passed to its walks. */
typedef struct Prune {
        char **folders; /* "kernel/net/netfilter/" */
        char **in_folders; /* phase 1: absolute paths of modules inside those folders */
        char **keep; /* phase 2: relative paths to keep */
        unsigned long removed;
} Prune;

static bool in_kept_folder(const Prune *p, const char *rel) {
        STRV_FOREACH (f, p->folders)
                if (strncmp(rel, *f, strlen(*f)) == 0)
                        return true;
        return false;
}

static int collect_one(const WalkEntry *e, void *userdata) {
        Prune *p = userdata;

        if (e->type == WALK_FILE && is_module_file(e->path) && in_kept_folder(p, e->rel))
                return strv_extend(&p->in_folders, e->path);
        return 0;
}

static int prune_one(const WalkEntry *e, void *userdata) {
        Prune *p = userdata;

        if (e->type != WALK_FILE || !is_module_file(e->path) || strv_contains(p->keep, e->rel))
                return 0;
        if (unlink(e->path) < 0)
                return -errno;
        p->removed++;
        return 0;
}

/* Kept in every image: the modules the initramfs takes, those berth-init's
 * stage 2 loads and those berth-fetch loads (boot-contract.h). */
static const char *const *const boot_modules[] = { berth_initramfs_modules, berth_host_modules,
                                                   berth_state_modules };

/* Keeps every module a name or alias resolves to; -ENOENT when none. */
static int keep_lookup(struct kmod_ctx *ctx, const char *name, char ***keep) {
        _cleanup_(kmod_list_unrefp) struct kmod_list *found = NULL;
        struct kmod_list *i;
        int r = kmod_module_new_from_lookup(ctx, name, &found);

        if (r < 0 || !found)
                return -ENOENT;
        kmod_list_foreach(i, found) {
                struct kmod_module *m = kmod_module_get_module(i);
                /* A built-in module has no path: nothing to keep. */
                r = keep_module(m, keep, 0);
                kmod_module_unref(m);
                if (r < 0)
                        return log_error_errno(r, "Cannot follow the dependencies of '%s': %m", name);
        }
        return 0;
}

int modules_prune(const char *tree, const char *kver, char *const *wanted) {
        _cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;
        _cleanup_strv_free_ char **keep = NULL;
        _cleanup_free_ char *dir = NULL;
        Prune prune = { 0 };
        int r;

        if (!wanted)
                return 0;
        if (asprintf(&dir, "%s/usr/lib/modules/%s", tree, kver) < 0)
                return log_oom();

        /* The dependency data comes from a first index of every module. */
        r = modules_depmod(tree, kver);
        if (r < 0)
                return r;
        ctx = kmod_new(dir, NULL);
        if (!ctx)
                return log_error_errno(ENOMEM, "Cannot open the module index in %s.", dir);
        r = kmod_load_resources(ctx);
        if (r < 0)
                return log_error_errno(r, "Cannot load the module index in %s: %m", dir);

        STRV_FOREACH (w, (char **) wanted) {
                if (strchr(*w, '/')) {
                        _cleanup_free_ char *prefix = NULL;
                        if (asprintf(&prefix, "kernel/%s/", *w) < 0 ||
                            strv_push(&prune.folders, TAKE_PTR(prefix)) < 0) {
                                r = log_oom();
                                goto out;
                        }
                        continue;
                }
                r = keep_lookup(ctx, *w, &keep);
                if (r == -ENOENT)
                        log_error("Kernel module '%s' (kernel.modules) does not exist in %s.", *w, kver);
                if (r < 0)
                        goto out;
        }
        /* Whatever the recipe lists, the image must still boot: a module
         * that is built into this kernel has no file and is skipped. */
        for (size_t b = 0; b < ARRAY_SIZE(boot_modules); b++)
                for (const char *const *name = boot_modules[b]; *name; name++) {
                        r = keep_lookup(ctx, *name, &keep);
                        if (r < 0 && r != -ENOENT)
                                goto out;
                }
        r = 0;

        /* Folders are kept whole, with what their modules depend on. */
        if (prune.folders && (r = walk_tree(dir, collect_one, &prune)) < 0)
                r = log_error_errno(r, "Cannot list modules in %s: %m", dir);
        STRV_FOREACH (p, prune.in_folders) {
                struct kmod_module *m = NULL;
                if (r >= 0 && kmod_module_new_from_path(ctx, *p, &m) >= 0) {
                        r = keep_module(m, &keep, 0);
                        kmod_module_unref(m);
                }
        }
out:
        prune.folders = strv_free(prune.folders);
        prune.in_folders = strv_free(prune.in_folders);
        if (r < 0)
                return r;

        /* Paths from libkmod are absolute; compare them relative to the modules folder. */
        STRV_FOREACH (k, keep)
                if (strncmp(*k, dir, strlen(dir)) == 0 && (*k)[strlen(dir)] == '/')
                        memmove(*k, *k + strlen(dir) + 1, strlen(*k + strlen(dir) + 1) + 1);

        prune.keep = keep;
        r = walk_tree(dir, prune_one, &prune);
        if (r < 0)
                return log_error_errno(r, "Cannot prune modules in %s: %m", dir);
        log_debug("modules: kept %zu, removed %lu", strv_length(keep), prune.removed);

        return modules_depmod(tree, kver);
}
