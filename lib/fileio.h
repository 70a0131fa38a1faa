/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* Reads a whole regular file (at most max_size bytes, 0 for 64 MiB) into a
 * NUL-terminated buffer. Returns 0, or -errno (-EFBIG when too large). */
int read_full_file(const char *path, size_t max_size, char **ret, size_t *ret_size);
/* The same, of the open descriptor fd (which stays open). */
int read_full_fd(int fd, size_t max_size, char **ret, size_t *ret_size);

/* Writes data to path atomically: a temporary file beside it, fsync, rename.
 * Readers see the old file or the new one, never half of it. */
int write_file_atomic(const char *path, const void *data, size_t size, int mode);
