/* SPDX-License-Identifier: MIT */
#include "os-release.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *os_release_quote(const char *s) {
        size_t n = strlen(s);
        char *r = malloc(2 * n + 3), *p = r;

        if (!r)
                return NULL;
        *p++ = '"';
        for (; *s; s++) {
                if ((unsigned char) *s < 0x20 || (unsigned char) *s == 0x7f) {
                        free(r);
                        errno = EINVAL;
                        return NULL;
                }
                if (strchr("$\"\\`", *s))
                        *p++ = '\\';
                *p++ = *s;
        }
        *p++ = '"';
        *p = 0;
        return r;
}
