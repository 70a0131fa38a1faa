/* SPDX-License-Identifier: MIT */
#pragma once

/* The recipe's kernel.cmdline becomes words of the boot entry's "options"
 * line (ostree writes it) and of the disk's cmdline file. It is split here,
 * once, the way the kernel splits its command line (lib/cmdline.c,
 * next_arg(): spaces separate words, a double-quoted part may hold spaces),
 * and each word must be one the kernel reads back as the recipe meant:
 *   key   key=value   key="value with spaces"
 * key: letters, digits, '_', '-', '.'; value: printable ASCII without '"'.
 * Nothing else (control characters, a newline, non-ASCII bytes, a stray
 * quote) gets through, and neither do the keys berth sets itself. */

#include <stddef.h>

/* 0 and the words (NULL for none), or -EINVAL with msg filled. */
int kernel_cmdline_split(const char *s, char ***ret, char *msg, size_t msg_size);
