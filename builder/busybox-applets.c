/* SPDX-License-Identifier: MIT */

/* busybox answers `--list` from applet_names[], a table compiled into the
 * binary: every applet name, NUL-terminated, sorted with strcmp (busybox
 * looks names up by bisection), the table ending with an empty name. The
 * builder reads that table from the file instead of running the file: the
 * file comes from a package, and running it on the build host would give
 * the package root there. Reading also works for a busybox of another
 * architecture. The table is the longest run of short, printable, strictly
 * increasing names; a file without one (not a busybox) gets no links. */

#include "busybox-applets.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

/* No busybox applet name is longer; none holds '/' or a space. */
#define APPLET_NAME_MAX 32
/* Fewer names in a row are some other strings of the binary. */
#define APPLET_TABLE_MIN 4

static bool applet_name_valid(const char *s, size_t len) {
        if (len == 0 || len > APPLET_NAME_MAX || streq(s, ".") || streq(s, ".."))
                return false;
        for (size_t i = 0; i < len; i++)
                if (s[i] <= ' ' || s[i] > '~' || s[i] == '/')
                        return false;
        return true;
}

int busybox_applet_names(const char *data, size_t size, char ***ret) {
        const char *best = NULL, *start = NULL, *prev = NULL;
        size_t best_n = 0, n = 0;
        char **names = NULL;

        for (size_t i = 0; i < size;) {
                const char *s = data + i, *nul = memchr(s, 0, size - i);
                size_t len;

                if (!nul)
                        break;
                len = (size_t) (nul - s);
                if (!applet_name_valid(s, len))
                        n = 0;
                else if (n > 0 && strcmp(prev, s) < 0)
                        n++;
                else {
                        start = s;
                        n = 1;
                }
                if (n > best_n) {
                        best = start;
                        best_n = n;
                }
                prev = s;
                i += len + 1;
        }

        names = calloc(1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        if (best_n >= APPLET_TABLE_MIN)
                for (const char *s = best; best_n > 0; best_n--, s += strlen(s) + 1)
                        if (strv_extend(&names, s) < 0) {
                                strv_free(names);
                                return -ENOMEM;
                        }
        *ret = names;
        return 0;
}
