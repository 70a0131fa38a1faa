/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* Joins a and b with exactly one '/' between them; NULL on OOM. */
char *path_join(const char *a, const char *b);
/* The absolute folder holding path (resolved against the current folder). */
char *path_dirname_absolute(const char *path);
/* path made absolute against the current folder, "." and ".." taken
 * lexically and "//" as "/", without looking at the file system (so without
 * following symlinks); NULL on OOM. */
char *path_absolute_lexical(const char *path);
