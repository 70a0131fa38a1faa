/* SPDX-License-Identifier: MIT */
#include "usrmerge.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

static bool has_dotdot(const char *p) {
        for (;;) {
                if (p[0] == '.' && p[1] == '.' && (p[2] == 0 || p[2] == '/'))
                        return true;
                p = strchr(p, '/');
                if (!p)
                        return false;
                p++;
        }
}

int usrmerge_path(const char *name, char **ret) {
        static const char *const merged[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };
        const char *p = name;

        while (p[0] == '.' && p[1] == '/')
                p += 2;
        while (*p == '/')
                p++;
        if (*p == 0 || streq(p, ".")) {
                *ret = NULL;
                return 0;
        }
        if (has_dotdot(p))
                return -EPERM;

        for (size_t i = 0; i < ARRAY_SIZE(merged); i++) {
                size_t l = strlen(merged[i]);
                if (strncmp(p, merged[i], l) == 0 && (p[l] == 0 || p[l] == '/'))
                        return asprintf(ret, "usr/%s", p) < 0 ? -ENOMEM : 0;
        }
        *ret = strdup(p);
        return *ret ? 0 : -ENOMEM;
}
