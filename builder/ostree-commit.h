/* SPDX-License-Identifier: MIT */
#pragma once

/* Everything that calls libostree in the builder; GError stops here. */

#include <stdbool.h>
#include <stdint.h>

typedef struct CommitSpec {
        const char *repo; /* archive-mode repository (created when missing) */
        const char *base_tree; /* the packages' tree, committed once and reused */
        const char *base_ref; /* ref that keeps the base commit: berth-base/KEY */
        const char *delta; /* the image's own files, laid over the base */
        const char *ref; /* berth/<name>/x86_64 */
        const char *subject;
        const char *version; /* commit metadata "version" */
        const char *manifest_sha256; /* commit metadata "berth.manifest-sha256" */
        int64_t timestamp; /* SOURCE_DATE_EPOCH: the same inputs give the same commit */
} CommitSpec;

/* Commits base (if its ref is missing) and base+delta; returns the commit id. */
int ostree_commit_image(const CommitSpec *spec, char **ret_commit, bool *ret_base_cached);

/* Keeps the cache's repository from growing without end: drops each
 * berth-base/KEY ref whose tree trees_dir/KEY was evicted, then every object
 * no ref reaches (earlier builds' deltas, evicted base trees). Returns the
 * bytes freed, or a negative errno. */
int64_t ostree_prune_cache(const char *repo, const char *trees_dir);
