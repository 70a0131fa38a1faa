/* SPDX-License-Identifier: MIT */
#pragma once

/* One logger for every berth program. Messages go to stderr; the level is set
 * once by the program (e.g. --quiet). log_*_errno() keep errno intact for %m
 * and return the negative errno, so a caller logs and fails in one statement:
 *   return log_error_errno(r, "Failed to unpack '%s': %m", deb);          */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "macro.h"

enum {
        LOG_LEVEL_ERR = 3,
        LOG_LEVEL_WARNING = 4,
        LOG_LEVEL_NOTICE = 5,
        LOG_LEVEL_INFO = 6,
        LOG_LEVEL_DEBUG = 7,
};

void log_set_max_level(int level);
int log_get_max_level(void);
/* Prefix every line with "<ident>: " (for PID 1 on the console); NULL for none. */

/* Returns -abs(error) (or 0 if error is 0, so it can be used in returns). */
int log_internal(int level, int error, const char *format, ...) _printf_(3, 4);

#define log_full_errno(level, error, ...)                                                               \
        ({                                                                                              \
                int _e_ = (error);                                                                      \
                (log_get_max_level() >= (level)) ? log_internal((level), _e_, __VA_ARGS__) : -abs(_e_); \
        })

#define log_error_errno(error, ...) log_full_errno(LOG_LEVEL_ERR, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_LEVEL_WARNING, (error), __VA_ARGS__)
#define log_info_errno(error, ...) log_full_errno(LOG_LEVEL_INFO, (error), __VA_ARGS__)
#define log_debug_errno(error, ...) log_full_errno(LOG_LEVEL_DEBUG, (error), __VA_ARGS__)

#define log_error(...) (void) log_full_errno(LOG_LEVEL_ERR, 0, __VA_ARGS__)
#define log_warning(...) (void) log_full_errno(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_notice(...) (void) log_full_errno(LOG_LEVEL_NOTICE, 0, __VA_ARGS__)
#define log_info(...) (void) log_full_errno(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...) (void) log_full_errno(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)

#define log_oom() log_error_errno(ENOMEM, "Out of memory.")
