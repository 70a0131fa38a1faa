/* SPDX-License-Identifier: MIT */
#pragma once

/* A recipe is the TOML file a user writes to describe an image; the reference
 * is docs/recipe.md. recipe_load() parses and validates it completely, so the
 * build stages never see a half-checked value. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strv.h"

#include "toml/toml.h"

/* overlays.paths: "NAME/..." inside the recipe's folder, or "berth:NAME",
 * one of berth's own (docs/recipe.md). */
#define BERTH_OVERLAY_PREFIX "berth:"

typedef struct RecipeOverlay {
        char *path; /* absolute and canonical, inside the recipe's folder or berth's overlays */
        TomlPos pos;
        bool berth; /* named berth:NAME */
} RecipeOverlay;

typedef struct Recipe {
        char *path; /* as given on the command line, for messages */
        char *dir; /* absolute folder holding the recipe */

        /* [image] */
        char *name; /* required, [a-z0-9][a-z0-9._-]* */
        char *version; /* required */
        char *description; /* optional, "" when absent */
        char *var; /* "persistent" (default) or "tmpfs" */
        char *shell; /* console for a debug shell ("ttyS1"), NULL for none */

        /* [packages] */
        char **packages; /* required, non-empty, Debian package names */
        TomlPos *package_pos; /* where each package is named, for "not found" messages */
        char **exclude_paths; /* absolute globs, see docs/recipe.md */

        /* [kernel] */
        char *kernel_package; /* default linux-image-cloud-amd64 */
        char *kernel_cmdline; /* extra kernel arguments, default "" */
        char **kernel_modules; /* extra modules for the initramfs and the image */

        /* [source] */
        char **source_lines; /* one-line apt sources; empty: the build host's sources */
        char *source_keyring; /* a keyring file or folder; NULL: the build host's */

        /* [overlays] */
        RecipeOverlay *overlays;
        size_t n_overlays;
        char *berth_overlays; /* berth's overlays folder, found when a recipe names one */

        /* [output] */
        char **formats; /* "raw", "qcow2"; default raw */
        char *free_space; /* room left on the root filesystem, e.g. "1G" (default) */
        uint64_t free_space_bytes;
} Recipe;

/* Reads and validates the recipe at path. Returns 0 and a Recipe, -EINVAL with
 * *reterr set (line, column, message) for a bad recipe, or another -errno when
 * the file can't be read (reterr then holds no position). */
int recipe_load(const char *path, Recipe **ret, TomlError *reterr);

Recipe *recipe_free(Recipe *r);

static inline void recipe_freep(Recipe **r) {
        if (*r)
                *r = recipe_free(*r);
}
