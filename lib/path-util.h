/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* Joins a and b with exactly one '/' between them; NULL on OOM. */
char *path_join(const char *a, const char *b);
/* The absolute folder holding path (resolved against the current folder). */
char *path_dirname_absolute(const char *path);
