/* SPDX-License-Identifier: MIT */

/* Stage commit: base tree and delta become one ostree commit, made in the
 * cache's repository (where the base tree's objects already are, so only the
 * delta is new) and then copied with its objects into OUTDIR/repo, or, once
 * the build has succeeded, into the user's repository (--repo). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "json-util.h"
#include "log.h"
#include "manifest.h"
#include "ostree-commit.h"
#include "path-util.h"
#include "stages.h"

int stage_commit(BuildContext *c) {
        _cleanup_free_ char *cache_repo = cache_path(c->cache, "repo", NULL), *base_ref = NULL;
        _cleanup_free_ char *subject = NULL, *target = NULL;
        _cleanup_json_ json_object *manifest = NULL;
        bool base_cached = false;
        int r;

        if (!cache_repo || asprintf(&c->ref, "berth/%s/x86_64", c->recipe->name) < 0 ||
            asprintf(&base_ref, "berth-base/%s", c->base_key) < 0 ||
            asprintf(&subject, "berth %s %s", c->recipe->name, c->recipe->version) < 0)
                return log_oom();

        manifest = manifest_new(c);
        if (!manifest)
                return log_oom();
        sha256_data(json_text(manifest), strlen(json_text(manifest)), c->manifest_sha256);

        CommitSpec spec = {
                .repo = cache_repo,
                .base_tree = c->base_tree,
                .base_ref = base_ref,
                .delta = c->delta,
                .ref = c->ref,
                .subject = subject,
                .version = c->recipe->version,
                .manifest_sha256 = c->manifest_sha256,
                .timestamp = c->source_date_epoch,
        };
        r = ostree_commit_image(&spec, &c->commit, &base_cached);
        if (r < 0)
                return r;
        if (build_interrupted())
                return -EINTR;

        /* OUTDIR/repo is part of the outputs being built; a --repo of the
         * user's gets the ref only when the whole build has succeeded
         * (build.c: publish), so a failed build never moves it. */
        if (c->opts->repo_dir) {
                target = realpath(c->opts->repo_dir, NULL) ?: strdup(c->opts->repo_dir);
                c->repo = target ? strdup(target) : NULL;
                if (!c->repo)
                        return log_oom();
        } else {
                target = path_join(c->stage_out, "repo");
                c->repo = path_join(c->output_dir, "repo");
                if (!target || !c->repo)
                        return log_oom();
                r = ostree_copy_ref(cache_repo, target, c->ref);
                if (r < 0)
                        return r;
        }
        {
                _cleanup_free_ char *trees = cache_path(c->cache, "trees", NULL);
                int64_t freed = trees ? ostree_prune_cache(cache_repo, trees) : -ENOMEM;
                if (freed < 0)
                        log_warning("The cache's repository was not pruned; the build goes on.");
                else if (freed > 0)
                        log_info("cache: pruned %.1f MB of earlier builds' objects", (double) freed / 1e6);
        }
        log_info("commit %s (%s), base tree %s", c->commit, c->ref, base_cached ? "reused" : "committed");
        return 0;
}
