/* SPDX-License-Identifier: MIT */

/* berth-init, first version: proves the initramfs path end to end (dracut
 * installs it as /init, the kernel runs it). It mounts /proc, announces
 * itself on the console and powers off. The full stage 1 and stage 2 come
 * with the boot issue; see docs/console.md for the console lines. */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include "version.h"

int main(int argc, char *argv[]) {
        bool initrd = access("/etc/initrd-release", F_OK) == 0;

        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 && errno != EBUSY)
                fprintf(stderr, "berth: FAILED mount /proc: %s\n", strerror(errno));
        printf("berth: hello from berth-init %s (%s, pid %d)\n", BERTH_VERSION, initrd ? "initrd" : "root",
               (int) getpid());
        fflush(stdout);
        if (getpid() != 1)
                return 0;
        sync();
        (void) reboot(RB_POWER_OFF);
        for (;;)
                pause();
}
