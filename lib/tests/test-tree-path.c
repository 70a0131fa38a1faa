/* SPDX-License-Identifier: MIT */

/* tree-path.c: every path resolves inside the tree, as if it were "/":
 * absolute symlinks and ".." lead back into it, loops fail, and a final
 * symlink is replaced or removed, never written through. The victim, a
 * folder beside the tree that every symlink in the tree names by its
 * absolute path, is checked unchanged after each case. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dir-walk.h"
#include "fileio.h"
#include "fs-util.h"
#include "macro.h"
#include "rm-rf.h"
#include "tap.h"
#include "tree-path.h"

static char top[] = "/tmp/test-tree-path-XXXXXX";
static char *tree, *victim;

static char *at(const char *dir, const char *rel) {
        char *p;
        if (asprintf(&p, "%s/%s", dir, rel) < 0)
                abort();
        return p;
}

static void put(const char *path, const char *text) {
        if (write_file_atomic(path, text, strlen(text), 0600) < 0)
                abort();
}

/* tree/rel -> target */
static void link_in_tree(const char *target, const char *rel) {
        _cleanup_free_ char *p = at(tree, rel);
        (void) unlink(p);
        if (symlink(target, p) < 0)
                abort();
}

static char *slurp(const char *path) {
        char *text = NULL;
        return read_full_file(path, 0, &text, NULL) < 0 ? NULL : text;
}

/* The victim holds "secret" (0600) and nothing else. */
static bool victim_untouched(void) {
        _cleanup_free_ char *file = at(victim, "secret"), *text = slurp(file);
        struct stat st;
        unsigned n = 0;
        DIR *d = opendir(victim);
        struct dirent *de;

        if (!d)
                return false;
        while ((de = readdir(d)))
                n += de->d_name[0] != '.';
        closedir(d);
        return n == 1 && text && streq(text, "host's") && stat(file, &st) == 0 &&
               (st.st_mode & 07777) == 0600;
}

static bool tree_file_is(const char *rel, const char *want) {
        _cleanup_free_ char *p = at(tree, rel), *text = slurp(p);
        return text && streq(text, want);
}

static void test_absolute_link(int root) {
        _cleanup_free_ char *in_tree_victim = NULL;
        _cleanup_close_ int fd = -EBADF;
        char *text = NULL;
        int r;

        /* etc/ssl -> VICTIM: a write under it goes to TREE/VICTIM, made on the way. */
        link_in_tree(victim, "etc/ssl");
        in_tree_victim = at(tree, victim);
        r = tree_path_write(root, "etc/ssl/certs/ca.crt", "bundle", 6, 0644);
        ok(r == -ELOOP, "a write under an absolute link to a folder missing in the tree fails (%d)", r);
        ok(victim_untouched(), "the victim is untouched by that write");
        if (mkdir_p(in_tree_victim, 0755) < 0)
                abort();
        r = tree_path_write(root, "etc/ssl/certs/ca.crt", "bundle", 6, 0644);
        ok(r == 0, "a write under an absolute link lands in the tree (%d)", r);
        _cleanup_free_ char *landed = at(victim + 1, "certs/ca.crt");
        ok(tree_file_is(landed, "bundle"), "in TREE%s/certs/ca.crt", victim);
        ok(victim_untouched(), "the victim is untouched");

        /* A read through the link reads the tree's file, not the host's. */
        _cleanup_free_ char *tree_secret = at(in_tree_victim, "secret");
        put(tree_secret, "tree's");
        link_in_tree(victim, "etc/shadow-dir");
        r = tree_path_read(root, "etc/shadow-dir/secret", 0, &text, NULL);
        ok(r == 0 && text && streq(text, "tree's"), "a read through an absolute link reads the tree's file");
        free(text);
        text = NULL;
        _cleanup_free_ char *abs_secret = at(victim, "secret");
        link_in_tree(abs_secret, "etc/shadow");
        r = tree_path_read(root, "etc/shadow", 0, &text, NULL);
        ok(r == 0 && text && streq(text, "tree's"), "a final absolute link is read in the tree");
        free(text);

        /* mkdir -p and a folder's mode set through its descriptor. */
        link_in_tree(victim, "run");
        fd = tree_path_mkdir_p(root, "run", 0755);
        ok(fd >= 0 && fchmod(fd, 01777) == 0, "mkdir -p of run -> VICTIM opens TREE%s", victim);
        ok(victim_untouched(), "the victim's mode is untouched");
        if (unlink(tree_secret) < 0 || rm_rf(in_tree_victim) < 0)
                abort();
}

static void test_dotdot(int root) {
        int r;

        link_in_tree("../../../../../../../..", "up");
        _cleanup_free_ char *rel = at("up/../..", victim + 1);
        _cleanup_free_ char *file = at(rel, "secret");
        r = tree_path_write(root, file, "pwned", 5, 0644);
        ok(r == 0, "a write through ../ links and .. components stays in the tree (%d)", r);
        _cleanup_free_ char *landed = at(victim + 1, "secret");
        ok(tree_file_is(landed, "pwned"), "it lands in TREE%s/secret", victim);
        ok(victim_untouched(), "the victim is untouched");
        ok(tree_path_open_real(root, "up", O_RDONLY | O_DIRECTORY) == -ELOOP,
           "open_real refuses a path through a symlink");
        ok(tree_path_open_real(root, "etc/../..", O_RDONLY | O_DIRECTORY) == -EXDEV,
           "open_real refuses a path out of the tree with ..");
        _cleanup_free_ char *first = strndup(victim + 1, strcspn(victim + 1, "/"));
        if (rm_rf_at(root, first) < 0)
                abort();
}

static void test_loops(int root) {
        char *text = NULL;
        int r;

        link_in_tree("loop2", "loop1");
        link_in_tree("/loop1", "loop2");
        r = tree_path_read(root, "loop1/file", 0, &text, NULL);
        ok(r == -ELOOP, "a link loop fails a read with ELOOP (%d)", r);
        r = tree_path_write(root, "loop1/file", "x", 1, 0644);
        ok(r == -ELOOP, "a link loop fails a write with ELOOP (%d)", r);
        free(text);
        /* The loop itself can still be removed: its final link is not followed. */
        ok(tree_path_unlink(root, "loop1") == 0 && tree_path_unlink(root, "loop2") == 0,
           "the loop's links are removed, not followed");
}

static void test_final_component(int root) {
        _cleanup_free_ char *file = at(victim, "secret"), *link = at(tree, "etc/passwd");
        struct stat st;
        int r;

        link_in_tree(file, "etc/passwd");
        r = tree_path_write(root, "etc/passwd", "root:x:0:0::/root:/bin/sh\n", 26, 0644);
        ok(r == 0 && lstat(link, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644,
           "a final symlink is replaced by the file written");
        ok(victim_untouched(), "the victim is untouched");

        link_in_tree(victim, "boot");
        ok(tree_path_rm_rf(root, "boot") == 0, "rm -rf of a link to a folder");
        ok(lstat(link, &st) == 0 && victim_untouched(), "removes the link only");

        link_in_tree(victim, "var");
        ok(tree_path_symlink(root, "x", "var") == -EEXIST, "symlink onto an existing link is -EEXIST");
        ok(tree_path_lstat(root, "var", &st) == 0 && S_ISLNK(st.st_mode),
           "lstat does not follow the final link");
        ok(tree_path_rename(root, "etc/passwd", "var") == 0, "rename replaces a final link");
        ok(victim_untouched(), "the victim is untouched");
        ok(tree_path_open_parent(root, "etc/..", -1, &(const char *){ NULL }) == -EINVAL,
           "a path ending in .. names no file");
}

static void test_real(int root) {
        _cleanup_free_ char *usr = at(tree, "usr");
        int fd;

        /* TREE/VICTIM exists: in the tree, the link would lead somewhere. */
        _cleanup_free_ char *in_tree_victim = at(tree, victim);
        if (mkdir(usr, 0755) < 0 || mkdir_p(in_tree_victim, 0755) < 0)
                abort();
        link_in_tree(victim, "usr/etc");
        fd = tree_path_mkdir_p_real(root, "usr/etc/x", 0755);
        ok(fd == -ELOOP, "mkdir -p with no symlinks refuses a link on the way (%d)", fd);
        ok(tree_path_write_real(root, "usr/etc/x/file", "x", 1, 0644) == -ELOOP,
           "a write with no symlinks refuses a link among the parents");
        ok(victim_untouched(), "the victim is untouched");
        fd = tree_path_mkdir_p_real(root, "usr/lib/x", 0755);
        ok(fd >= 0, "mkdir -p with no symlinks makes real folders");
        safe_close(fd);
        if (rm_rf(in_tree_victim) < 0)
                abort();
}

static int count(const WalkEntry *e, void *userdata) {
        unsigned *n = userdata;
        (void) e;
        (*n)++;
        return 0;
}

static void test_walk(int root) {
        _cleanup_close_ int fd = -EBADF;
        unsigned n = 0;

        link_in_tree(victim, "walk");
        fd = tree_path_open(root, "walk", O_RDONLY | O_DIRECTORY, 0);
        ok(fd == -ENOENT, "a link to a folder missing in the tree opens nothing (%d)", fd);
        fd = tree_path_open(root, "usr", O_RDONLY | O_DIRECTORY, 0);
        ok(fd >= 0 && walk_tree_fd(fd, "usr", count, &n) == 0 && n == 4,
           "walk_tree_fd walks the folder opened in the tree: usr, etc, lib, lib/x");
}

int main(void) {
        _cleanup_close_ int root = -EBADF;
        _cleanup_free_ char *secret = NULL, *etc = NULL;

        /* valgrind before 3.20 knows no openat2 and answers ENOSYS: nothing to test there. */
        root = tree_path_open(AT_FDCWD, "/", O_PATH, 0);
        if (root == -ENOSYS) {
                printf("1..0 # SKIP openat2() is not available here (valgrind before 3.20?)\n");
                return 0;
        }
        root = safe_close(root);
        if (!mkdtemp(top))
                return 1;
        tree = at(top, "tree");
        victim = at(top, "victim");
        secret = at(victim, "secret");
        etc = at(tree, "etc");
        if (mkdir(tree, 0755) < 0 || mkdir(victim, 0755) < 0 || mkdir(etc, 0755) < 0)
                abort();
        put(secret, "host's");
        root = tree_path_open_root(tree);
        ok(root >= 0, "the tree opens");
        ok(tree_path_open_root(secret) == -ENOTDIR, "a file is no tree");

        test_absolute_link(root);
        test_dotdot(root);
        test_loops(root);
        test_final_component(root);
        test_real(root);
        test_walk(root);

        (void) rm_rf(top);
        free(tree);
        free(victim);
        return tap_done();
}
