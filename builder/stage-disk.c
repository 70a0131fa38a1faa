/* SPDX-License-Identifier: MIT */

/* The disk stage's second step: the deployed sysroot becomes a GPT disk
 * (disk.raw) laid out by layout[] below: GRUB's BIOS boot partition, the
 * ESP, and the root partition labelled berth-root whose ext4 file system
 * mke2fs fills straight from the sysroot folder, where GRUB's menu is
 * written first (docs/updates.md). Beside it: vmlinuz, initrd.img and
 * cmdline for direct kernel boot of the same disk, and disk.qcow2 when the
 * recipe asks. The GUIDs, UUIDs and the ESP's volume id come from the
 * commit id, so the same commit gives the same disk. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-contract.h"
#include "bootloader.h"
#include "disk-image.h"
#include "fileio.h"
#include "grub-cfg.h"
#include "log.h"
#include "path-util.h"
#include "stages.h"
#include "strv.h"
#include "tree.h"

/* What a partition of the layout holds. */
typedef enum PartitionContent {
        PARTITION_SYSROOT, /* the deployed sysroot; sized from it and the recipe's free space */
        PARTITION_BIOS_BOOT, /* GRUB's core.img, written after the partition table */
        PARTITION_ESP, /* the FAT32 image made by bootloader_make() */
} PartitionContent;

typedef struct PartitionLayout {
        const char *name;
        const char *type;
        const char *fs;
        PartitionContent content;
        uint64_t size; /* 0: from the content */
} PartitionLayout;

/* The disk, in order; BERTH_GRUB_PREFIX names the root as gpt3. The root
 * comes last so that it can grow. FAT32 needs 65525 clusters: 64 MiB. */
static const PartitionLayout layout[] = {
        { .name = BERTH_BIOS_PART_NAME,
          .type = BIOS_BOOT_PARTITION_TYPE,
          .content = PARTITION_BIOS_BOOT,
          .size = DISK_MIB },
        { .name = BERTH_ESP_PART_NAME,
          .type = ESP_PARTITION_TYPE,
          .content = PARTITION_ESP,
          .size = 64 * DISK_MIB },
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

/* GRUB's menu in the sysroot: /boot/loader/grub.cfg (inside loader.N, so it
 * switches with ostree's entries) from the boot entries, and
 * /boot/grub/grub.cfg linking to it, where both GRUB images look. */
static int write_grub_menu(const char *sysroot) {
        _cleanup_free_ char *boot = path_join(sysroot, "boot"), *entries = NULL, *cfg = NULL, *grub = NULL,
                            *link = NULL;
        int r;

        if (!boot)
                return log_oom();
        entries = path_join(boot, "loader/entries");
        cfg = path_join(boot, "loader/grub.cfg");
        grub = path_join(sysroot, BERTH_GRUB_DIR);
        link = path_join(grub, "grub.cfg");
        if (!entries || !cfg || !grub || !link)
                return log_oom();
        r = grub_cfg_generate(entries, "/boot", cfg);
        if (r < 0)
                return r;
        if (mkdir(grub, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Cannot create %s: %m", grub);
        (void) unlink(link);
        if (symlink(BERTH_GRUB_CFG_LINK, link) < 0)
                return log_error_errno(errno, "Cannot link %s: %m", link);
        return 0;
}

static int write_disk(const BuildEnv *env, const char *commit, int64_t epoch, const Deployment *d,
                      const char *disk) {
        DiskPartition parts[ARRAY_SIZE(layout)];
        char uuids[ARRAY_SIZE(layout)][37], disk_uuid[37];
        _cleanup_free_ char *dir = path_join(env->cache->tmp, "bootloader"), *core = NULL, *esp = NULL,
                            *boot_img = path_join(GRUB_BIOS_MODULE_DIR, "boot.img");
        int r;

        if (!dir || !boot_img)
                return log_oom();
        core = path_join(dir, "core.img");
        esp = path_join(dir, "esp.img");
        if (!core || !esp)
                return log_oom();
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Cannot create %s: %m", dir);
        /* The menu first: it is part of what the root partition is sized for. */
        r = write_grub_menu(d->sysroot);
        if (r < 0)
                return r;
        disk_image_uuid(commit, "disk", disk_uuid);
        for (size_t i = 0; i < ARRAY_SIZE(layout); i++) {
                disk_image_uuid(commit, layout[i].name, uuids[i]);
                parts[i] = (DiskPartition){ .name = layout[i].name,
                                            .type = layout[i].type,
                                            .fs = layout[i].fs,
                                            .uuid = uuids[i],
                                            .size = layout[i].size };
                switch (layout[i].content) {
                case PARTITION_SYSROOT:
                        parts[i].content = d->sysroot;
                        r = sysroot_partition_size(env->recipe, d->sysroot, &parts[i].size);
                        if (r < 0)
                                return r;
                        break;
                case PARTITION_BIOS_BOOT:
                        break;
                case PARTITION_ESP:
                        parts[i].image = esp;
                        r = bootloader_make(dir, parts[i].size, (uint32_t) strtoul(uuids[i], NULL, 16),
                                            epoch);
                        if (r < 0)
                                return r;
                        break;
                }
        }
        r = disk_image_write(disk, disk_uuid, parts, ARRAY_SIZE(parts));
        if (r < 0)
                return r;
        for (size_t i = 0; i < ARRAY_SIZE(layout); i++)
                if (layout[i].content == PARTITION_BIOS_BOOT)
                        return grub_bios_embed(disk, boot_img, core, disk_image_offset(parts, i) / 512,
                                               parts[i].size / 512);
        return 0;
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

int stage_disk(const BuildEnv *env, const BaseTree *base, const Commit *commit,
               const Deployment *deployment) {
        _cleanup_free_ char *disk = path_join(env->stage_out, "disk.raw");
        int r;

        if (!disk)
                return log_oom();
        r = write_boot_files(env->stage_out, deployment);
        if (r < 0)
                return r;
        r = write_disk(env, commit->commit, base->source_date_epoch, deployment, disk);
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
