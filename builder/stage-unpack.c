/* SPDX-License-Identifier: MIT */

/* Stage unpack: the base tree, made of the packages alone. Every .deb is
 * unpacked with libarchive into a usr-merged tree, exclude_paths dropped,
 * the kernel's modules pruned to kernel.modules, and the maintainer scripts'
 * system-wide work done once (tree.h). The tree is cached under trees/KEY
 * (KEY: the .debs' hashes, exclude_paths, kernel.modules, this code's
 * version), so images of the same packages share it. Beside it,
 * trees/KEY.meta records what later stages need to know about the tree and
 * each package's origin (source package, licence), read from the .debs. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-contract.h"
#include "deb.h"
#include "epoch.h"
#include "fileio.h"
#include "hash.h"
#include "log.h"
#include "modules.h"
#include "path-util.h"
#include "sandbox.h"
#include "stages.h"
#include "strv.h"
#include "tree-path.h"
#include "tree.h"

/* Bump when the unpacking or the tree layout changes: old trees are then unused. */
#define BASE_TREE_FORMAT "base-tree-v5"

void base_tree_done(BaseTree *t, size_t n_packages) {
        for (size_t i = 0; t->origins && i < n_packages; i++) {
                free(t->origins[i].source);
                free(t->origins[i].license);
        }
        free(t->origins);
        free(t->path);
        free(t->kver);
        *t = (BaseTree){ 0 };
}

static void base_key(const BuildEnv *env, const PackageSet *s, const char *berth_init_sha256,
                     const char *berth_fetch_sha256, const char *berth_ctr_sha256, char out[static 65]) {
        _cleanup_(hasher_freep) Hasher *h = hasher_new();

        hasher_add_str(h, BASE_TREE_FORMAT);
        for (size_t i = 0; i < s->n_packages; i++)
                hasher_add_str(h, s->packages[i].sha256);
        hasher_add_str(h, "exclude");
        STRV_FOREACH (g, env->recipe->exclude_paths)
                hasher_add_str(h, *g);
        hasher_add_str(h, "modules");
        STRV_FOREACH (m, env->recipe->kernel_modules)
                hasher_add_str(h, *m);
        hasher_add_str(h, env->recipe->kernel_modules ? "some" : "all");
        hasher_add_str(h, berth_init_sha256);
        hasher_add_str(h, berth_fetch_sha256);
        hasher_add_str(h, berth_ctr_sha256);
        hasher_hex(h, out);
}

/* trees/KEY.meta: "kver", "epoch" and "size" lines, then one line per
 * package, "package NAME SOURCE LICENSE..." (LICENSE "-" when none). A meta
 * without the package lines (an earlier builder's) is not enough: the tree is
 * made again. */
static int load_meta(const PackageSet *s, BaseTree *t, const char *meta) {
        _cleanup_free_ char *text = NULL;
        char kver[256], *line, *save = NULL;
        long long epoch;
        unsigned long long size;
        size_t n = 0;
        int consumed = 0;

        if (read_full_file(meta, 0, &text, NULL) < 0)
                return -ENOENT;
        if (sscanf(text, "kver %255s\nepoch %lld\nsize %llu\n%n", kver, &epoch, &size, &consumed) != 3 ||
            consumed == 0)
                return -EBADMSG;
        t->origins = calloc(s->n_packages, sizeof(PackageOrigin));
        /* The sandbox wrote this file: kver becomes part of paths outside it. */
        if (kver[0] == '.' || strchr(kver, '/'))
                return -EBADMSG;
        t->kver = strdup(kver);
        if (!t->origins || !t->kver)
                return -ENOMEM;
        /* A date saved by an earlier builder that took any date is not reused. */
        if (!epoch_valid(epoch))
                return -EBADMSG;
        t->source_date_epoch = epoch;
        t->size = size;

        for (line = strtok_r(text + consumed, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char name[256], source[256];
                int rest = 0;

                if (sscanf(line, "package %255s %255s %n", name, source, &rest) != 2 || rest == 0 ||
                    line[rest] == 0 || n >= s->n_packages || !streq(name, s->packages[n].name))
                        return -EBADMSG;
                t->origins[n].source = strdup(source);
                if (!t->origins[n].source ||
                    (!streq(line + rest, "-") && !(t->origins[n].license = strdup(line + rest))))
                        return -ENOMEM;
                n++;
        }
        return n == s->n_packages ? 0 : -EBADMSG;
}

static int save_meta(const PackageSet *s, const BaseTree *t, const char *meta) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        if (!f)
                return -ENOMEM;
        fprintf(f, "kver %s\nepoch %lld\nsize %llu\n", t->kver, (long long) t->source_date_epoch,
                (unsigned long long) t->size);
        for (size_t i = 0; i < s->n_packages; i++)
                fprintf(f, "package %s %s %s\n", s->packages[i].name, t->origins[i].source,
                        t->origins[i].license ? t->origins[i].license : "-");
        if (fclose(f) != 0)
                return -ENOMEM;
        return write_file_atomic(meta, text, len, 0644);
}

static int unpack_all(const BuildEnv *env, const PackageSet *s, BaseTree *t, const char *tree) {
        DebUnpackStats stats = { 0 };
        int r;

        t->origins = calloc(s->n_packages, sizeof(PackageOrigin));
        if (!t->origins)
                return log_oom();
        for (size_t i = 0; i < s->n_packages; i++) {
                _cleanup_(deb_control_freep) DebControl *control = NULL;
                const Package *p = &s->packages[i];
                PackageOrigin *o = &t->origins[i];

                if (build_interrupted())
                        return -EINTR;
                r = deb_unpack(p->deb, tree, env->recipe->exclude_paths, &control, &stats);
                if (r < 0)
                        return r;
                o->source = strdup(control->source);
                o->license = control->license ? strdup(control->license) : NULL;
                if (!o->source || (control->license && !o->license))
                        return log_oom();
        }
        log_info("unpacked %zu packages: %llu files, %.1f MB, %llu paths excluded, %llu replaced",
                 s->n_packages, (unsigned long long) stats.files, (double) stats.bytes / 1e6,
                 (unsigned long long) stats.excluded, (unsigned long long) stats.replaced);
        t->source_date_epoch = stats.max_mtime;
        return 0;
}

static int build_tree(const BuildEnv *env, const PackageSet *s, BaseTree *t, const char *tree) {
        int r;

        if (mkdir(tree, 0755) < 0)
                return log_error_errno(errno, "Cannot create %s: %m", tree);
        r = unpack_all(env, s, t, tree);
        if (r < 0)
                return r;
        r = tree_layout(tree);
        if (r < 0)
                return r;
        /* berth-init lives in the base tree: dracut takes it (and its
         * libraries) from there for the initramfs, and stage 2 runs it. */
        r = tree_install_file(env->berth_init, tree, BERTH_INIT_PATH + 1, 0755);
        if (r < 0)
                return r;
        /* The state fetcher: stage 2 runs it; the initramfs does not need it. */
        r = tree_install_file(env->berth_fetch, tree, BERTH_FETCH_PATH + 1, 0755);
        if (r < 0)
                return r;
        /* The container runner: PID 1 runs one per container of the host state. */
        r = tree_install_file(env->berth_ctr, tree, BERTH_CTR_PATH + 1, 0755);
        if (r < 0)
                return r;
        /* berth-init under other names: dhcpcd's hook (there is no shell for
         * dhcpcd-run-hooks) and berthctl, the control socket's client. */
        {
                /* In the tree: a package's usr/lib/berth -> /elsewhere cannot
                 * put these links on the build host. */
                _cleanup_close_ int root = tree_path_open_root(tree);
                if (root < 0)
                        return log_error_errno(root, "Cannot open %s: %m", tree);
                r = tree_path_symlink(root, BERTH_INIT_NAME, BERTH_DHCPCD_HOOK_PATH + 1);
                if (r < 0)
                        return log_error_errno(r, "Cannot link the dhcpcd hook %s in %s: %m",
                                               BERTH_DHCPCD_HOOK_PATH, tree);
                r = tree_path_symlink(root, BERTH_CTL_LINK_TARGET, BERTH_CTL_PATH + 1);
                if (r < 0)
                        return log_error_errno(r, "Cannot link berthctl %s in %s: %m", BERTH_CTL_PATH, tree);
        }
        r = tree_busybox_links(tree);
        if (r < 0)
                return r;
        r = tree_place_kernel(tree, &t->kver);
        if (r < 0)
                return r;
        if (build_interrupted())
                return -EINTR;
        r = env->recipe->kernel_modules ? modules_prune(tree, t->kver, env->recipe->kernel_modules)
                                        : modules_depmod(tree, t->kver);
        if (r < 0)
                return r;
        r = tree_ldconfig(tree);
        if (r < 0)
                return r;
        r = tree_ca_bundle(tree);
        if (r < 0)
                return r;
        r = tree_empty_var(tree);
        if (r < 0)
                return r;
        r = tree_move_etc(tree);
        if (r < 0)
                return r;
        return tree_size(tree, &t->size);
}

/* What the sandboxed part of the stage needs; its results come back in
 * tmp_meta, the tree's meta, which the stage then loads as a cached one. */
typedef struct UnpackJob {
        const BuildEnv *env;
        const PackageSet *packages;
        const char *tree, *meta;
} UnpackJob;

static int build_tree_sandboxed(void *userdata) {
        const UnpackJob *job = userdata;
        BaseTree t = { 0 };
        int r = build_tree(job->env, job->packages, &t, job->tree);

        if (r >= 0) {
                r = save_meta(job->packages, &t, job->meta);
                if (r < 0)
                        log_error_errno(r, "Cannot write %s: %m", job->meta);
        }
        base_tree_done(&t, job->packages->n_packages);
        return r;
}

/* The sandbox shows the cache's tmp folder (writable), the .debs' folders and
 * berth's own programs it installs; ldconfig -r chroots into the tree. */
static int build_tree_in_sandbox(const BuildEnv *env, const PackageSet *s, const char *tree,
                                 const char *meta) {
        _cleanup_strv_free_ char **inputs = NULL;
        char *work[] = { env->cache->tmp, NULL };
        const UnpackJob job = { .env = env, .packages = s, .tree = tree, .meta = meta };

        if (strv_extend(&inputs, env->berth_init) < 0 || strv_extend(&inputs, env->berth_fetch) < 0 ||
            strv_extend(&inputs, env->berth_ctr) < 0)
                return log_oom();
        for (size_t i = 0; i < s->n_packages; i++) {
                _cleanup_free_ char *dir = path_dirname_absolute(s->packages[i].deb);
                if (!dir || (!strv_contains(inputs, dir) && strv_extend(&inputs, dir) < 0))
                        return log_oom();
        }
        const SandboxSpec spec = {
                .name = "unpack", .read_write = work, .read_only = inputs, .chroot = true
        };
        return sandbox_run(&spec, build_tree_sandboxed, (void *) &job);
}

int stage_unpack(const BuildEnv *env, const PackageSet *packages, BaseTree *ret, bool *ret_cached) {
        _cleanup_free_ char *tree = NULL, *meta = NULL, *tmp = NULL, *tmp_meta = NULL;
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        char berth_init_sha256[65], berth_fetch_sha256[65], berth_ctr_sha256[65];
        int r;

        r = sha256_file(env->berth_init, berth_init_sha256);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s: %m", env->berth_init);
        r = sha256_file(env->berth_fetch, berth_fetch_sha256);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s: %m", env->berth_fetch);
        r = sha256_file(env->berth_ctr, berth_ctr_sha256);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s: %m", env->berth_ctr);
        base_key(env, packages, berth_init_sha256, berth_fetch_sha256, berth_ctr_sha256, ret->key);
        tree = cache_path(env->cache, "trees", ret->key);
        if (!tree || asprintf(&meta, "%s.meta", tree) < 0)
                return log_oom();

        if (access(tree, F_OK) == 0 && load_meta(packages, ret, meta) >= 0) {
                *ret_cached = true;
        } else {
                base_tree_done(ret, packages->n_packages);
                base_key(env, packages, berth_init_sha256, berth_fetch_sha256, berth_ctr_sha256, ret->key);
                tmp = path_join(env->cache->tmp, "tree");
                if (!tmp || asprintf(&tmp_meta, "%s.meta", tmp) < 0)
                        return log_oom();
                r = build_tree_in_sandbox(env, packages, tmp, tmp_meta);
                if (r < 0)
                        return r;
                r = load_meta(packages, ret, tmp_meta);
                if (r < 0)
                        return log_error_errno(r, "Cannot read %s, the new tree's: %m", tmp_meta);
                /* What the sandbox left is checked before build-image, as root and
                 * outside it, moves and reads it: a real folder and a real file. */
                struct stat st_tree, st_meta;
                if (lstat(tmp, &st_tree) < 0 || lstat(tmp_meta, &st_meta) < 0)
                        return log_error_errno(errno, "Cannot find the new tree %s: %m", tmp);
                if (!S_ISDIR(st_tree.st_mode) || !S_ISREG(st_meta.st_mode))
                        return log_error_errno(EINVAL,
                                               "The unpack stage left %s or its meta as something "
                                               "other than a folder and a file: refused.",
                                               tmp);
                /* The meta first, the tree last: a tree in the cache always has its meta. */
                (void) rm_rf(tree);
                if (rename(tmp_meta, meta) < 0 || rename(tmp, tree) < 0)
                        return log_error_errno(errno, "Cannot move the tree into the cache (%s): %m", tree);
        }

        /* SOURCE_DATE_EPOCH, when set, wins; otherwise the newest file of the
         * packages dates the build, so the same packages give the same commit. */
        if (sde && sde[0]) {
                int64_t v;
                r = epoch_parse(sde, &v);
                if (r < 0)
                        return log_error_errno(r,
                                               "SOURCE_DATE_EPOCH='%s' is not a number of seconds from 1970 "
                                               "to the end of year 9999.",
                                               sde);
                ret->source_date_epoch = v;
        }

        cache_touch_and_evict(env->cache, "trees", ret->key, 3);
        ret->path = TAKE_PTR(tree);
        return 0;
}
