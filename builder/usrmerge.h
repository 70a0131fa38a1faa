/* SPDX-License-Identifier: MIT */
#pragma once

/* Maps a path inside a package or an overlay ("./bin/ls", "lib/x") to its
 * place in a usr-merged tree ("usr/bin/ls", "usr/lib/x"), relative, without
 * a leading slash. Sets *ret to NULL for the root itself; -EPERM for a path
 * with a ".." component. */
int usrmerge_path(const char *name, char **ret);
