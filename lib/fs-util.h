/* SPDX-License-Identifier: MIT */
#pragma once

/* mkdir -p: creates path and its missing parents with mode; an existing
 * folder is fine. Returns 0 or -errno. */
int mkdir_p(const char *path, int mode);
