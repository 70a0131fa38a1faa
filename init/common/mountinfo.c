/* SPDX-License-Identifier: MIT */
#include "mountinfo.h"

#include <stdbool.h>

static bool is_octal(char c) {
        return c >= '0' && c <= '7';
}

void mountinfo_unescape(char *s) {
        char *w = s;

        for (const char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && is_octal(r[2]) && is_octal(r[3])) {
                        *w++ = (char) ((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
                        r += 3;
                } else
                        *w++ = *r;
        }
        *w = 0;
}
