/* SPDX-License-Identifier: MIT */

/* berthctl check FILE...: validates host state documents (docs/host-state.md)
 * with the code the host itself runs, so a pipeline can refuse a document
 * before publishing it. Needs no guest, no socket: it runs on a build host.
 * "-" reads the document from standard input (a pipe, too). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berthctl.h"
#include "host-state.h"

/* Reads standard input to its end, or one byte past the document limit. */
static int read_stdin(char **ret, size_t *ret_size) {
        size_t max = HOST_STATE_MAX_BYTES + 1, n = 0;
        _cleanup_free_ char *buf = malloc(max);

        if (!buf)
                return -ENOMEM;
        while (n < max) {
                ssize_t k = read(STDIN_FILENO, buf + n, max - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = n;
        return 0;
}

static int load(const char *path, HostState **ret, TomlError *e) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int k;

        if (!streq(path, "-"))
                return host_state_load(path, ret, e);
        *e = (TomlError){ 0 };
        k = read_stdin(&text, &size);
        if (k < 0) {
                snprintf(e->msg, sizeof(e->msg), "%s", strerror(-k));
                return k;
        }
        return host_state_parse(text, size, ret, e);
}

int berthctl_check(int argc, char *argv[]) {
        int status = 0;

        if (argc < 2) {
                fprintf(stderr, "Usage: berthctl check FILE... (- for standard input)\n");
                return 2;
        }
        for (int i = 1; i < argc; i++) {
                _cleanup_(host_state_freep) HostState *s = NULL;
                const char *name = streq(argv[i], "-") ? "<stdin>" : argv[i];
                TomlError e;
                int k = load(argv[i], &s, &e);

                if (k >= 0)
                        printf("%s: ok\n", name);
                else if (e.line > 0)
                        fprintf(stderr, "%s:%u:%u: %s\n", name, e.line, e.column, e.msg);
                else
                        fprintf(stderr, "%s: %s\n", name, e.msg[0] ? e.msg : "out of memory");
                if (k < 0)
                        status = 1;
        }
        return status;
}
