/* SPDX-License-Identifier: MIT */
#pragma once

/* The console lines of berth-init, one stable form each (docs/console.md):
 *   berth: <milestone> <seconds since the kernel started>
 *   berth: FAILED <what>: <why>
 * Tests and benchmarks parse them: changing one is an API change. */

#include "macro.h"

/* Seconds since the kernel started (CLOCK_BOOTTIME). */
double uptime(void);

void milestone(const char *what);
void console_failed(const char *what, const char *fmt, ...) _printf_(2, 3);
/* CPU time this process has used, in ms: user + system, and user alone
 * (system time is the kernel's work on its behalf: module init, mounts, page
 * faults). PID 1's includes the kernel's own init work before /init ran. */
void cpu_ms(long *ret_total, long *ret_user);
/* Where stage 1 records the CPU time the kernel spent as PID 1 before /init,
 * so stage 2 can report berth-init's own share. */
#define CPU_AT_INIT_PATH "/run/berth/cpu-at-init"

/* Makes fds 0, 1, 2 the console (PID 1 may start with none). */
void console_setup(void);
