/* SPDX-License-Identifier: MIT */
#include "macro.h"
#include "console.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

void cpu_ms(long *ret_total, long *ret_user) {
        struct rusage ru;

        *ret_total = *ret_user = 0;
        if (getrusage(RUSAGE_SELF, &ru) < 0)
                return;
        *ret_user = ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000;
        *ret_total = *ret_user + ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000;
}

double uptime(void) {
        struct timespec ts;
        clock_gettime(CLOCK_BOOTTIME, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

void milestone(const char *what) {
        printf("berth: %s %.2f\n", what, uptime());
        fflush(stdout);
}

void console_failed(const char *what, const char *fmt, ...) {
        va_list ap;

        printf("berth: FAILED %s: ", what);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        fflush(stdout);
}

void console_setup(void) {
        int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return;
        for (int i = 0; i < 3; i++)
                if (fd != i)
                        (void) dup2(fd, i);
        if (fd > 2)
                (void) close(fd);
        setvbuf(stdout, NULL, _IOLBF, 0);
}
