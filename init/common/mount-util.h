/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "fs-util.h"

typedef struct MountSpec {
        const char *what, *where, *type;
        unsigned long flags;
        const char *options;
        int mode; /* of the mount point when it must be created */
        bool required; /* a required mount that fails stops the boot; others warn */
} MountSpec;

/* Mounts each entry in order; an entry already mounted there is skipped.
 * Returns 0, or the negative errno of the first required mount that failed
 * (after printing a FAILED line naming it). */
int mount_table(const MountSpec *table, unsigned n);
