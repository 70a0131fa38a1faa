/* SPDX-License-Identifier: MIT */

/* Finding the root device. Devices appear asynchronously after their driver
 * loads (devtmpfs makes the node), so we poll: probe with libblkid, and load
 * the modules of any device that showed up since the last round. */

#include <blkid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "stage1.h"

static char *probe(const char *spec) {
        blkid_cache cache = NULL;
        char *dev = NULL;

        if (spec[0] == '/')
                return access(spec, F_OK) == 0 ? strdup(spec) : NULL;
        /* A fresh cache each round: the devices have changed since the last. */
        if (blkid_get_cache(&cache, "/dev/null") < 0)
                return NULL;
        (void)blkid_probe_all_new(cache);
        dev = blkid_evaluate_tag(spec, NULL, &cache);
        blkid_put_cache(cache);
        return dev;
}

int root_find(const char *spec, unsigned timeout_ms, Modules *modules, char **ret_devnode) {
        struct timespec start, now;

        clock_gettime(CLOCK_MONOTONIC, &start);
        for (unsigned round = 0;; round++) {
                char *dev = probe(spec);
                unsigned long elapsed;

                if (dev) {
                        *ret_devnode = dev;
                        return 0;
                }
                clock_gettime(CLOCK_MONOTONIC, &now);
                elapsed = (unsigned long)((now.tv_sec - start.tv_sec) * 1000 +
                                          (now.tv_nsec - start.tv_nsec) / 1000000);
                if (elapsed >= timeout_ms)
                        return -ENODEV;
                /* A PCI bus makes virtio devices appear, which want their own drivers. */
                if (modules && round % 4 == 0)
                        (void)modules_coldplug(modules);
                usleep(25 * 1000);
        }
}
