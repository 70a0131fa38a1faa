/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "recipe.h"

/* Exit codes of build-image, documented in --help. */
enum {
        BUILD_EXIT_FAILED = 1,
        BUILD_EXIT_USAGE = 2,
        BUILD_EXIT_PACKAGE = 3,
        BUILD_EXIT_INTERRUPTED = 130,
};

typedef struct BuildOptions {
        const char *output_dir; /* NULL: ./out/<name> */
        const char *cache_dir; /* NULL: default cache */
        const char *repo_dir; /* NULL: <output>/repo */
        const char *gpg_key; /* --gpg-sign: sign the commit and the summary; NULL: unsigned */
        const char *gpg_homedir; /* --gpg-homedir; NULL: gpg's default */
        bool quiet;
        bool json;
        bool refresh; /* update the package lists and resolve again */
} BuildOptions;

/* --check: prints what the image will contain (text, or JSON with --json). */
int build_print_plan(const Recipe *recipe, const BuildOptions *opts);

/* Runs every stage; returns one of the exit codes above. */
int build_run(const Recipe *recipe, const BuildOptions *opts);
