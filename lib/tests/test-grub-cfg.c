/* SPDX-License-Identifier: MIT */

/* grub-cfg.c: ostree's boot entries become GRUB's menu, newest first, each
 * kernel argument quoted so GRUB passes it as written. When grub-script-check
 * (grub-common) is installed, GRUB's own parser checks the output too. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../grub-cfg.h"
#include "../macro.h"
#include "tap.h"

static const char *entry_v1 =
        "title Debian GNU/Linux 12 (bookworm) 1 (ostree:1)\n"
        "version 1\n"
        "options root=LABEL=berth-root console=ttyS0 ostree=/ostree/boot.1/berth/b1/0\n"
        "linux /ostree/berth-b1/vmlinuz-6.1.0\n"
        "initrd /ostree/berth-b1/initramfs-6.1.0.img\n";
static const char *entry_v2 =
        "title Debian GNU/Linux 12 (bookworm) 2 (ostree:0)\n"
        "version 2\n"
        "options root=LABEL=berth-root x=\"a b\" y=$z it's ostree=/ostree/boot.1/berth/b2/1\n"
        "linux /ostree/berth-b2/vmlinuz-6.1.0\n"
        "initrd /ostree/berth-b2/initramfs-6.1.0.img\n";

static const char *expected =
        "# berth: written by build-image from ostree's boot entries, newest first; do not edit\n"
        "set timeout=1\n"
        "if [ \"$grub_platform\" = \"pc\" ]; then\n"
        "  serial --unit=0 --speed=115200\n"
        "  terminal_input serial console\n"
        "  terminal_output serial console\n"
        "fi\n"
        "set default=0\n"
        "set fallback=1\n"
        "menuentry 'Debian GNU/Linux 12 (bookworm) 2 (ostree:0)' --id berth-0 {\n"
        "  linux '/boot/ostree/berth-b2/vmlinuz-6.1.0' 'root=LABEL=berth-root' 'x=\"a b\"' 'y=$z' "
        "'it'\\''s' "
        "'ostree=/ostree/boot.1/berth/b2/1'\n"
        "  initrd '/boot/ostree/berth-b2/initramfs-6.1.0.img'\n"
        "}\n"
        "menuentry 'Debian GNU/Linux 12 (bookworm) 1 (ostree:1)' --id berth-1 {\n"
        "  linux '/boot/ostree/berth-b1/vmlinuz-6.1.0' 'root=LABEL=berth-root' 'console=ttyS0' "
        "'ostree=/ostree/boot.1/berth/b1/0'\n"
        "  initrd '/boot/ostree/berth-b1/initramfs-6.1.0.img'\n"
        "}\n";

static void script_check(const char *text) {
        char path[] = "/tmp/test-grub-cfg.XXXXXX";
        _cleanup_free_ char *cmd = NULL;
        int fd = mkstemp(path), r;

        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text)) {
                ok(false, "temporary file for grub-script-check");
                return;
        }
        close(fd);
        if (system("command -v grub-script-check >/dev/null 2>&1") != 0)
                printf("ok %u - grub-script-check accepts it # SKIP grub-script-check is not installed\n",
                       ++tap_count);
        else if (asprintf(&cmd, "grub-script-check '%s'", path) > 0) {
                r = system(cmd);
                ok(r == 0, "grub-script-check accepts it (%d)", r);
        }
        unlink(path);
}

static int put(const char *dir, const char *name, const char *text) {
        char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "w");
        if (!f)
                return -1;
        fputs(text, f);
        return fclose(f);
}

/* grub_cfg_generate(): the entry files of a folder, in any order, give the
 * same text as grub_cfg_write() of the sorted entries; a bad file is named. */
static void generate(void) {
        char dir[] = "/tmp/test-grub-cfg-dir.XXXXXX", out[300], cmd[400];
        _cleanup_free_ char *text = NULL;
        FILE *f;

        if (!ok(mkdtemp(dir) != NULL, "temporary folder"))
                return;
        snprintf(out, sizeof(out), "%s/grub.cfg", dir);
        ok(put(dir, "ostree-1-berth.conf", entry_v1) == 0 &&
                   put(dir, "ostree-2-berth.conf", entry_v2) == 0 && put(dir, "README", "not an entry") == 0,
           "entry files written");
        ok(grub_cfg_generate(dir, "/boot", out) == 0, "generated from the folder");
        f = fopen(out, "r");
        if (f) {
                size_t n = 0;
                text = calloc(1, 4096);
                if (text)
                        n = fread(text, 1, 4095, f);
                fclose(f);
                ok(n > 0 && streq(text, expected), "the same text as from the sorted entries");
        } else
                ok(false, "the same text as from the sorted entries");
        ok(put(dir, "ostree-3-berth.conf", "title broken\n") == 0, "a broken entry written");
        ok(grub_cfg_generate(dir, "/boot", out) == -EINVAL, "a broken entry fails the menu");
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        ok(system(cmd) == 0, "cleaned up");
        ok(grub_cfg_generate("/nonexistent/entries", "/boot", out) == -ENOENT,
           "a missing folder is -ENOENT");
}

int main(void) {
        BootEntry e[2] = { 0 };
        char msg[80] = "";
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *f;
        int r;

        ok(boot_entry_parse(entry_v1, &e[0], msg, sizeof(msg)) == 0, "entry v1 parses");
        ok(boot_entry_parse(entry_v2, &e[1], msg, sizeof(msg)) == 0, "entry v2 parses");
        ok(e[1].options && strstr(e[1].options, "x=\"a b\"") != NULL, "options kept as written");
        boot_entries_sort(e, 2);
        ok(streq(e[0].version, "2") && streq(e[1].version, "1"), "sorted newest first");

        f = open_memstream(&text, &len);
        r = grub_cfg_write(f, e, 2, "/boot");
        fclose(f);
        ok(r == 0, "grub.cfg written (%d)", r);
        if (!ok(text && streq(text, expected), "grub.cfg is the expected text"))
                printf("# got:\n%s", strempty(text));
        script_check(strempty(text));

        /* One entry: no fallback line. */
        free(text);
        text = NULL;
        f = open_memstream(&text, &len);
        r = grub_cfg_write(f, e + 1, 1, "/boot");
        fclose(f);
        ok(r == 0 && !strstr(text, "fallback") && strstr(text, "--id berth-0"), "one entry: default only");
        script_check(strempty(text));

        ok(grub_cfg_write(stdout, e, 0, "/boot") == -EINVAL, "no entry is refused");
        for (size_t i = 0; i < 2; i++)
                boot_entry_done(&e[i]);

        ok(boot_entry_parse("title x\nversion 1\nlinux /k\n", &e[0], msg, sizeof(msg)) == -EINVAL &&
                   strstr(msg, "options"),
           "an entry without options is refused: %s", msg);
        ok(boot_entry_parse("title x\noptions a=b\nlinux /k\n", &e[0], msg, sizeof(msg)) == -EINVAL &&
                   strstr(msg, "version"),
           "an entry without version is refused: %s", msg);
        generate();
        return tap_done();
}
