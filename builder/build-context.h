/* SPDX-License-Identifier: MIT */
#pragma once

/* What the stages of one build share. Each stage fills its part; the order
 * of stages lives in build.c's stages[]. */

#include <stdbool.h>
#include <stdint.h>

#include "build.h"
#include "cache.h"
#include "deb.h"

typedef struct Package {
        char *name;
        char *version;
        char *architecture;
        char *deb; /* path of the .deb in the cache */
        char sha256[65];
        uint64_t size; /* bytes of the .deb */
        DebControl *control; /* filled by the unpack stage (NULL when the tree came from the cache) */
        char *source; /* source package (from the resolve record) */
        char *license; /* NULL when unknown */
} Package;

typedef struct BuildContext {
        const Recipe *recipe;
        const BuildOptions *opts;
        Cache *cache;

        char *output_dir; /* final place of the artifacts */
        char *stage_out; /* the artifacts while building: renamed to output_dir at the end */
        char *berth_init; /* the berth-init binary to install */
        char *dracut_module; /* folder of berth's dracut module */

        /* resolve */
        Package *packages;
        size_t n_packages;
        char resolve_key[65];

        /* unpack: the base tree (packages only), shared by every image of the same packages */
        char base_key[65];
        char berth_init_sha256[65];
        char *base_tree;
        char *kver;
        int64_t source_date_epoch;
        uint64_t base_size;

        /* initramfs */
        char *initramfs;

        /* the image's own files on top of the base tree: overlays, generated files */
        char *delta;
        uint64_t delta_size;

        /* commit */
        char *ref;
        char *commit;
        char *repo; /* the repository the user sees */
        char manifest_sha256[65];

        bool stage_cached; /* set by a stage that found its result in the cache */
} BuildContext;

/* True once SIGINT or SIGTERM arrived; long loops check it and stop. */
bool build_interrupted(void);
