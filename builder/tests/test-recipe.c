/* SPDX-License-Identifier: MIT */

/* recipe.c: an overlay must be a folder, named as such: a symlink to a
 * folder would be copied as nothing (the copy follows no symlink), so the
 * recipe is refused at the line that lists it. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/tests/tap.h"
#include "fileio.h"
#include "recipe.h"
#include "rm-rf.h"

static int load_with_overlay(const char *dir, const char *overlay, TomlError *e) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_(recipe_freep) Recipe *r = NULL;
        FILE *f;

        if (asprintf(&path, "%s/recipe.toml", dir) < 0 ||
            asprintf(&text,
                     "[image]\nname = \"t\"\nversion = \"1\"\n\n[packages]\ninclude = [\"runc\"]\n\n"
                     "[overlays]\npaths = [\"%s\"]\n",
                     overlay) < 0)
                abort();
        f = fopen(path, "we");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0)
                abort();
        return recipe_load(path, &r, e);
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
        ok(rm_rf(dir) == 0, "remove the test's folder");
        return tap_done();
}
