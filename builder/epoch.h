/* SPDX-License-Identifier: MIT */
#pragma once

/* The build's date (SOURCE_DATE_EPOCH, or the packages' newest file) dates
 * the ostree commit, the SBOM and the initramfs. gmtime_r() fails on a date
 * it cannot express (and then the caller printed from NULL), so a date is
 * accepted only from 1970 to the end of year 9999. */

#include <stdbool.h>
#include <stdint.h>

#define EPOCH_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

static inline bool epoch_valid(int64_t t) {
        return t >= 0 && t <= EPOCH_MAX;
}

/* "1700000000": 0 and the seconds; -EINVAL when not a number of seconds,
 * -ERANGE when outside epoch_valid(). */
int epoch_parse(const char *s, int64_t *ret);
