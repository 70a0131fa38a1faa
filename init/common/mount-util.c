/* SPDX-License-Identifier: MIT */
#include "mount-util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "console.h"
#include "macro.h"

/* A file system of its own is mounted at path (its device differs from its
 * parent's). Stage 2 must not stack a second /run over the one stage 1
 * moved there, which holds /etc's upper layer. */
static bool is_mount_point(const char *path) {
        char parent[512];
        struct stat a, b;

        snprintf(parent, sizeof(parent), "%s/..", path);
        return stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

int mount_table(const MountSpec *table, unsigned n) {
        for (unsigned i = 0; i < n; i++) {
                const MountSpec *m = &table[i];

                (void) mkdir_p(m->where, m->mode ?: 0755);
                if (is_mount_point(m->where))
                        continue;
                if (mount(m->what, m->where, m->type, m->flags, m->options) < 0) {
                        if (errno == EBUSY)
                                continue;
                        if (m->required) {
                                int r = -errno;
                                console_failed("mount", "%s on %s: %s", m->type, m->where, strerror(errno));
                                return r;
                        }
                        console_warning("mount %s on %s: %s", m->type, m->where, strerror(errno));
                }
        }
        return 0;
}
