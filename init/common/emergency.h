/* SPDX-License-Identifier: MIT */
#pragma once

#include "macro.h"

/* A required step of the boot failed: say what and why on the console
 * ("berth: FAILED what: why"), then halt. PID 1 never just exits: the
 * kernel would panic and the message would be lost in its backtrace. */
_noreturn_ void emergency(const char *what, const char *fmt, ...) _printf_(2, 3);
