/* SPDX-License-Identifier: MIT */

/* tree.c's CA bundle: the certificates of the tree, sorted, in one file;
 * and a bound on the bundle, which a package's hard links (names that cost
 * no bytes of the unpacking limits) would otherwise make as large as the
 * build host's memory. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/tests/tap.h"
#include "fileio.h"
#include "fs-util.h"
#include "macro.h"
#include "path-util.h"
#include "rm-rf.h"
#include "tree-path.h"
#include "tree.h"

static char dir[64];

static char *in_tree(const char *rel) {
        char *p = dir[0] ? path_join(dir, rel) : NULL;
        if (!p)
                abort();
        return p;
}

int main(void) {
        _cleanup_free_ char *certs = NULL, *a = NULL, *b = NULL, *bundle = NULL;
        _cleanup_free_ char *text = NULL, *big = NULL;
        const size_t mib = 1u << 20;
        unsigned links = 0;
        int r;

        /* valgrind before 3.20 knows no openat2 and answers ENOSYS: nothing to test there. */
        r = tree_path_open(AT_FDCWD, "/", O_PATH, 0);
        if (r == -ENOSYS) {
                printf("1..0 # SKIP openat2() is not available here (valgrind before 3.20?)\n");
                return 0;
        }
        if (r >= 0)
                close(r);
        /* The temporary tree first: every path below is in it. */
        if (!mkdtemp(strcpy(dir, "/tmp/berth-tree-ca-XXXXXX"))) {
                perror("mkdtemp");
                return 1;
        }
        certs = in_tree("usr/share/ca-certificates/berth");
        a = in_tree("usr/share/ca-certificates/berth/a.crt");
        b = in_tree("usr/share/ca-certificates/berth/b.crt");
        bundle = in_tree("etc/ssl/certs/ca-certificates.crt");
        if (mkdir_p(certs, 0755) < 0 || write_file_atomic(b, "B\n", 2, 0644) < 0 ||
            write_file_atomic(a, "A", 1, 0644) < 0) {
                perror("setup");
                return 1;
        }
        r = tree_ca_bundle(dir);
        ok(r == 0, "two certificates make a bundle (%d)", r);
        ok(read_full_file(bundle, 0, &text, NULL) == 0 && text && streq(text, "A\nB\n"),
           "the bundle holds them sorted, each ending its line");
        free(TAKE_PTR(text));

        /* One MiB under 40 names: 40 MiB of certificates from 1 MiB of package. */
        big = malloc(mib);
        if (!big || (memset(big, 'x', mib), write_file_atomic(a, big, mib, 0644)) < 0 ||
            unlink(bundle) < 0) {
                perror("setup");
                return 1;
        }
        for (unsigned i = 0; i < 40; i++) {
                char name[64];
                _cleanup_free_ char *name_path = NULL;
                snprintf(name, sizeof(name), "usr/share/ca-certificates/berth/link%02u.crt", i);
                name_path = in_tree(name);
                links += link(a, name_path) == 0;
        }
        ok(links == 40, "40 hard links to one certificate (%u)", links);
        r = tree_ca_bundle(dir);
        ok(r == -EFBIG, "certificates over the bundle's bound fail the step (%d)", r);
        ok(access(bundle, F_OK) < 0 && errno == ENOENT, "no bundle is written");

        /* A FIFO named .crt (no device node can be unpacked, a FIFO can). */
        if (unlink(a) < 0 || rm_rf(certs) < 0 || mkdir_p(certs, 0755) < 0 || mkfifo(a, 0644) < 0) {
                perror("setup");
                return 1;
        }
        r = tree_ca_bundle(dir);
        ok(r == -EBADFD, "a certificate that is a FIFO fails the step, without waiting (%d)", r);

        (void) rm_rf(dir);
        return tap_done();
}
