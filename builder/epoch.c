/* SPDX-License-Identifier: MIT */
#include "epoch.h"

#include <errno.h>
#include <stdlib.h>

int epoch_parse(const char *s, int64_t *ret) {
        char *end;
        long long v;

        if (!s || s[0] < '0' || s[0] > '9')
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (*end)
                return -EINVAL;
        if (errno == ERANGE || !epoch_valid(v))
                return -ERANGE;
        *ret = v;
        return 0;
}
