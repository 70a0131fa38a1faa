/* SPDX-License-Identifier: MIT */
#include "bootloader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-contract.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "process-util.h"

/* Offsets in boot.img (GRUB's include/grub/i386/pc/boot.h). */
#define BOOT_BPB_START 0x03
#define BOOT_BPB_END 0x5a
#define BOOT_KERNEL_SECTOR 0x5c
#define BOOT_BOOT_DRIVE 0x64
#define BOOT_DRIVE_CHECK 0x66
#define BOOT_WINDOWS_NT_MAGIC 0x1b8
#define BOOT_PART_END 0x1fe
/* core.img's first sector (diskboot.img) ends with a blocklist of packed
 * { u64 start; u16 len; u16 segment } entries, growing down. */
#define BLOCKLIST_ENTRY 12
#define CORE_SEGMENT (0x800 + (512 >> 4))

static void put_le(uint8_t *p, uint64_t v, size_t bytes) {
        for (size_t i = 0; i < bytes; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static uint16_t get_le16(const uint8_t *p) {
        return (uint16_t) (p[0] | p[1] << 8);
}

int grub_bios_patch(uint8_t boot[static 512], const uint8_t mbr[static 512], uint8_t *core, size_t n_sectors,
                    uint64_t lba) {
        if (n_sectors == 0 || n_sectors > GRUB_BIOS_CORE_MAX_SECTORS)
                return -EFBIG;
        memcpy(boot + BOOT_BPB_START, mbr + BOOT_BPB_START, BOOT_BPB_END - BOOT_BPB_START);
        memcpy(boot + BOOT_WINDOWS_NT_MAGIC, mbr + BOOT_WINDOWS_NT_MAGIC,
               BOOT_PART_END - BOOT_WINDOWS_NT_MAGIC);
        /* A hard disk: no floppy probe, and the drive is the one the BIOS
         * passed in DL. */
        boot[BOOT_DRIVE_CHECK] = 0x90;
        boot[BOOT_DRIVE_CHECK + 1] = 0x90;
        boot[BOOT_BOOT_DRIVE] = 0xff;
        put_le(boot + BOOT_KERNEL_SECTOR, lba, 8);

        /* The rest of core.img follows its first sector on the disk: one
         * blocklist entry, then the terminator. */
        for (size_t off = 512 - BLOCKLIST_ENTRY; off >= 0x20 && get_le16(core + off + 8) != 0;
             off -= BLOCKLIST_ENTRY)
                memset(core + off, 0, BLOCKLIST_ENTRY);
        put_le(core + 512 - BLOCKLIST_ENTRY, lba + 1, 8);
        put_le(core + 512 - BLOCKLIST_ENTRY + 8, n_sectors - 1, 2);
        put_le(core + 512 - BLOCKLIST_ENTRY + 10, CORE_SEGMENT, 2);
        memset(core + 512 - 2 * BLOCKLIST_ENTRY, 0, BLOCKLIST_ENTRY);
        return 0;
}

int grub_bios_embed(const char *disk, const char *boot_img, const char *core_img, uint64_t lba,
                    uint64_t part_sectors) {
        _cleanup_free_ char *boot = NULL, *core_file = NULL;
        _cleanup_free_ uint8_t *core = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t boot_size, core_size, n_sectors;
        uint8_t mbr[512];
        int r;

        r = read_full_file(boot_img, 4096, &boot, &boot_size);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s: %m (grub-pc-bin; make deps installs it)",
                                       boot_img);
        if (boot_size != 512)
                return log_error_errno(EINVAL, "%s is %zu bytes, not 512.", boot_img, boot_size);
        r = read_full_file(core_img, 0, &core_file, &core_size);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s: %m", core_img);
        n_sectors = (core_size + 511) / 512;
        if (n_sectors < 2 || n_sectors > part_sectors)
                return log_error_errno(EFBIG,
                                       "%s is %zu sectors: it does not fit the BIOS boot partition (%llu).",
                                       core_img, n_sectors, (unsigned long long) part_sectors);
        core = calloc(n_sectors, 512);
        if (!core)
                return log_oom();
        memcpy(core, core_file, core_size);

        fd = open(disk, O_RDWR | O_CLOEXEC);
        if (fd < 0 || pread(fd, mbr, sizeof(mbr), 0) != (ssize_t) sizeof(mbr))
                return log_error_errno(fd < 0 ? errno : EIO, "Cannot read the MBR of %s: %m", disk);
        r = grub_bios_patch((uint8_t *) boot, mbr, core, n_sectors, lba);
        if (r < 0)
                return log_error_errno(r, "%s is %zu sectors, more than GRUB's %u.", core_img, n_sectors,
                                       GRUB_BIOS_CORE_MAX_SECTORS);
        if (pwrite(fd, core, n_sectors * 512, (off_t) (lba * 512)) != (ssize_t) (n_sectors * 512) ||
            pwrite(fd, boot, 512, 0) != 512)
                return log_error_errno(errno ? errno : EIO, "Cannot write GRUB into %s: %m", disk);
        return 0;
}

/* Runs argv; its stdout (mkfs.fat's banner) goes nowhere, its errors to ours. */
static int run(char *const argv[], char *const env[], const char *what) {
        _cleanup_close_ int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        RunOptions o = { .env_extra = env, .stdout_fd = null >= 0 ? null : STDERR_FILENO, .stderr_fd = -1 };
        return run_tool(argv, &o, what);
}

/* No built-in config: GRUB's kernel runs one with its rescue parser, which
 * has no "if", so it could not fall back conditionally. The prefix
 * (,gpt3)/boot/grub needs none: GRUB puts the boot disk in front of it, on
 * BIOS and on EFI alike, so no UUID and no search is involved. */
#define GRUB_COMMON_MODULES                                                                               \
        "part_gpt", "ext2", "normal", "linux", "loadenv", "test", "echo", "serial", "terminal", "search", \
                "search_label", "reboot", "halt", "configfile"

static int mkimage(const char *format, const char *moddir, const char *out, const char *extra,
                   const char *extra2) {
        char *argv[] = { (char *) "grub-mkimage",
                         (char *) "-O",
                         (char *) format,
                         (char *) "-d",
                         (char *) moddir,
                         (char *) "-p",
                         (char *) BERTH_GRUB_PREFIX,
                         (char *) "-o",
                         (char *) out,
                         (char *) extra,
                         (char *) extra2,
                         GRUB_COMMON_MODULES,
                         NULL };
        return run(argv, NULL, "grub-mkimage");
}

int bootloader_make(const char *dir, uint64_t esp_size, uint32_t volume_id, int64_t epoch) {
        _cleanup_free_ char *core = path_join(dir, "core.img"), *efi = path_join(dir, "BOOTX64.EFI"),
                            *esp = path_join(dir, "esp.img");
        _cleanup_free_ char *blocks = NULL, *id = NULL, *sde = NULL;
        int r;

        if (!core || !efi || !esp || asprintf(&blocks, "%llu", (unsigned long long) (esp_size / 1024)) < 0 ||
            asprintf(&id, "%08x", volume_id) < 0 ||
            asprintf(&sde, "SOURCE_DATE_EPOCH=%lld", (long long) epoch) < 0)
                return log_oom();
        r = mkimage("i386-pc", GRUB_BIOS_MODULE_DIR, core, "biosdisk", "part_msdos");
        if (r >= 0)
                r = mkimage("x86_64-efi", GRUB_EFI_MODULE_DIR, efi, "fat", "efi_gop");
        if (r < 0)
                return r;

        /* mkfs.fat: --invariant before -i, or it overrides the volume id. */
        (void) unlink(esp);
        char *mkfs[] = { (char *) "mkfs.fat",
                         (char *) "-C",
                         (char *) "-F",
                         (char *) "32",
                         (char *) "-n",
                         (char *) BERTH_ESP_LABEL,
                         (char *) "--invariant",
                         (char *) "-i",
                         id,
                         esp,
                         blocks,
                         NULL };
        r = run(mkfs, NULL, "mkfs.fat");
        if (r < 0)
                return r;
        /* mtools dates what it writes with SOURCE_DATE_EPOCH; mcopy -m keeps
         * the file's own time, set to the same. */
        struct timespec times[2] = { { .tv_sec = epoch }, { .tv_sec = epoch } };
        if (utimensat(AT_FDCWD, efi, times, 0) < 0)
                return log_error_errno(errno, "Cannot date %s: %m", efi);
        char *env[] = { sde, (char *) "MTOOLS_SKIP_CHECK=1", NULL };
        char *mmd[] = {
                (char *) "mmd", (char *) "-i", esp, (char *) "::/EFI", (char *) "::/EFI/BOOT", NULL
        };
        r = run(mmd, env, "mmd");
        if (r < 0)
                return r;
        char *mcopy[] = { (char *) "mcopy",
                          (char *) "-m",
                          (char *) "-i",
                          esp,
                          efi,
                          (char *) "::/EFI/BOOT/BOOTX64.EFI",
                          NULL };
        return run(mcopy, env, "mcopy");
}
