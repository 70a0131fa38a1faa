/* SPDX-License-Identifier: MIT */
#pragma once

/* GRUB for firmware boot, made from the build host's Debian packages
 * (grub-pc-bin, grub-efi-amd64-bin, grub-common's grub-mkimage; dosfstools and
 * mtools for the ESP). Nothing of the image tree runs. Two images of the
 * same GRUB, each with every module it needs built in and the same prefix,
 * (,gpt3)/boot/grub on the boot disk, so both read /boot/grub/grub.cfg on
 * the root file system:
 *   SeaBIOS: boot.img in the MBR, core.img in the BIOS boot partition (no
 *            grub-bios-setup: it cannot work on an image file);
 *   UEFI:    EFI/BOOT/BOOTX64.EFI, the removable path, on a FAT32 ESP (no
 *            NVRAM entry needed). */

#include <stddef.h>
#include <stdint.h>

#define GRUB_BIOS_MODULE_DIR "/usr/lib/grub/i386-pc"
#define GRUB_EFI_MODULE_DIR "/usr/lib/grub/x86_64-efi"

/* The most sectors boot.img's loader can place below GRUB's stack:
 * (0x78000 - 0x9000) / 512, as grub-bios-setup checks. */
#define GRUB_BIOS_CORE_MAX_SECTORS 888U

/* What grub-bios-setup --no-rs-codes does to boot.img and core.img for a
 * core.img embedded at sector lba: boot (512 bytes of boot.img) takes the
 * disk's partition table and BPB from mbr and the place of core.img; core
 * (n_sectors * 512 bytes, padded with zeros) gets the blocklist of its other
 * sectors. Returns 0, or -EFBIG when core is larger than
 * GRUB_BIOS_CORE_MAX_SECTORS or n_sectors is 0. */
int grub_bios_patch(uint8_t boot[static 512], const uint8_t mbr[static 512], uint8_t *core, size_t n_sectors,
                    uint64_t lba);

/* Writes boot_img into the disk's MBR and core_img at sector lba of disk (the
 * BIOS boot partition, part_sectors long). Returns 0 or a negative errno, logged. */
int grub_bios_embed(const char *disk, const char *boot_img, const char *core_img, uint64_t lba,
                    uint64_t part_sectors);

/* Makes core.img and esp.img (a FAT32 file system of esp_size bytes with
 * EFI/BOOT/BOOTX64.EFI, dated epoch, volume id volume_id) in dir. Returns 0
 * or a negative errno, logged. */
int bootloader_make(const char *dir, uint64_t esp_size, uint32_t volume_id, int64_t epoch);
