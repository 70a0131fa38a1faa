/* SPDX-License-Identifier: MIT */
#include "stale-output.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define TMP_SUFFIX ".tmp-"

int stale_output_pid(const char *base, const char *name, pid_t *ret) {
        size_t n = strlen(base);
        const char *digits;
        char *end;
        long pid;

        if (strncmp(name, base, n) != 0 || strncmp(name + n, TMP_SUFFIX, strlen(TMP_SUFFIX)) != 0)
                return -ENOENT;
        digits = name + n + strlen(TMP_SUFFIX);
        if (digits[0] < '1' || digits[0] > '9')
                return -ENOENT;
        errno = 0;
        pid = strtol(digits, &end, 10);
        if (*end || errno || pid <= 0 || pid > INT_MAX)
                return -ENOENT;
        *ret = (pid_t) pid;
        return 0;
}
