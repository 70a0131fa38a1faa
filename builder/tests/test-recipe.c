/* SPDX-License-Identifier: MIT */

/* recipe.c: an overlay must be a folder, named as such: a symlink to a
 * folder would be copied as nothing (the copy follows no symlink), so the
 * recipe is refused at the line that lists it. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/tests/tap.h"
#include "fileio.h"
#include "recipe.h"
#include "rm-rf.h"

/* Writes dir/recipe.toml: the required keys, then extra (more TOML). */
static int load_extra(const char *dir, const char *extra, Recipe **ret, TomlError *e) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_(recipe_freep) Recipe *r = NULL;
        FILE *f;
        int k;

        if (asprintf(&path, "%s/recipe.toml", dir) < 0 ||
            asprintf(&text,
                     "[image]\nname = \"t\"\nversion = \"1\"\n\n[packages]\ninclude = [\"runc\"]\n\n%s",
                     extra) < 0)
                abort();
        f = fopen(path, "we");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0)
                abort();
        k = recipe_load(path, &r, e);
        if (ret)
                *ret = TAKE_PTR(r);
        return k;
}

static int load_with_overlay(const char *dir, const char *overlay, TomlError *e) {
        _cleanup_free_ char *extra = NULL;

        if (asprintf(&extra, "[overlays]\npaths = [\"%s\"]\n", overlay) < 0)
                abort();
        return load_extra(dir, extra, NULL, e);
}

static void free_space_is(const char *dir, const char *value, uint64_t want) {
        _cleanup_(recipe_freep) Recipe *r = NULL;
        _cleanup_free_ char *extra = NULL;
        TomlError e;
        int k;

        if (asprintf(&extra, "[output]\nfree_space = \"%s\"\n", value) < 0)
                abort();
        k = load_extra(dir, extra, &r, &e);
        ok(k == 0 && r->free_space_bytes == want, "free_space = \"%s\" is %llu bytes (%d: %s)", value,
           (unsigned long long) want, k, e.msg);
}

static void free_space_bad(const char *dir, const char *value) {
        _cleanup_free_ char *extra = NULL;
        TomlError e;
        int k;

        if (asprintf(&extra, "[output]\nfree_space = \"%s\"\n", value) < 0)
                abort();
        k = load_extra(dir, extra, NULL, &e);
        ok(k == -EINVAL && strstr(e.msg, "is not a size") && e.line == 9 && e.column == 14,
           "free_space = \"%s\" is refused at 9:14 (%d, %u:%u: %s)", value, k, e.line, e.column, e.msg);
}

int main(void) {
        char dir[] = "/tmp/test-recipe-XXXXXX";
        _cleanup_free_ char *real = NULL, *link = NULL;
        TomlError e;
        int r;

        if (!mkdtemp(dir) || asprintf(&real, "%s/real", dir) < 0 || asprintf(&link, "%s/link", dir) < 0 ||
            mkdir(real, 0755) < 0 || symlink("real", link) < 0)
                abort();

        r = load_with_overlay(dir, "real", &e);
        ok(r == 0, "an overlay that is a folder is accepted (%d: %s)", r, e.msg);

        r = load_with_overlay(dir, "link", &e);
        ok(r == -EINVAL, "an overlay that is a symlink to a folder is refused (%d)", r);
        ok(strstr(e.msg, "is a symlink") != NULL, "the message says why: %s", e.msg);
        ok(e.line == 9 && e.column == 10, "and names the recipe's line and column (%u:%u)", e.line,
           e.column);

        r = load_with_overlay(dir, "missing", &e);
        ok(r == -EINVAL && strstr(e.msg, "No such file or directory"), "a missing overlay is refused: %s",
           e.msg);
        free_space_is(dir, "4096", 4096);
        free_space_is(dir, "512M", UINT64_C(512) << 20);
        free_space_is(dir, "16384G", UINT64_C(1) << 44);
        free_space_is(dir, "17179869184K", UINT64_C(1) << 44);
        free_space_bad(dir, "16385G");
        free_space_bad(dir, "17179869184G"); /* 2^64 bytes: wrapped around to 0 */
        free_space_bad(dir, "18014398509481984M");
        free_space_bad(dir, "99999999999999999999");
        free_space_bad(dir, "-1G");
        free_space_bad(dir, "+1G");
        free_space_bad(dir, " 1G");
        free_space_bad(dir, "1T");
        free_space_bad(dir, "");

        ok(rm_rf(dir) == 0, "remove the test's folder");
        return tap_done();
}
