/* SPDX-License-Identifier: MIT */

/* fs-util.c: rm_rf removes what it is given and nothing a symlink points
 * to; walk_tree visits every entry once, with the caller's state. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dir-walk.h"
#include "fs-util.h"
#include "macro.h"
#include "path-util.h"
#include "rm-rf.h"
#include "strv.h"
#include "tap.h"

static char *at(const char *dir, const char *rel) {
        char *p = path_join(dir, rel);
        if (!p)
                abort();
        return p;
}

static void touch(const char *dir, const char *rel) {
        _cleanup_free_ char *p = at(dir, rel);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, "12345", 5) != 5)
                abort();
        close(fd);
}

static bool exists(const char *dir, const char *rel) {
        _cleanup_free_ char *p = at(dir, rel);
        struct stat st;
        return lstat(p, &st) == 0;
}

/* A tree: a/b/c/file, a/file, a/link -> ../outside (a folder beside the tree), a/dangling. */
static void make_tree(const char *top) {
        _cleanup_free_ char *abc = at(top, "tree/a/b/c"), *outside = at(top, "outside");
        _cleanup_free_ char *link = at(top, "tree/a/link"), *dangling = at(top, "tree/a/dangling");

        if (mkdir_p(abc, 0755) < 0 || mkdir_p(outside, 0755) < 0 || symlink("../../outside", link) < 0 ||
            symlink("nowhere", dangling) < 0)
                abort();
        touch(top, "tree/a/b/c/file");
        touch(top, "tree/a/file");
        touch(top, "outside/keep");
}

typedef struct Count {
        unsigned dirs, files, symlinks, max_depth;
        char **rels;
        int stop_at_file; /* nonzero: return this error at the first file */
} Count;

static int count_one(const WalkEntry *e, void *userdata) {
        Count *c = userdata;

        if (e->depth > c->max_depth)
                c->max_depth = e->depth;
        if (strv_extend(&c->rels, e->rel) < 0)
                return -ENOMEM;
        switch (e->type) {
        case WALK_DIR:
                c->dirs++;
                break;
        case WALK_FILE:
                c->files++;
                if (c->stop_at_file)
                        return c->stop_at_file;
                break;
        case WALK_SYMLINK:
                c->symlinks++;
                break;
        }
        return 0;
}

static void test_walk(const char *top) {
        _cleanup_free_ char *tree = at(top, "tree");
        Count c = { 0 }, stop = { .stop_at_file = -EIO };
        int r;

        r = walk_tree(tree, count_one, &c);
        ok(r == 0, "walk_tree returns 0 (%d)", r);
        ok(c.dirs == 4, "4 folders, the root included (%u)", c.dirs);
        ok(c.files == 2, "2 files (%u)", c.files);
        ok(c.symlinks == 2, "2 symlinks, not followed (%u)", c.symlinks);
        ok(c.max_depth == 4, "depth of a/b/c/file is 4 (%u)", c.max_depth);
        ok(strv_contains(c.rels, "") && strv_contains(c.rels, "a/b/c/file") &&
                   !strv_contains(c.rels, "a/link/keep"),
           "relative paths, nothing through the symlink");
        ok(strv_length(c.rels) == 8, "each entry once (%zu)", strv_length(c.rels));
        strv_free(c.rels);

        r = walk_tree(tree, count_one, &stop);
        ok(r == -EIO && stop.files == 1, "a callback's error stops the walk and is returned (%d)", r);
        strv_free(stop.rels);

        _cleanup_free_ char *missing = at(top, "missing");
        Count none = { 0 };
        ok(walk_tree(missing, count_one, &none) == -ENOENT && none.dirs == 0, "a missing root is -ENOENT");
}

static void test_rm_rf(const char *top) {
        _cleanup_free_ char *tree = at(top, "tree"), *file = at(top, "outside/keep");
        _cleanup_free_ char *cwd_before = getcwd(NULL, 0), *cwd_after = NULL;

        ok(rm_rf(tree) == 0, "rm_rf removes the tree");
        ok(!exists(top, "tree"), "the tree is gone");
        ok(exists(top, "outside/keep"), "what a symlink in it pointed to stays");
        cwd_after = getcwd(NULL, 0);
        ok(cwd_before && cwd_after && streq(cwd_before, cwd_after), "the working folder is unchanged");
        ok(rm_rf(tree) == 0, "a path that does not exist is fine");
        ok(rm_rf(file) == 0 && !exists(top, "outside/keep"), "a file is removed");

        _cleanup_free_ char *link = at(top, "link"), *target = at(top, "outside");
        if (symlink(target, link) < 0)
                abort();
        touch(top, "outside/again");
        ok(rm_rf(link) == 0 && !exists(top, "link") && exists(top, "outside/again"),
           "a symlink to a folder is removed, not the folder");
}

int main(void) {
        char top[] = "/tmp/berth-test-fs-util-XXXXXX";

        if (!mkdtemp(top))
                return 1;
        make_tree(top);
        test_walk(top);
        test_rm_rf(top);
        ok(rm_rf(top) == 0 && !exists("/", top + 1), "cleanup");
        return tap_done();
}
