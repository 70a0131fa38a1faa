/* SPDX-License-Identifier: MIT */
#pragma once

/* rm -rf path: removes a file, a symlink (never what it points to) or a
 * folder with all it holds, through file descriptors (openat/unlinkat, no
 * symlink followed, the working folder untouched). It never crosses into
 * another mount inside the folder, a bind mount of the same file system
 * included: each folder is opened (O_NOFOLLOW) and its descriptor's mount id
 * compared with the top folder's; a folder on another mount is left whole
 * and, once the rest is removed, the result is -EXDEV. Folders marked
 * immutable (ostree's deployments are) lose the flag first. A path that does
 * not exist is fine. Returns 0 or -errno. */
int rm_rf(const char *path);

/* rm_rf of name in the folder open as dir_fd (AT_FDCWD: the working
 * folder); name itself is not followed either. */
int rm_rf_at(int dir_fd, const char *name);
