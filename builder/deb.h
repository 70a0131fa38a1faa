/* SPDX-License-Identifier: MIT */
#pragma once

/* Unpacking Debian packages with libarchive: the ar container, control.tar.*
 * and data.tar.* with whatever compression Debian uses. No dpkg, no
 * maintainer scripts. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

typedef struct DebControl {
        char *package;
        char *version;
        char *architecture;
        char *source; /* source package name; the binary name when absent */
        char *license; /* from a machine-readable copyright file; NULL when unknown */
} DebControl;

DebControl *deb_control_free(DebControl *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(DebControl *, deb_control_free);

/* Parses the control paragraph of a package (RFC 822 style). */
int deb_control_parse(const char *text, size_t size, DebControl **ret);
/* Extracts the License: short names of a DEP-5 copyright file, joined by " AND ";
 * NULL (and 0) when the file is not machine-readable. */
int deb_copyright_licenses(const char *text, size_t size, char **ret);

typedef struct DebUnpackStats {
        uint64_t files; /* regular files, links and devices written */
        uint64_t bytes; /* regular file bytes written */
        uint64_t excluded; /* entries dropped by exclude patterns */
        uint64_t replaced; /* files that replaced a file already in the tree */
        int64_t max_mtime; /* newest mtime in data.tar, for SOURCE_DATE_EPOCH */
        /* Limits, so that a compression bomb cannot fill the disk: 0 means the
         * default below. Sizes are the members' own (their tar headers), checked
         * before anything of the member is written. */
        uint64_t limit_bytes; /* all regular files of all packages unpacked with these stats */
        uint64_t limit_member_bytes; /* one regular file */
} DebUnpackStats;

#define DEB_UNPACK_LIMIT_BYTES (8ULL << 30)
#define DEB_UNPACK_LIMIT_MEMBER_BYTES (1ULL << 30)

/* Unpacks the data of deb into the folder root, merging /bin, /sbin and
 * /lib* into /usr as it goes (the caller creates the compatibility links),
 * and dropping every path matching one of the exclude globs (see
 * docs/recipe.md). Keeps modes, ownership, setuid bits, hard links, symlinks
 * and extended attributes (security.capability). Refuses device nodes and
 * members over the size limits of stats. Returns 0 and the package's
 * control data, or -errno with one logged line naming the package. */
int deb_unpack(const char *deb, const char *root, char *const *exclude, DebControl **ret_control,
               DebUnpackStats *stats);

/* True when path (absolute, "/usr/share/doc/x") or one of its parents matches a glob. */
bool path_excluded(const char *path, char *const *exclude);
