/* SPDX-License-Identifier: MIT */

/* berthctl check FILE...: validates host state documents (docs/host-state.md)
 * with the code the host itself runs, so a pipeline can refuse a document
 * before publishing it. Needs no guest, no socket: it runs on a build host. */

#include <stdio.h>

#include "berthctl.h"
#include "host-state.h"

int berthctl_check(int argc, char *argv[]) {
        int status = 0;

        if (argc < 2) {
                fprintf(stderr, "Usage: berthctl check FILE...\n");
                return 2;
        }
        for (int i = 1; i < argc; i++) {
                _cleanup_(host_state_freep) HostState *s = NULL;
                TomlError e;
                int k = host_state_load(argv[i], &s, &e);

                if (k >= 0)
                        printf("%s: ok\n", argv[i]);
                else if (e.line > 0)
                        fprintf(stderr, "%s:%u:%u: %s\n", argv[i], e.line, e.column, e.msg);
                else
                        fprintf(stderr, "%s: %s\n", argv[i], e.msg[0] ? e.msg : "out of memory");
                if (k < 0)
                        status = 1;
        }
        return status;
}
