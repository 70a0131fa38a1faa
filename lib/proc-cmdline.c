/* SPDX-License-Identifier: MIT */
#include "proc-cmdline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"

char *proc_cmdline_get(const char *cmdline, const char *key) {
        _cleanup_free_ char *text = NULL;
        size_t klen = strlen(key);
        char *found = NULL;
        const char *p;

        if (!cmdline) {
                if (read_full_file("/proc/cmdline", 0, &text, NULL) < 0)
                        return NULL;
                cmdline = text;
        }
        for (p = cmdline; *p;) {
                size_t len;
                while (*p == ' ' || *p == '\t' || *p == '\n')
                        p++;
                len = strcspn(p, " \t\n");
                if (len == 0)
                        break;
                if (len >= klen && strncmp(p, key, klen) == 0 && (len == klen || p[klen] == '=')) {
                        free(found);
                        found = len == klen ? strdup("") : strndup(p + klen + 1, len - klen - 1);
                        if (!found)
                                return NULL;
                }
                p += len;
        }
        if (!found)
                errno = ENOENT;
        return found;
}
