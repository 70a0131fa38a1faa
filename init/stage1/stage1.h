/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "kmod-util.h"

/* Stage 1: PID 1 in the initramfs. Never returns: it execs stage 2 in the
 * deployment or halts with a FAILED line. */
_noreturn_ void stage1_main(void);

/* root-find.c: waits up to timeout_ms for the device that spec names
 * ("LABEL=x", "UUID=x", "PARTLABEL=x" or "/dev/x"), loading the modules new
 * devices ask for meanwhile. Returns 0 and its device node, -ENODEV when
 * none came in time, -ELIBACC when libblkid could not be opened. */
int root_find(const char *spec, unsigned timeout_ms, Modules *modules, char **ret_devnode);
/* What a root_find() error means: dlerror()'s words when libblkid could not
 * be opened (-ELIBACC). */
const char *root_find_error(int r);

/* deploy-root.c: with the physical root mounted at /sysroot, makes /sysroot
 * the deployment that ostree_arg names: read-only, /etc an overlay of the
 * image's /usr/etc under a tmpfs, /var persistent or tmpfs, the physical
 * root at /sysroot/sysroot, read-only. */
int deploy_root_setup(const char *ostree_arg, bool var_tmpfs, const char **ret_what);

/* switch-root.c: moves /proc /sys /dev /run into /sysroot, frees the
 * initramfs and makes /sysroot the root. */
int switch_root(const char *new_root);
