/* SPDX-License-Identifier: MIT */

/* Finding the root device. Devices appear asynchronously after their driver
 * loads (devtmpfs makes the node), so we poll: probe with libblkid, and load
 * the modules of any device that showed up since the last round.
 *
 * libblkid is opened with dlopen(), not linked: only stage 1 uses it, and
 * stage 2 (the same program, exec'd again in the deployment) would map it
 * for PID 1's whole life, 124 KiB of its RSS. It is in the initramfs by
 * name (berth_init_dlopen_libs). */

#include <blkid.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "block-util.h"
#include "macro.h"
#include "strv.h"
#include "stage1.h"
#include "boot-contract.h"

/* The libblkid functions used here, from dlopen(); typeof() keeps each
 * pointer's type the header's. */
static struct {
        void *dl;
        typeof(blkid_new_probe_from_filename) *new_probe_from_filename;
        typeof(blkid_probe_enable_superblocks) *probe_enable_superblocks;
        typeof(blkid_probe_set_superblocks_flags) *probe_set_superblocks_flags;
        typeof(blkid_do_safeprobe) *do_safeprobe;
        typeof(blkid_probe_lookup_value) *probe_lookup_value;
        typeof(blkid_free_probe) *free_probe;
        typeof(blkid_parse_tag_string) *parse_tag_string;
        typeof(blkid_get_cache) *get_cache;
        typeof(blkid_probe_all_new) *probe_all_new;
        typeof(blkid_evaluate_tag) *evaluate_tag;
        typeof(blkid_put_cache) *put_cache;
} blkid;

static char dl_error[256];

const char *root_find_error(int r) {
        return r == -ELIBACC && dl_error[0] ? dl_error : strerror(-r);
}

static int blkid_open(void) {
        if (blkid.dl)
                return 0;
        blkid.dl = dlopen(BERTH_LIBBLKID_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!blkid.dl) {
                snprintf(dl_error, sizeof(dl_error), "%s", dlerror());
                return -ELIBACC;
        }
#define SYM(field, name)                                               \
        if (!(*(void **) &blkid.field = dlsym(blkid.dl, name))) {      \
                snprintf(dl_error, sizeof(dl_error), "%s", dlerror()); \
                goto fail;                                             \
        }
        SYM(new_probe_from_filename, "blkid_new_probe_from_filename");
        SYM(probe_enable_superblocks, "blkid_probe_enable_superblocks");
        SYM(probe_set_superblocks_flags, "blkid_probe_set_superblocks_flags");
        SYM(do_safeprobe, "blkid_do_safeprobe");
        SYM(probe_lookup_value, "blkid_probe_lookup_value");
        SYM(free_probe, "blkid_free_probe");
        SYM(parse_tag_string, "blkid_parse_tag_string");
        SYM(get_cache, "blkid_get_cache");
        SYM(probe_all_new, "blkid_probe_all_new");
        SYM(evaluate_tag, "blkid_evaluate_tag");
        SYM(put_cache, "blkid_put_cache");
#undef SYM
        return 0;
fail:
        dlclose(blkid.dl);
        blkid.dl = NULL;
        return -ELIBACC;
}

/* LABEL= and UUID=: one low-level probe per block device, superblocks only
 * (labels and UUIDs live there), partitioned disks skipped. About half the
 * work of blkid_evaluate_tag(), which probes every device for everything:
 * under emulation that is tens of ms of PID 1's time. */
static char *probe_superblocks(const char *partitions, const char *tag, const char *value) {
        _cleanup_strv_free_ char **names = NULL;
        char *found = NULL;

        if (block_devices_with_filesystems(partitions, &names) < 0)
                return NULL;
        STRV_FOREACH (n, names) {
                char path[80];
                const char *v;
                blkid_probe pr;

                snprintf(path, sizeof(path), "/dev/%s", *n);
                pr = blkid.new_probe_from_filename(path);
                if (!pr)
                        continue;
                (void) blkid.probe_enable_superblocks(pr, 1);
                (void) blkid.probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID |
                                                                     BLKID_SUBLKS_TYPE);
                if (blkid.do_safeprobe(pr) == 0 && blkid.probe_lookup_value(pr, tag, &v, NULL) == 0 &&
                    streq(v, value))
                        found = strdup(path);
                blkid.free_probe(pr);
                if (found)
                        break;
        }
        return found;
}

static char *probe(const char *spec, const char *partitions) {
        _cleanup_free_ char *tag = NULL, *value = NULL;
        blkid_cache cache = NULL;
        char *dev = NULL;

        if (spec[0] == '/')
                return access(spec, F_OK) == 0 ? strdup(spec) : NULL;
        if (partitions && blkid.parse_tag_string(spec, &tag, &value) == 0 &&
            (streq(tag, "LABEL") || streq(tag, "UUID")))
                return probe_superblocks(partitions, tag, value);
        /* PARTUUID=, PARTLABEL=, ...: libblkid's own lookup. A fresh cache
         * each round: the devices have changed since the last. */
        if (blkid.get_cache(&cache, "/dev/null") < 0)
                return NULL;
        (void) blkid.probe_all_new(cache);
        dev = blkid.evaluate_tag(spec, NULL, &cache);
        blkid.put_cache(cache);
        return dev;
}

/* Probing reads every disk's superblocks: do it when the kernel's list of
 * partitions changed since the last look, and now and then anyway (a probe
 * can miss a device that is still settling). */
static bool partitions_changed(char **last) {
        _cleanup_free_ char *now = NULL;

        if (read_full_file("/proc/partitions", 0, &now, NULL) < 0)
                return true;
        if (*last && streq(now, *last))
                return false;
        free(*last);
        *last = TAKE_PTR(now);
        return true;
}

int root_find(const char *spec, unsigned timeout_ms, Modules *modules, char **ret_devnode) {
        struct timespec start, now;
        bool walk = true;
        _cleanup_free_ char *partitions = NULL;

        if (spec[0] != '/') {
                int r = blkid_open();
                if (r < 0)
                        return r;
        }
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (unsigned round = 0;; round++) {
                char *dev = spec[0] == '/' || partitions_changed(&partitions) || round % 40 == 39
                                    ? probe(spec, partitions)
                                    : NULL;
                unsigned long elapsed;

                if (dev) {
                        *ret_devnode = dev;
                        return 0;
                }
                clock_gettime(CLOCK_MONOTONIC, &now);
                elapsed = (unsigned long) ((now.tv_sec - start.tv_sec) * 1000 +
                                           (now.tv_nsec - start.tv_nsec) / 1000000);
                if (elapsed >= timeout_ms)
                        return -ENODEV;
                /* A PCI driver makes virtio devices appear, which want their own
                 * drivers: walk again while walks load something, and now and
                 * then after that for devices that show up late. */
                if (modules && (walk || round % 20 == 0))
                        walk = modules_coldplug(modules) > 0;
                usleep(25 * 1000);
        }
}
