/* SPDX-License-Identifier: MIT */

/* bootloader.c's grub_bios_patch(): what grub-bios-setup --no-rs-codes
 * writes into boot.img and core.img's first sector for a core.img at a given
 * sector, checked byte by byte; and the disk GUIDs that the commit id fixes. */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "../../lib/tests/tap.h"
#include "bootloader.h"
#include "disk-image.h"

static uint64_t le(const uint8_t *p, size_t n) {
        uint64_t v = 0;
        for (size_t i = n; i > 0; i--)
                v = v << 8 | p[i - 1];
        return v;
}

static bool all(const uint8_t *p, size_t n, uint8_t b) {
        for (size_t i = 0; i < n; i++)
                if (p[i] != b)
                        return false;
        return true;
}

int main(void) {
        uint8_t boot[512], mbr[512], core[3 * 512], big[890 * 512];
        char a[37], b[37], c[37];

        memset(boot, 0xb0, sizeof(boot));
        boot[510] = 0x55;
        boot[511] = 0xaa;
        for (size_t i = 0; i < sizeof(mbr); i++)
                mbr[i] = (uint8_t) i;
        memset(core, 0xc0, sizeof(core));
        /* grub-mkimage's diskboot.img: one placeholder entry with a length,
         * below it a stale start without one. */
        memset(core + 488, 0, 24);
        core[500 + 8] = 0x7f;
        core[488] = 0x11;

        ok(grub_bios_patch(boot, mbr, core, 3, 2048) == 0, "patch of a 3-sector core at 2048");
        ok(memcmp(boot + 0x03, mbr + 0x03, 0x5a - 0x03) == 0, "BPB copied from the disk's sector 0");
        ok(memcmp(boot + 0x1b8, mbr + 0x1b8, 0x1fe - 0x1b8) == 0,
           "disk signature and partition table copied");
        ok(boot[510] == 0x55 && boot[511] == 0xaa, "boot signature kept");
        ok(boot[0] == 0xb0 && boot[2] == 0xb0 && boot[0x5b] == 0xb0 && all(boot + 0x68, 0x1b8 - 0x68, 0xb0),
           "boot.img's code is kept");
        ok(le(boot + 0x5c, 8) == 2048, "kernel sector is the BIOS boot partition's first");
        ok(boot[0x64] == 0xff, "boot drive: the one the BIOS passed");
        ok(boot[0x66] == 0x90 && boot[0x67] == 0x90, "floppy check jump replaced by nops");
        ok(le(core + 500, 8) == 2049 && le(core + 508, 2) == 2 && le(core + 510, 2) == 0x820,
           "blocklist: sectors 2049.. (2) to segment 0x820");
        ok(all(core + 488, 12, 0), "blocklist terminated");
        ok(all(core, 488, 0xc0) && all(core + 512, 1024, 0xc0), "the rest of core.img is untouched");

        memset(big, 0, sizeof(big));
        ok(grub_bios_patch(boot, mbr, big, 889, 2048) == -EFBIG, "889 sectors are refused");
        ok(grub_bios_patch(boot, mbr, big, 888, 2048) == 0, "888 sectors fit");
        ok(grub_bios_patch(boot, mbr, big, 0, 2048) == -EFBIG, "an empty core is refused");

        disk_image_uuid("commit-1", "berth-root", a);
        disk_image_uuid("commit-1", "berth-root", b);
        disk_image_uuid("commit-1", "berth-esp", c);
        ok(strcmp(a, b) == 0, "same commit, same GUID: %s", a);
        ok(strcmp(a, c) != 0, "another partition, another GUID: %s", c);
        ok(strlen(a) == 36 && a[8] == '-' && a[14] == '4' && strchr("89ab", a[19]),
           "RFC 4122 version 4 layout");
        disk_image_uuid("commit-2", "berth-root", b);
        ok(strcmp(a, b) != 0, "another commit, another GUID: %s", b);
        return tap_done();
}
