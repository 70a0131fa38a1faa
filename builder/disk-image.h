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
/* GRUB's BIOS boot partition and the EFI system partition. */
#define BIOS_BOOT_PARTITION_TYPE "21686148-6449-6e6f-744e-656564454649"
#define ESP_PARTITION_TYPE "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"

typedef struct DiskPartition {
        const char *name; /* GPT partition name, and the file system's label */
        const char *type; /* GPT partition type (UUID) */
        const char *fs; /* "ext4" (filled from content by mke2fs -d); NULL: left empty */
        const char *content; /* the folder the file system is made from */
        const char *image; /* fs NULL: a file copied to the partition's start (NULL: left empty) */
        const char *uuid; /* the partition's GPT GUID, and its ext4 UUID; NULL: random */
        uint64_t size; /* bytes, a multiple of DISK_MIB */
} DiskPartition;

/* Creates path holding a GPT (disk GUID disk_uuid; NULL: random) with the
 * partitions in order, the first 1 MiB in, each right after the one before,
 * 1 MiB left for the backup table; then makes each partition's file system
 * or copies its image. Returns 0 or a negative errno, logged. */
int disk_image_write(const char *path, const char *disk_uuid, const DiskPartition *parts, size_t n_parts);

/* The byte offset of partition index (0-based) in a disk_image_write() layout. */
uint64_t disk_image_offset(const DiskPartition *parts, size_t index);

/* A GUID (RFC 4122 version 4 layout) made from the SHA-256 of seed and name:
 * the same inputs give the same disk. out: 36 characters and a NUL. */
void disk_image_uuid(const char *seed, const char *name, char out[static 37]);

/* qemu-img convert of a raw image into format ("qcow2"). */
int disk_image_convert(const char *raw, const char *format, const char *out);
