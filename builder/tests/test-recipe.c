/* SPDX-License-Identifier: MIT */

/* recipe.c: an overlay must be a folder, named as such: a symlink to a
 * folder would be copied as nothing (the copy follows no symlink), so the
 * recipe is refused at the line that lists it. An overlay stays inside the
 * recipe's folder or is one of berth's own (berth:NAME). free_space is a
 * size that does not wrap around. */

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

static int load_overlay(const char *dir, const char *overlay, Recipe **ret, TomlError *e) {
        _cleanup_free_ char *extra = NULL;

        if (asprintf(&extra, "[overlays]\npaths = [\"%s\"]\n", overlay) < 0)
                abort();
        return load_extra(dir, extra, ret, e);
}

static void overlay_refused(const char *dir, const char *overlay, const char *why) {
        TomlError e;
        int k = load_overlay(dir, overlay, NULL, &e);

        ok(k == -EINVAL && strstr(e.msg, why) && e.line == 9 && e.column == 10,
           "overlay '%s' is refused at 9:10 (%d, %u:%u: %s)", overlay, k, e.line, e.column, e.msg);
}

/* The overlay is accepted and its path is want, with no trailing '/'. */
static void overlay_is(const char *dir, const char *overlay, const char *want) {
        _cleanup_(recipe_freep) Recipe *r = NULL;
        TomlError e = { 0 };
        int k = load_overlay(dir, overlay, &r, &e);

        ok(k == 0 && r->n_overlays == 1 && streq(r->overlays[0].path, want),
           "overlay '%s' is %s (%d: %s, %s)", overlay, want, k, e.msg, k == 0 ? r->overlays[0].path : "");
}

static void overlay_berth(const char *dir, const char *overlay, const char *suffix) {
        _cleanup_(recipe_freep) Recipe *r = NULL;
        TomlError e = { 0 };
        int k = load_overlay(dir, overlay, &r, &e);
        size_t n = k == 0 ? strlen(r->overlays[0].path) : 0;

        ok(k == 0 && n > strlen(suffix) && streq(r->overlays[0].path + n - strlen(suffix), suffix),
           "overlay '%s' is berth's own, found beside the program (%d: %s, %s)", overlay, k, e.msg,
           k == 0 ? r->overlays[0].path : "");
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
        _cleanup_free_ char *real = NULL, *link = NULL, *dotdot = NULL, *out = NULL;
        TomlError e;
        int r;

        if (!mkdtemp(dir) || asprintf(&real, "%s/real", dir) < 0 || asprintf(&link, "%s/link", dir) < 0 ||
            asprintf(&dotdot, "%s/..real", dir) < 0 || asprintf(&out, "%s/out", dir) < 0 ||
            mkdir(real, 0755) < 0 || mkdir(dotdot, 0755) < 0 || symlink("real", link) < 0 ||
            symlink("/", out) < 0)
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
        overlay_refused(dir, "/etc", "must be relative to the recipe's folder");
        overlay_refused(dir, "..", "no '..'");
        overlay_refused(dir, "../etc", "no '..'");
        overlay_refused(dir, "real/../../etc", "no '..'");
        overlay_refused(dir, "real/..", "no '..'");
        overlay_refused(dir, "out/etc", "leads out of the recipe's folder");
        overlay_refused(dir, "link/", "is a symlink");
        overlay_refused(dir, "berth:", "berth's overlays are named");
        overlay_refused(dir, "berth:../x", "berth's overlays are named");
        overlay_refused(dir, "berth:a/b", "berth's overlays are named");
        overlay_refused(dir, "berth:no-such-overlay", "No such file");
        overlay_is(dir, "real/", real);
        overlay_is(dir, "./real//", real);
        overlay_is(dir, "..real", dotdot);
        overlay_berth(dir, "berth:containerd", "/overlays/containerd");

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
