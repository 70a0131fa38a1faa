/* SPDX-License-Identifier: MIT */
#pragma once

/* rm -rf path: removes a file, a symlink (never what it points to) or a
 * folder with all it holds, through file descriptors (openat/unlinkat, no
 * symlink followed, the working folder untouched). It does not cross into
 * another file system mounted inside the folder (-EXDEV). Folders marked
 * immutable (ostree's deployments are) lose the flag first. A path that does
 * not exist is fine. Returns 0 or -errno. */
int rm_rf(const char *path);
