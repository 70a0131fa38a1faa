/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/types.h>

/* A build writes OUTDIR.tmp-PID beside OUTDIR. Given OUTDIR's last
 * component and the name of an entry beside it: 0 and the PID when the entry
 * is such a folder, -ENOENT otherwise. Names are compared as they are, never
 * as glob patterns: an output folder may be called "[x]". */
int stale_output_pid(const char *base, const char *name, pid_t *ret);
