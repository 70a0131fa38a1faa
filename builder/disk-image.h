/* SPDX-License-Identifier: MIT */
#pragma once

/* A raw disk image: a GPT partition table and each partition's file system,
 * written into a plain file (no loop device, no mount). What goes on the
 * disk is a list of partitions; stage-disk.c holds berth's layout. */

#include <stddef.h>
#include <stdint.h>

#define DISK_MIB (1024ULL * 1024ULL)

/* GPT's discoverable-partitions type for an x86-64 root. */
#define ROOT_PARTITION_TYPE "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"

typedef struct DiskPartition {
        const char *name; /* GPT partition name, and the file system's label */
        const char *type; /* GPT partition type (UUID) */
        const char *fs; /* "ext4" (filled from content by mke2fs -d); NULL: left empty */
        const char *content; /* the folder the file system is made from */
        uint64_t size; /* bytes, a multiple of DISK_MIB */
} DiskPartition;

/* Creates path holding a GPT with the partitions in order, the first 1 MiB
 * in, each right after the one before, 1 MiB left for the backup table; then
 * makes each partition's file system. Returns 0 or a negative errno, logged. */
int disk_image_write(const char *path, const DiskPartition *parts, size_t n_parts);

/* qemu-img convert of a raw image into format ("qcow2"). */
int disk_image_convert(const char *raw, const char *format, const char *out);
