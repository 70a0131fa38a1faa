/* SPDX-License-Identifier: MIT */

/* The disk stage's second step: the deployed sysroot becomes a GPT disk
 * (disk.raw) laid out by layout[] below, today one root partition labelled
 * berth-root whose ext4 file system mke2fs fills straight from the sysroot
 * folder. Beside it: vmlinuz, initrd.img and cmdline for direct kernel boot
 * of the same disk, and disk.qcow2 when the recipe asks. A bootloader adds
 * its partitions to layout[] and its files to the sysroot or a partition of
 * its own; nothing else here changes. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-contract.h"
#include "disk-image.h"
#include "fileio.h"
#include "log.h"
#include "path-util.h"
#include "stages.h"
#include "strv.h"
#include "tree.h"

/* What a partition of the layout holds. */
typedef enum PartitionContent {
        PARTITION_SYSROOT, /* the deployed sysroot; sized from it and the recipe's free space */
} PartitionContent;

typedef struct PartitionLayout {
        const char *name;
        const char *type;
        const char *fs;
        PartitionContent content;
} PartitionLayout;

/* The disk, in order. */
static const PartitionLayout layout[] = {
        { .name = BERTH_ROOT_LABEL,
          .type = ROOT_PARTITION_TYPE,
          .fs = BERTH_ROOT_FSTYPE,
          .content = PARTITION_SYSROOT },
};

static int sysroot_partition_size(const Recipe *recipe, const char *sysroot, uint64_t *ret) {
        uint64_t used;
        int r = tree_size(sysroot, &used);

        if (r < 0)
                return r;
        /* ext4 needs room for its metadata (inodes, journal) beyond the files. */
        *ret = (used + used / 5 + 64 * DISK_MIB + recipe->free_space_bytes + DISK_MIB - 1) / DISK_MIB *
               DISK_MIB;
        return 0;
}

static int write_disk(const Recipe *recipe, const Deployment *d, const char *disk) {
        DiskPartition parts[ARRAY_SIZE(layout)];
        int r;

        for (size_t i = 0; i < ARRAY_SIZE(layout); i++) {
                parts[i] = (DiskPartition){ .name = layout[i].name,
                                            .type = layout[i].type,
                                            .fs = layout[i].fs };
                switch (layout[i].content) {
                case PARTITION_SYSROOT:
                        parts[i].content = d->sysroot;
                        r = sysroot_partition_size(recipe, d->sysroot, &parts[i].size);
                        if (r < 0)
                                return r;
                        break;
                }
        }
        return disk_image_write(disk, parts, ARRAY_SIZE(parts));
}

/* vmlinuz, initrd.img and cmdline: the deployment's boot entry, for direct kernel boot. */
static int write_boot_files(const char *dir, const Deployment *d) {
        _cleanup_free_ char *cmdline = NULL, *cmdline_path = path_join(dir, "cmdline");
        int r;

        if (!cmdline_path || asprintf(&cmdline, "%s\n", d->options) < 0)
                return log_oom();
        r = tree_install_file(d->kernel, dir, "vmlinuz", 0644);
        if (r >= 0)
                r = tree_install_file(d->initrd, dir, "initrd.img", 0644);
        if (r >= 0)
                r = write_file_atomic(cmdline_path, cmdline, strlen(cmdline), 0644);
        if (r < 0)
                return log_error_errno(r, "Cannot write the boot files into %s: %m", dir);
        return 0;
}

int stage_disk(const BuildEnv *env, const Deployment *deployment) {
        _cleanup_free_ char *disk = path_join(env->stage_out, "disk.raw");
        int r;

        if (!disk)
                return log_oom();
        r = write_boot_files(env->stage_out, deployment);
        if (r < 0)
                return r;
        r = write_disk(env->recipe, deployment, disk);
        if (r < 0)
                return r;

        if (strv_contains(env->recipe->formats, "qcow2")) {
                _cleanup_free_ char *qcow = path_join(env->stage_out, "disk.qcow2");
                if (!qcow)
                        return log_oom();
                r = disk_image_convert(disk, "qcow2", qcow);
                if (r < 0)
                        return r;
        }
        return 0;
}
