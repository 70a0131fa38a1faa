/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* The applet names a busybox binary holds, read from its bytes without
 * running it (see busybox-applets.c for why). Returns 0 and a strv (empty
 * when the data holds no applet table), or -ENOMEM. */
int busybox_applet_names(const char *data, size_t size, char ***ret);
