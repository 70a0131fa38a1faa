/* SPDX-License-Identifier: MIT */

/* Stage commit: base tree and delta become one ostree commit, made in the
 * cache's repository (where the base tree's objects already are, so only the
 * delta is new) and then copied with its objects into OUTDIR/repo, or, once
 * the build has succeeded, into the user's repository (--repo); either way
 * signed, with a static delta and a summary (ostree-publish.h). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "json-util.h"
#include "log.h"
#include "manifest.h"
#include "ostree-commit.h"
#include "ostree-publish.h"
#include "path-util.h"
#include "stages.h"

void commit_done(Commit *c) {
        free(c->ref);
        free(c->commit);
        free(c->repo);
        json_object_put(c->manifest);
        *c = (Commit){ 0 };
}

int stage_commit(const BuildEnv *env, const PackageSet *packages, const BaseTree *base, const Delta *delta,
                 const SysFiles *sysfiles, Commit *ret) {
        _cleanup_free_ char *cache_repo = cache_path(env->cache, "repo", NULL), *base_ref = NULL;
        _cleanup_free_ char *subject = NULL, *target = NULL;
        const Recipe *recipe = env->recipe;
        bool base_cached = false;
        int r;

        if (!cache_repo || asprintf(&ret->ref, "berth/%s/x86_64", recipe->name) < 0 ||
            asprintf(&base_ref, "berth-base/%s", base->key) < 0 ||
            asprintf(&subject, "berth %s %s", recipe->name, recipe->version) < 0)
                return log_oom();

        ret->manifest = manifest_new(recipe, packages, base, ret->ref, sysfiles->delta_size);
        if (!ret->manifest)
                return log_oom();
        sha256_data(json_text(ret->manifest), strlen(json_text(ret->manifest)), ret->manifest_sha256);

        CommitSpec spec = {
                .repo = cache_repo,
                .base_tree = base->path,
                .base_ref = base_ref,
                .delta = delta->path,
                .ref = ret->ref,
                .subject = subject,
                .version = recipe->version,
                .manifest_sha256 = ret->manifest_sha256,
                .timestamp = base->source_date_epoch,
        };
        r = ostree_commit_image(&spec, &ret->commit, &base_cached);
        if (r < 0)
                return r;
        if (build_interrupted())
                return -EINTR;

        /* OUTDIR/repo is part of the outputs being built; a --repo of the
         * user's gets the ref only when the whole build has succeeded
         * (build.c: publish), so a failed build never moves it. */
        if (env->opts->repo_dir) {
                target = realpath(env->opts->repo_dir, NULL) ?: strdup(env->opts->repo_dir);
                ret->repo = target ? strdup(target) : NULL;
                if (!ret->repo)
                        return log_oom();
        } else {
                target = path_join(env->stage_out, "repo");
                ret->repo = path_join(env->output_dir, "repo");
                if (!target || !ret->repo)
                        return log_oom();
                r = ostree_publish_commit(&(PublishSpec){ .src_repo = cache_repo,
                                                          .repo = target,
                                                          .ref = ret->ref,
                                                          .commit = ret->commit,
                                                          .gpg_key = env->opts->gpg_key,
                                                          .gpg_homedir = env->opts->gpg_homedir },
                                          NULL);
                if (r < 0)
                        return r;
        }
        {
                _cleanup_free_ char *trees = cache_path(env->cache, "trees", NULL);
                int64_t freed = trees ? ostree_prune_cache(cache_repo, trees) : -ENOMEM;
                if (freed < 0)
                        log_warning("The cache's repository was not pruned; the build goes on.");
                else if (freed > 0)
                        log_info("cache: pruned %.1f MB of earlier builds' objects", (double) freed / 1e6);
        }
        log_info("commit %s (%s), base tree %s", ret->commit, ret->ref,
                 base_cached ? "reused" : "committed");
        return 0;
}
