/* SPDX-License-Identifier: MIT */

/* berth-init: one binary, two stages. In the initramfs (dracut's module
 * writes /etc/initrd-release, as systemd's initrd does) it is stage 1; in
 * the real root, stage 2. Under other names it is the control socket's
 * clients: dhcpcd's hook and berthctl. */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "boot-contract.h"
#include "berthctl/berthctl.h"
#include "common/pid1.h"
#include "stage1/stage1.h"
#include "stage2/stage2.h"
#include "version.h"

int main(int argc, char *argv[]) {
        const char *slash = strrchr(argv[0], '/');
        const char *name = slash ? slash + 1 : argv[0];
        if (streq(name, BERTH_CTL_NAME))
                return berthctl_main(argc, argv);
        if (argc > 1 && streq(argv[1], "--version")) {
                printf("berth-init (berth) %s\n", BERTH_VERSION);
                return 0;
        }
        /* dhcpcd runs us as its hook script (the image has no shell). */
        if (streq(name, BERTH_DHCPCD_HOOK_NAME) || (argc > 1 && streq(argv[1], "--dhcpcd-hook")))
                return dhcpcd_hook_main();
        if (getpid() != 1) {
                fprintf(stderr, "berth-init is the image's PID 1; it does nothing as process %d.\n",
                        (int) getpid());
                return 1;
        }
        pid1_early_setup();
        if (access("/etc/initrd-release", F_OK) == 0)
                stage1_main();
        return stage2_main();
}
