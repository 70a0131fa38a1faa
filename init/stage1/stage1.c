/* SPDX-License-Identifier: MIT */

/* Stage 1, PID 1 in the initramfs: API file systems, modules, the root
 * device, the ostree deployment as the new root, then exec stage 2 there.
 * Every step is required: a failure halts with "berth: FAILED what: why". */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <unistd.h>

#include "boot-contract.h"
#include "macro.h"
#include "console.h"
#include "emergency.h"
#include "fileio.h"
#include "mount-util.h"
#include "pid1.h"
#include "kernel-args.h"
#include "stage1.h"

static const MountSpec early_mounts[] = {
        { "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555, true },
        { "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555, true },
        { "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", 0755, true },
        { "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", 0755, true },
};

/* dhcpcd (and anything else that asks getrandom() for bytes) waits until the
 * kernel's random number generator is seeded. Without a hardware source
 * (RDRAND, virtio-rng) the kernel seeds it from CPU timing jitter, and
 * only once someone waits for it: about a second under emulation, in the
 * middle of the boot's critical path. A child that waits for it now, while
 * stage 1 does its work on the other CPU, has it ready for dhcpcd. On
 * hardware with a random source it returns at once. Stage 2 reaps it. */
static void random_warm_up(void) {
        pid_t pid = fork();
        char byte;

        if (pid != 0)
                return;
        pid1_crash_handler_reset();
        (void) !getrandom(&byte, 1, 0);
        _exit(0);
}

void stage1_main(void) {
        _cleanup_(modules_closep) Modules *modules = NULL;
        _cleanup_free_ char *dev = NULL;
        const char *root, *ostree, *what;
        unsigned timeout_s;
        int r;

        if (mount_table(early_mounts, ARRAY_SIZE(early_mounts)) < 0)
                emergency("stage1", "the API file systems could not be mounted");
        console_setup();
        console_milestone("stage1");
        {
                /* /run moves into the real root with us: stage 2 reads it there. */
                char text[64];
                long total, user;
                cpu_ms(&total, &user);
                int n = snprintf(text, sizeof(text), "%ld %ld\n", total, user);
                if (mkdir_p("/run/berth", 0755) >= 0)
                        (void) write_file_atomic(CPU_AT_INIT_PATH, text, (size_t) n, 0644);
        }
        random_warm_up();

        root = kernel_arg_string(KARG_ROOT);
        ostree = kernel_arg_string(KARG_OSTREE);
        timeout_s = kernel_arg_unsigned(KARG_ROOT_TIMEOUT);
        if (!root || !root[0])
                emergency("root", "no " BERTH_KARG_ROOT "= on the kernel command line (e.g. " BERTH_KARG_ROOT
                                  "=LABEL=" BERTH_ROOT_LABEL ")");
        if (!ostree || !ostree[0])
                emergency("ostree", "no " BERTH_KARG_OSTREE
                                    "= on the kernel command line: which deployment to boot is unknown");

        r = modules_open(&modules);
        if (r < 0)
                emergency("modules", "cannot use libkmod: %s", modules_error(r));
        (void) modules_coldplug(modules);
        /* /etc is an overlay; the root is ext4 (build-image writes it). Both
         * are built into some kernels: then there is nothing to load. */
        (void) modules_load(modules, "overlay");
        (void) modules_load(modules, BERTH_ROOT_FSTYPE);

        r = root_find(root, timeout_s * 1000, modules, &dev);
        if (r == -ELIBACC)
                emergency("root", "cannot use libblkid to find %s: %s", root, root_find_error(r));
        if (r < 0)
                emergency("root", "no device %s appeared within %u s", root, timeout_s);

        (void) mkdir_p("/sysroot", 0755);
        if (mount(dev, "/sysroot", BERTH_ROOT_FSTYPE, MS_NOATIME, NULL) < 0)
                emergency("root", "cannot mount %s (%s) on /sysroot: %s", dev, root, strerror(errno));
        console_milestone("root mounted");

        r = deploy_root_setup(ostree, kernel_arg_unsigned(KARG_VAR) == VAR_TMPFS, &what);
        if (r < 0)
                emergency(what, "ostree=%s: %s", ostree, strerror(-r));

        modules = modules_close(modules);
        /* /run moves into the real root: stage 2 lists these with its own. */
        (void) console_milestones_save(MILESTONES_PATH);
        r = switch_root("/sysroot");
        if (r < 0)
                emergency("switch root", "%s", strerror(-r));

        execl(BERTH_INIT_PATH, BERTH_INIT_NAME, (char *) NULL);
        emergency("stage2", "cannot execute %s: %s", BERTH_INIT_PATH, strerror(errno));
}
