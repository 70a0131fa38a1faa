/* SPDX-License-Identifier: MIT */
#include "parse-util.h"

#include <errno.h>
#include <stdlib.h>

int parse_u64(const char *s, uint64_t *ret) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-')
                return -EINVAL;
        *ret = v;
        return 0;
}
