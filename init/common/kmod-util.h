/* SPDX-License-Identifier: MIT */
#pragma once

#include "macro.h"

/* Kernel modules for PID 1, with libkmod: what the hardware asks for
 * (coldplug: every modalias under /sys) and modules named explicitly. */

typedef struct Modules Modules;

/* -ENOENT when libkmod or one of its symbols cannot be loaded (modules_error
 * then says what dlopen() said), -ENOMEM when its context cannot be made. */
int modules_open(Modules **ret);
/* Why modules_open() failed with r, in words. */
const char *modules_error(int r);
Modules *modules_close(Modules *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Modules *, modules_close);

/* Loads the modules of every device present; returns how many were loaded. */
int modules_coldplug(Modules *m);
/* Loads one module (and its dependencies); 0 when built in or already loaded. */
int modules_load(Modules *m, const char *name);
