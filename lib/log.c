/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int max_level = LOG_LEVEL_INFO;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

int log_internal(int level, int error, const char *format, ...) {
        int saved_errno = errno;
        char buf[2048];
        va_list ap;

        /* %m must print the error we were given, not whatever errno happens to be. */
        errno = abs(error);
        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);

        (void) fprintf(stderr, "%s\n", buf);
        (void) fflush(stderr);

        errno = saved_errno;
        return -abs(error);
}
