/* SPDX-License-Identifier: MIT */

/* stage-resolve.c: the sha256 of each package is the one apt's index names
 * (apt-get download --print-uris), matched by apt's file name, epoch and
 * all; a package the index gives no SHA256 for is refused. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/tests/tap.h"
#include "log.h"
#include "stages.h"

#define H1 "908ca1b35125f49125ae56945a72bc11ce0fcec85a8d980d10d83bb3a610f518"
#define H2 "8d684c673e7483802a5c447834b0df6fce006eb3a7109e1be412f5ad425bb24f"

static void set_two(PackageSet *s) {
        static Package p[2];

        p[0] = (Package){ .name = (char *) "base-passwd",
                          .version = (char *) "3.6.1",
                          .architecture = (char *) "amd64" };
        p[1] = (Package){ .name = (char *) "libcap2",
                          .version = (char *) "1:2.66-4+deb12u3+b1",
                          .architecture = (char *) "amd64" };
        memcpy(p[0].sha256, "stale", 6);
        *s = (PackageSet){ .packages = p, .n_packages = 2 };
}

static void test_parse(void) {
        PackageSet s;
        const char *out = "W: some warning\n"
                          "'http://x/pool/b/base-passwd_3.6.1_amd64.deb' base-passwd_3.6.1_amd64.deb 59972 "
                          "SHA256:" H1 "\n"
                          "'file:/r/./libcap2_1%3a2.66-4+deb12u3+b1_amd64.deb' "
                          "libcap2_1%3a2.66-4+deb12u3+b1_amd64.deb 27708 SHA256:" H2 "\n";

        set_two(&s);
        ok(resolve_parse_index_hashes(&s, out) == 0, "both packages are named by the index");
        ok(streq(s.packages[0].sha256, H1) && s.packages[0].size == 59972,
           "base-passwd: the index's hash and size");
        ok(streq(s.packages[1].sha256, H2) && s.packages[1].size == 27708,
           "libcap2 (an epoch): the index's hash");

        set_two(&s);
        log_set_max_level(LOG_LEVEL_ERR - 1);
        ok(resolve_parse_index_hashes(&s, "'u' base-passwd_3.6.1_amd64.deb 59972 SHA256:" H1 "\n") ==
                   -ENOPKG,
           "a package the index does not name is refused");
        set_two(&s);
        ok(resolve_parse_index_hashes(&s, "'u' base-passwd_3.6.1_amd64.deb 59972 MD5Sum:0123\n"
                                          "'u' libcap2_1%3a2.66-4+deb12u3+b1_amd64.deb 27708 SHA256:" H2
                                          "\n") == -ENOPKG,
           "a package with no SHA256 in the index is refused, its stale hash not kept");
        set_two(&s);
        ok(resolve_parse_index_hashes(&s, "'u' base-passwd_3.6.1_amd64.deb 59972 SHA256:abc\n"
                                          "'u' libcap2_1%3a2.66-4+deb12u3+b1_amd64.deb 27708 SHA256:" H2
                                          "\n") == -ENOPKG,
           "a short hash is refused");
        log_set_max_level(LOG_LEVEL_INFO);
}

int main(void) {
        test_parse();
        return tap_done();
}
