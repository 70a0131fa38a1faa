/* SPDX-License-Identifier: MIT */
#pragma once

/* NULL-terminated string arrays (systemd's strv). */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

size_t strv_length(char *const *l);
bool strv_contains(char *const *l, const char *s);
/* Appends a copy of s; returns 0 or -ENOMEM. *l may be NULL. */
int strv_extend(char ***l, const char *s);
/* Appends s itself (taking ownership on success). */
int strv_push(char ***l, char *s);
/* Joins with sep; returns NULL on OOM. */
char *strv_join(char *const *l, const char *sep);

#define STRV_FOREACH(s, l) for (char **s = (l); s && *s; s++)
