/* SPDX-License-Identifier: MIT */
#pragma once

#include "macro.h"

/* Kernel modules for PID 1, with libkmod: what the hardware asks for
 * (coldplug: every modalias under /sys) and modules named explicitly. */

typedef struct Modules Modules;

int modules_open(Modules **ret);
Modules *modules_close(Modules *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Modules *, modules_close);

/* Loads the modules of every device present; returns how many were loaded. */
int modules_coldplug(Modules *m);
/* Loads one module (and its dependencies); 0 when built in or already loaded. */
int modules_load(Modules *m, const char *name);
