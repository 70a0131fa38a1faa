/* SPDX-License-Identifier: MIT */

/* build-image: parses arguments and dispatches; the work lives in the stage
 * files listed by build.c. */

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "build.h"
#include "log.h"
#include "recipe.h"
#include "version.h"

static void help(void) {
        printf("Usage: build-image [OPTIONS] RECIPE.toml\n"
               "\n"
               "Build a minimal, immutable container-host image from a recipe.\n"
               "\n"
               "Options:\n"
               "  -c, --check        validate the recipe and show what the image will hold; build nothing\n"
               "  -o, --output DIR   where the artifacts go (default: ./out/<image name>)\n"
               "      --cache DIR    package and stage cache (default: /var/cache/berth)\n"
               "      --repo DIR     ostree repository to commit into (default: DIR/repo of --output)\n"
               "      --gpg-sign KEYID\n"
               "                     sign the commit and the repository's summary with this GPG key\n"
               "                     (docs/updates.md: Publishing)\n"
               "      --gpg-homedir DIR\n"
               "                     GnuPG home folder holding the key (default: gpg's own)\n"
               "      --refresh      update the package lists and choose the packages again (otherwise\n"
               "                     the versions chosen by the first build with this cache are kept)\n"
               "  -q, --quiet        print errors only\n"
               "      --json         print one JSON result object on stdout\n"
               "  -h, --help         show this help\n"
               "      --version      show the version\n"
               "\n"
               "Exit status:\n"
               "  0  success\n"
               "  1  the build failed (the message says which stage and why)\n"
               "  2  bad usage, a bad recipe (file:line:column: message), or a GPG key\n"
               "     that cannot sign (checked before building)\n"
               "  3  a package could not be found or downloaded\n"
               "  130 interrupted (outputs untouched, cache consistent)\n"
               "\n"
               "Recipe reference: docs/recipe.md\n");
}

/* Walking and removing a tree keeps a file descriptor open per folder
 * level, and the default soft limit (1024) is far below what the hard
 * limit allows: use all of it. deb.c bounds how deep a package may go. */
static void raise_nofile_limit(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
                return;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                log_debug_errno(errno, "Cannot raise RLIMIT_NOFILE: %m");
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "check", no_argument, NULL, 'c' },
                { "output", required_argument, NULL, 'o' },
                { "cache", required_argument, NULL, 'C' },
                { "repo", required_argument, NULL, 'R' },
                { "quiet", no_argument, NULL, 'q' },
                { "json", no_argument, NULL, 'J' },
                { "refresh", no_argument, NULL, 'U' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { "gpg-sign", required_argument, NULL, 'G' },
                { "gpg-homedir", required_argument, NULL, 'H' },
                {},
        };
        _cleanup_(recipe_freep) Recipe *recipe = NULL;
        BuildOptions opts = { 0 };
        bool check_only = false;
        TomlError err;
        int c, r;

        raise_nofile_limit();
        while ((c = getopt_long(argc, argv, "co:qh", options, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        check_only = true;
                        break;
                case 'o':
                        opts.output_dir = optarg;
                        break;
                case 'C':
                        opts.cache_dir = optarg;
                        break;
                case 'R':
                        opts.repo_dir = optarg;
                        break;
                case 'q':
                        opts.quiet = true;
                        log_set_max_level(LOG_LEVEL_WARNING);
                        break;
                case 'J':
                        opts.json = true;
                        break;
                case 'U':
                        opts.refresh = true;
                        break;
                case 'G':
                        opts.gpg_key = optarg;
                        break;
                case 'H':
                        opts.gpg_homedir = optarg;
                        break;
                case 'h':
                        help();
                        return EXIT_SUCCESS;
                case 'V':
                        printf("build-image (berth) %s\n", BERTH_VERSION);
                        return EXIT_SUCCESS;
                default:
                        fprintf(stderr, "Try 'build-image --help'.\n");
                        return BUILD_EXIT_USAGE;
                }
        }
        if (optind != argc - 1) {
                fprintf(stderr,
                        "build-image: expected exactly one recipe file. Try 'build-image --help'.\n");
                return BUILD_EXIT_USAGE;
        }

        if (opts.gpg_homedir && !opts.gpg_key) {
                fprintf(stderr,
                        "build-image: --gpg-homedir needs --gpg-sign KEYID. Try 'build-image --help'.\n");
                return BUILD_EXIT_USAGE;
        }

        r = recipe_load(argv[optind], &recipe, &err);
        if (r < 0) {
                char msg[sizeof(err.msg) + PATH_MAX + 32];
                if (r == -EINVAL && err.line > 0)
                        snprintf(msg, sizeof(msg), "%s:%u:%u: %s", argv[optind], err.line, err.column,
                                 err.msg);
                else
                        snprintf(msg, sizeof(msg), "%s: %s", argv[optind],
                                 r == -EINVAL ? err.msg : strerror(-r));
                fprintf(stderr, "%s\n", msg);
                /* A pipeline reading --json gets its one object on failure too. */
                if (opts.json) {
                        json_object *o = json_object_new_object();
                        json_object_object_add(o, "status", json_object_new_string("error"));
                        json_object_object_add(o, "exit_code", json_object_new_int(BUILD_EXIT_USAGE));
                        json_object_object_add(o, "error", json_object_new_string(msg));
                        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
                        json_object_put(o);
                }
                return BUILD_EXIT_USAGE;
        }

        if (check_only)
                return build_print_plan(recipe, &opts) < 0 ? BUILD_EXIT_FAILED : EXIT_SUCCESS;

        return build_run(recipe, &opts);
}
