/* SPDX-License-Identifier: MIT */
#pragma once

/* The kernel command line, as PID 1 reads it. */

/* Looks up "key=value" in cmdline (NULL: /proc/cmdline); returns a copy of
 * the value ("" for a bare "key"), or NULL when absent (errno ENOENT) or on
 * OOM. The last occurrence wins, as the kernel does for its own. */
char *proc_cmdline_get(const char *cmdline, const char *key);
