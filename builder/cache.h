/* SPDX-License-Identifier: MIT */
#pragma once

/* The build cache: everything a build can reuse, keyed by the hash of its
 * inputs. Entries appear by rename() of a finished temporary, so a build
 * killed at any moment leaves the cache consistent (at worst a stale
 * temporary, removed by the next build). One build at a time holds the lock.
 *
 *   apt/            private apt state: lists, the .deb archive, an empty dpkg status
 *   resolve/KEY     the package set apt chose for a recipe's inputs
 *   trees/KEY/      unpacked, usr-merged, pruned base trees (kept: the 3 newest)
 *   trees/KEY.meta  what is known of a tree: kernel, date, size, the packages' origins
 *   initramfs/KEY   initramfs images
 *   repo/           ostree archive repository holding every commit built
 *   tmp/            this build's scratch space                              */

#include "fs-util.h"
#include "rm-rf.h"
#include "macro.h"

typedef struct Cache {
        char *dir;
        int lock_fd;
        char *tmp; /* tmp/build-PID, removed when the cache is closed */
} Cache;

/* The default folder: /var/cache/berth. */
char *cache_default_dir(void);

int cache_open(const char *dir, Cache **ret);
Cache *cache_close(Cache *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Cache *, cache_close);

/* cache->dir/kind/key; NULL on OOM. */
char *cache_path(const Cache *c, const char *kind, const char *key);
/* Marks an entry used now (for eviction) and removes all but the `keep`
 * newest entries of that kind. */
void cache_touch_and_evict(const Cache *c, const char *kind, const char *key, unsigned keep);
