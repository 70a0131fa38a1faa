/* SPDX-License-Identifier: MIT */
#pragma once

/* The console module: every "berth:" line of berth-init is written here, in
 * one of a few stable forms (docs/console.md):
 *   berth: <milestone> <seconds since the kernel started>
 *   berth: <information>
 *   berth: warning: <what went wrong; the boot goes on>
 *   berth: FAILED <what>: <why>
 * Tests and benchmarks parse them: changing one is an API change. Service
 * output (the "[   2.314] name: line" prefixer) is not a berth: line. */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Seconds since the kernel started (CLOCK_BOOTTIME). */
double uptime(void);

/* "berth: <what> <uptime>"; the first time each milestone is reached is
 * also recorded (console_milestones()). */
void console_milestone(const char *fmt, ...) _printf_(1, 2);
/* "berth: <text>" */
void console_info(const char *fmt, ...) _printf_(1, 2);
/* "berth: warning: <text>" */
void console_warning(const char *fmt, ...) _printf_(1, 2);
/* "berth: FAILED <what>: <why>" */
void console_failed(const char *what, const char *fmt, ...) _printf_(2, 3);
/* Control characters (but tab) and DEL in s[0..len) become '?': text from
 * a service, a container or the network must not move the cursor, rewrite
 * berth's lines, or query the terminal (its answer comes back as input). */
void console_scrub(char *s, size_t len);
/* "berth: FAILED berth-init: crashed (signal N); the system is halted", from
 * a signal handler: only async-signal-safe calls. */
void console_crashed(int sig);

/* The milestones reached so far, in order, with the uptime of their first
 * occurrence. Stage 1 saves them before it execs stage 2, which loads them,
 * so one list covers the whole boot. */
typedef struct Milestone {
        char name[48];
        double at;
} Milestone;
const Milestone *console_milestones(size_t *ret_n);
int console_milestones_save(const char *path);
void console_milestones_load(const char *path);
#define MILESTONES_PATH "/run/berth/milestones"

/* CPU time this process has used, in ms: user + system, and user alone
 * (system time is the kernel's work on its behalf: module init, mounts, page
 * faults). PID 1's includes the kernel's own init work before /init ran. */
void cpu_ms(long *ret_total, long *ret_user);
/* Where stage 1 records the CPU time the kernel spent as PID 1 before /init,
 * so stage 2 can report berth-init's own share. */
#define CPU_AT_INIT_PATH "/run/berth/cpu-at-init"

/* Makes fds 0, 1, 2 the console (PID 1 may start with none). */
void console_setup(void);
