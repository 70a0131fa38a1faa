/* SPDX-License-Identifier: MIT */
#pragma once

/* A value for os-release(5), which shells source: enclosed in double quotes,
 * with '$', '"', '\' and '`' escaped by a backslash ("following shell
 * style"). NULL on OOM, or (errno EINVAL) for a value os-release cannot
 * hold: a control character (a newline would start a line of its own). */
char *os_release_quote(const char *s);
