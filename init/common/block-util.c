/* SPDX-License-Identifier: MIT */
#include "block-util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "strv.h"

static bool has_partitions(const char *disk, char **names) {
        STRV_FOREACH (n, names) {
                char path[256];
                if (streq(*n, disk) || strncmp(*n, disk, strlen(disk)) != 0)
                        continue;
                snprintf(path, sizeof(path), "/sys/class/block/%s/%s", disk, *n);
                if (access(path, F_OK) == 0)
                        return true;
        }
        return false;
}

int block_devices_with_filesystems(const char *partitions, char ***ret_names) {
        _cleanup_strv_free_ char **names = NULL, **leaves = NULL;
        char name[64];

        for (const char *l = partitions; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (sscanf(l, "%*u %*u %*u %63s", name) == 1 && strv_extend(&names, name) < 0)
                        return -ENOMEM;
        STRV_FOREACH (n, names)
                if (!has_partitions(*n, names) && strv_extend(&leaves, *n) < 0)
                        return -ENOMEM;
        if (!leaves && !(leaves = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret_names = TAKE_PTR(leaves);
        return 0;
}
