/* SPDX-License-Identifier: MIT */
#pragma once

/* A few lines of TAP for the C unit tests: ok(cond, "name", ...) prints
 * "ok N - name" or "not ok N - name"; tap_done() prints the plan and
 * returns the exit status. */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned tap_count, tap_failed;

__attribute__((format(printf, 2, 3))) static inline bool ok(bool cond, const char *fmt, ...) {
        va_list ap;

        printf("%sok %u - ", cond ? "" : "not ", ++tap_count);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        if (!cond)
                tap_failed++;
        return cond;
}

static inline int tap_done(void) {
        printf("1..%u\n", tap_count);
        return tap_failed ? 1 : 0;
}
