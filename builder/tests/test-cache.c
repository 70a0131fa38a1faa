/* SPDX-License-Identifier: MIT */

/* cache.c: a tmp/ that cannot be removed does not refuse every later
 * build: it is set aside as tmp.stale-N, and removed by the next build
 * whose clean succeeds. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/tests/tap.h"
#include "cache.h"
#include "log.h"

#define DEPTH 100

static void test_stale_tmp(void) {
        char dir[] = "/tmp/test-cache-XXXXXX";
        _cleanup_free_ char *deep = NULL, *stale = NULL, *tmp = NULL;
        struct rlimit saved, low;
        struct stat st;
        Cache *c = NULL;
        size_t len;

        if (!mkdtemp(dir))
                return (void) ok(false, "mkdtemp");
        /* tmp/d/d/.../d: deeper than the file descriptors rm_rf may open. */
        len = strlen(dir) + strlen("/tmp") + 2 * DEPTH + 1;
        deep = malloc(len);
        if (!deep)
                abort();
        strcpy(deep, dir);
        strcat(deep, "/tmp");
        for (int i = 0; i < DEPTH; i++)
                strcat(deep, "/d");
        if (mkdir_p(deep, 0755) < 0 || asprintf(&stale, "%s/tmp.stale-1", dir) < 0 ||
            asprintf(&tmp, "%s/tmp", dir) < 0)
                abort();

        if (getrlimit(RLIMIT_NOFILE, &saved) < 0)
                abort();
        low = (struct rlimit){ .rlim_cur = DEPTH / 2, .rlim_max = saved.rlim_max };
        if (!ok(setrlimit(RLIMIT_NOFILE, &low) == 0, "lower RLIMIT_NOFILE to %d", DEPTH / 2))
                return;
        ok(rm_rf(tmp) == -EMFILE, "rm_rf of a tree that deep fails with EMFILE");
        log_set_max_level(LOG_LEVEL_ERR); /* the warnings below are expected */
        ok(cache_open(dir, &c) == 0, "cache_open goes on when tmp/ cannot be cleaned");
        ok(lstat(stale, &st) == 0 && S_ISDIR(st.st_mode), "tmp/ set aside as tmp.stale-1");
        ok(c && lstat(c->tmp, &st) == 0 && S_ISDIR(st.st_mode), "a new tmp/build-PID is made");
        c = cache_close(c);

        ok(cache_open(dir, &c) == 0, "a second build opens the cache too");
        ok(lstat(stale, &st) == 0, "tmp.stale-1 is kept while it still cannot be removed");
        c = cache_close(c);

        (void) setrlimit(RLIMIT_NOFILE, &saved);
        ok(cache_open(dir, &c) == 0, "with file descriptors enough, the cache opens");
        ok(lstat(stale, &st) < 0 && errno == ENOENT, "and the clean removes tmp.stale-1");
        c = cache_close(c);
        log_set_max_level(LOG_LEVEL_INFO);
        ok(rm_rf(dir) == 0, "remove the test's folder");
}

/* The cache is private to its owner: made 0700, and an older 0755 one closed on open. */
static void test_private(void) {
        char dir[] = "/tmp/test-cache-XXXXXX";
        _cleanup_free_ char *sub = NULL;
        struct stat st;
        Cache *c = NULL;

        if (!mkdtemp(dir) || asprintf(&sub, "%s/new/cache", dir) < 0)
                return (void) ok(false, "mkdtemp");
        ok(cache_open(sub, &c) == 0, "a new cache opens");
        if (stat(sub, &st) < 0)
                st.st_mode = 0;
        ok((st.st_mode & 07777) == 0700, "a new cache is made 0700 (%o)", st.st_mode & 07777);
        c = cache_close(c);
        chmod(sub, 0755);
        ok(cache_open(sub, &c) == 0, "a 0755 cache opens");
        if (stat(sub, &st) < 0)
                st.st_mode = 0;
        ok((st.st_mode & 07777) == 0700, "and is made 0700 (%o)", st.st_mode & 07777);
        c = cache_close(c);
        ok(rm_rf(dir) == 0, "remove the test's folder");
}

int main(void) {
        test_private();
        test_stale_tmp();
        return tap_done();
}
