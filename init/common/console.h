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
/* Makes fds 0, 1, 2 the console (PID 1 may start with none). */
void console_setup(void);
