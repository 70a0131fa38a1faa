/* SPDX-License-Identifier: MIT */
#pragma once

/* The deepest path a package or an overlay may hold, in components. Walking
 * and removing a tree keeps a file descriptor open per level, so a package
 * with a path thousands of folders deep would exhaust them (EMFILE) and
 * leave a tree nothing can clean; no Debian package comes near this. */
#define USRMERGE_MAX_COMPONENTS 256

/* Maps a path inside a package or an overlay ("./bin/ls", "/./lib//x") to
 * its place in a usr-merged tree ("usr/bin/ls", "usr/lib/x"), relative,
 * normalised: no leading or trailing slash, no "." or empty segment. Sets
 * *ret to NULL for the root itself; -EPERM for a path with a ".." component,
 * -ENAMETOOLONG for one deeper than USRMERGE_MAX_COMPONENTS. */
int usrmerge_path(const char *name, char **ret);
