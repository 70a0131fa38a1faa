/* SPDX-License-Identifier: MIT */

/* busybox-applets.c: the applet table is found among a binary's other
 * bytes; a file without one (a script posing as busybox) gives no names. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/tests/tap.h"
#include "busybox-applets.h"
#include "fileio.h"
#include "strv.h"

static char **names_of(const char *data, size_t size) {
        char **l = NULL;
        if (busybox_applet_names(data, size, &l) < 0)
                abort();
        return l;
}

/* The host's own busybox, when there is one: the names read equal its --list. */
static void real_busybox(void) {
        _cleanup_free_ char *data = NULL, *list = NULL, *joined = NULL;
        _cleanup_strv_free_ char **l = NULL;
        size_t size, n = 0;
        FILE *p;

        if (read_full_file("/usr/bin/busybox", 0, &data, &size) < 0) {
                printf("ok %u - # SKIP no /usr/bin/busybox on this host\n", ++tap_count);
                return;
        }
        l = names_of(data, size);
        joined = strv_join(l, "\n");
        p = popen("/usr/bin/busybox --list", "r");
        if (!p || getdelim(&list, &n, 0, p) < 0)
                abort();
        pclose(p);
        n = strlen(list);
        if (n > 0 && list[n - 1] == '\n')
                list[n - 1] = 0;
        ok(joined && strv_length(l) > 100 && strcmp(joined, list) == 0,
           "the host's busybox: %zu names read, as its --list says", strv_length(l));
}

int main(void) {
        /* Other strings, unsorted or unprintable, around the table. */
        static const char bin[] = "\x7f"
                                  "ELF\x01\x02usage\0zeta\0alpha\0\x82\x08\0"
                                  "[\0[[\0acpid\0ls\0sh\0zcat\0\0"
                                  "Usage: busybox\0b\0c\0";
        static const char script[] = "#!/bin/sh\ntouch /victim\necho /usr/bin/ls\n";
        static const char dots[] = "..\0a\0b\0c/d\0e\0f\0";
        static const char short_run[] = "\xff\0a\0b\0c\0";
        _cleanup_strv_free_ char **l = names_of(bin, sizeof(bin) - 1);
        _cleanup_strv_free_ char **s = names_of(script, sizeof(script) - 1);
        _cleanup_strv_free_ char **d = names_of(dots, sizeof(dots) - 1);
        _cleanup_strv_free_ char **r = names_of(short_run, sizeof(short_run) - 1);
        _cleanup_free_ char *joined = strv_join(l, " ");

        ok(joined && strcmp(joined, "[ [[ acpid ls sh zcat") == 0, "the table among other strings: '%s'",
           strempty(joined));
        ok(s[0] == NULL, "a shell script holds no applet table");
        ok(d[0] == NULL, "'..' and names with '/' break a run; what is left is too short");
        ok(r[0] == NULL, "three names in a row are not a table");
        real_busybox();
        return tap_done();
}
