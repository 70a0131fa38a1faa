/* SPDX-License-Identifier: MIT */
#include "macro.h"
#include "console.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

/* Enough for a boot's milestones (stage1 ... containerd ready, shutdown);
 * each is kept once, so a service restarting for ever does not grow it. */
#define MILESTONES_MAX 32

static Milestone milestones[MILESTONES_MAX];
static size_t n_milestones;

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

static void milestone_record(const char *name, double at) {
        for (size_t i = 0; i < n_milestones; i++)
                if (streq(milestones[i].name, name))
                        return;
        if (n_milestones == MILESTONES_MAX)
                return;
        snprintf(milestones[n_milestones].name, sizeof(milestones[0].name), "%s", name);
        milestones[n_milestones++].at = at;
}

const Milestone *console_milestones(size_t *ret_n) {
        *ret_n = n_milestones;
        return milestones;
}

/* One "seconds name" line each: the name may hold spaces, the number not. */
int console_milestones_save(const char *path) {
        char text[MILESTONES_MAX * 64];
        size_t n = 0;

        for (size_t i = 0; i < n_milestones; i++)
                n += (size_t) snprintf(text + n, sizeof(text) - n, "%.2f %s\n", milestones[i].at,
                                       milestones[i].name);
        return write_file_atomic(path, text, n, 0644);
}

void console_milestones_load(const char *path) {
        _cleanup_free_ char *text = NULL;

        if (read_full_file(path, MILESTONES_MAX * 64, &text, NULL) < 0)
                return;
        for (char *line = text, *next; line && *line; line = next) {
                char name[48];
                double at;

                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                if (sscanf(line, "%lf %47[^\n]", &at, name) == 2)
                        milestone_record(name, at);
        }
}

static void vline(const char *prefix, const char *fmt, va_list ap, const char *suffix) {
        fputs("berth: ", stdout);
        fputs(prefix, stdout);
        vprintf(fmt, ap);
        fputs(suffix, stdout);
        fputc('\n', stdout);
        fflush(stdout);
}

void console_milestone(const char *fmt, ...) {
        char what[96], at[32];
        va_list ap;
        double now = uptime();

        va_start(ap, fmt);
        (void) vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        milestone_record(what, now);
        snprintf(at, sizeof(at), " %.2f", now);
        printf("berth: %s%s\n", what, at);
        fflush(stdout);
}

void console_info(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vline("", fmt, ap, "");
        va_end(ap);
}

void console_warning(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vline("warning: ", fmt, ap, "");
        va_end(ap);
}

void console_scrub(char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (((unsigned char) s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
                        s[i] = '?';
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

void console_crashed(int sig) {
        static const char head[] = "\nberth: FAILED berth-init: crashed (signal ";
        static const char tail[] = "); the system is halted\n";
        char num[4] = { 0 };
        size_t n = 0;

        if (sig >= 100)
                num[n++] = (char) ('0' + sig / 100);
        if (sig >= 10)
                num[n++] = (char) ('0' + sig / 10 % 10);
        num[n++] = (char) ('0' + sig % 10);
        (void) !write(STDOUT_FILENO, head, sizeof(head) - 1);
        (void) !write(STDOUT_FILENO, num, n);
        (void) !write(STDOUT_FILENO, tail, sizeof(tail) - 1);
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
