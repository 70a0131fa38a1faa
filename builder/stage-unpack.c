/* SPDX-License-Identifier: MIT */

/* Stage unpack: the base tree, made of the packages alone. Every .deb is
 * unpacked with libarchive into a usr-merged tree, exclude_paths dropped,
 * the kernel's modules pruned to kernel.modules, and the maintainer scripts'
 * system-wide work done once (tree.h). The tree is cached under trees/KEY
 * (KEY: the .debs' hashes, exclude_paths, kernel.modules, this code's
 * version), so images of the same packages share it. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-contract.h"
#include "fileio.h"
#include "hash.h"
#include "log.h"
#include "modules.h"
#include "path-util.h"
#include "stages.h"
#include "strv.h"
#include "tree.h"

/* Bump when the unpacking or the tree layout changes: old trees are then unused. */
#define BASE_TREE_FORMAT "base-tree-v4"

static void base_key(const BuildContext *c, char out[static 65]) {
        _cleanup_(hasher_freep) Hasher *h = hasher_new();

        hasher_add_str(h, BASE_TREE_FORMAT);
        for (size_t i = 0; i < c->n_packages; i++)
                hasher_add_str(h, c->packages[i].sha256);
        hasher_add_str(h, "exclude");
        STRV_FOREACH (g, c->recipe->exclude_paths)
                hasher_add_str(h, *g);
        hasher_add_str(h, "modules");
        STRV_FOREACH (m, c->recipe->kernel_modules)
                hasher_add_str(h, *m);
        hasher_add_str(h, c->recipe->kernel_modules ? "some" : "all");
        hasher_add_str(h, c->berth_init_sha256);
        hasher_hex(h, out);
}

/* trees/KEY.meta holds what later stages need to know about a cached tree. */
static int load_meta(BuildContext *c, const char *meta) {
        _cleanup_free_ char *text = NULL;
        char kver[256];
        long long epoch;
        unsigned long long size;

        if (read_full_file(meta, 0, &text, NULL) < 0)
                return -ENOENT;
        if (sscanf(text, "kver %255s\nepoch %lld\nsize %llu\n", kver, &epoch, &size) != 3)
                return -EBADMSG;
        c->kver = strdup(kver);
        c->source_date_epoch = epoch;
        c->base_size = size;
        return c->kver ? 0 : -ENOMEM;
}

static int save_meta(const BuildContext *c, const char *meta) {
        _cleanup_free_ char *text = NULL;
        int n = asprintf(&text, "kver %s\nepoch %lld\nsize %llu\n", c->kver,
                         (long long) c->source_date_epoch, (unsigned long long) c->base_size);
        if (n < 0)
                return -ENOMEM;
        return write_file_atomic(meta, text, (size_t) n, 0644);
}

static bool records_complete(const BuildContext *c) {
        for (size_t i = 0; i < c->n_packages; i++)
                if (!c->packages[i].source)
                        return false;
        return true;
}

static int unpack_all(BuildContext *c, const char *tree) {
        DebUnpackStats stats = { 0 };
        int r;

        for (size_t i = 0; i < c->n_packages; i++) {
                Package *p = &c->packages[i];

                if (build_interrupted())
                        return -EINTR;
                r = deb_unpack(p->deb, tree, c->recipe->exclude_paths, &p->control, &stats);
                if (r < 0)
                        return r;
                free(p->source);
                p->source = strdup(p->control->source);
                free(p->license);
                p->license = p->control->license ? strdup(p->control->license) : NULL;
                if (!p->source || (p->control->license && !p->license))
                        return log_oom();
        }
        log_info("unpacked %zu packages: %llu files, %.1f MB, %llu paths excluded, %llu replaced",
                 c->n_packages, (unsigned long long) stats.files, (double) stats.bytes / 1e6,
                 (unsigned long long) stats.excluded, (unsigned long long) stats.replaced);
        c->source_date_epoch = stats.max_mtime;
        return 0;
}

static int build_tree(BuildContext *c, const char *tree) {
        int r;

        if (mkdir(tree, 0755) < 0)
                return log_error_errno(errno, "Cannot create %s: %m", tree);
        r = unpack_all(c, tree);
        if (r < 0)
                return r;
        r = tree_layout(tree);
        if (r < 0)
                return r;
        /* berth-init lives in the base tree: dracut takes it (and its
         * libraries) from there for the initramfs, and stage 2 runs it. */
        r = tree_install_file(c->berth_init, tree, BERTH_INIT_PATH + 1, 0755);
        if (r < 0)
                return r;
        /* berth-init under other names: dhcpcd's hook (there is no shell for
         * dhcpcd-run-hooks) and berthctl, the control socket's client. */
        {
                _cleanup_free_ char *hook = path_join(tree, BERTH_DHCPCD_HOOK_PATH);
                if (!hook || symlink(BERTH_INIT_NAME, hook) < 0)
                        return log_error_errno(errno ?: ENOMEM, "Cannot link the dhcpcd hook: %m");
                _cleanup_free_ char *ctl = path_join(tree, BERTH_CTL_PATH);
                if (!ctl || symlink(BERTH_CTL_LINK_TARGET, ctl) < 0)
                        return log_error_errno(errno ?: ENOMEM, "Cannot link berthctl: %m");
        }
        r = tree_busybox_links(tree);
        if (r < 0)
                return r;
        r = tree_place_kernel(tree, &c->kver);
        if (r < 0)
                return r;
        if (build_interrupted())
                return -EINTR;
        r = c->recipe->kernel_modules ? modules_prune(tree, c->kver, c->recipe->kernel_modules)
                                      : modules_depmod(tree, c->kver);
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
        return tree_size(tree, &c->base_size);
}

int stage_unpack(BuildContext *c) {
        _cleanup_free_ char *tree = NULL, *meta = NULL, *tmp = NULL, *tmp_meta = NULL;
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        int r;

        r = sha256_file(c->berth_init, c->berth_init_sha256);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s: %m", c->berth_init);
        base_key(c, c->base_key);
        tree = cache_path(c->cache, "trees", c->base_key);
        if (!tree || asprintf(&meta, "%s.meta", tree) < 0)
                return log_oom();

        if (records_complete(c) && access(tree, F_OK) == 0 && load_meta(c, meta) >= 0) {
                c->stage_cached = true;
        } else {
                tmp = path_join(c->cache->tmp, "tree");
                if (!tmp || asprintf(&tmp_meta, "%s.meta", tmp) < 0)
                        return log_oom();
                r = build_tree(c, tmp);
                if (r < 0)
                        return r;
                r = save_meta(c, tmp_meta);
                if (r < 0)
                        return log_error_errno(r, "Cannot write %s: %m", tmp_meta);
                /* The meta first, the tree last: a tree in the cache always has its meta. */
                (void) rm_rf(tree);
                if (rename(tmp_meta, meta) < 0 || rename(tmp, tree) < 0)
                        return log_error_errno(errno, "Cannot move the tree into the cache (%s): %m", tree);
                r = resolve_save_record(c);
                if (r < 0)
                        return log_error_errno(r, "Cannot save the package record: %m");
        }

        /* SOURCE_DATE_EPOCH, when set, wins; otherwise the newest file of the
         * packages dates the build, so the same packages give the same commit. */
        if (sde && sde[0]) {
                char *end;
                long long v = strtoll(sde, &end, 10);
                if (*end || v < 0)
                        return log_error_errno(EINVAL, "SOURCE_DATE_EPOCH='%s' is not a number of seconds.",
                                               sde);
                c->source_date_epoch = v;
        }

        cache_touch_and_evict(c->cache, "trees", c->base_key, 3);
        c->base_tree = TAKE_PTR(tree);
        return 0;
}
