/* SPDX-License-Identifier: MIT */

/* What the real root needs before any service: the remaining API file
 * systems, hostname, loopback, a machine id. Required mounts
 * fail the boot; the rest warns and goes on (LinuxKit's init does the same). */

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "boot-contract.h"
#include "macro.h"
#include "console.h"
#include "fileio.h"
#include "manager.h"
#include "mount-util.h"

static const MountSpec mounts[] = {
        /* stage 1 moved /proc /sys /dev /run here; these are for a boot without it */
        { "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555, true },
        { "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555, true },
        { "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", 0755, true },
        { "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", 0755, true },
        { "cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, "nsdelegate", 0755,
          true },
        { "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666", 0755,
          true },
        { "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777, true },
        { "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777, true },
        { "mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0755, false },
        { "bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700", 0700, false },
        { "debugfs", "/sys/kernel/debug", "debugfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0700, false },
        { "pstore", "/sys/fs/pstore", "pstore", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0755, false },
};

static void set_hostname(void) {
        _cleanup_free_ char *name = NULL;
        size_t n = 0;

        if (read_full_file("/etc/hostname", 256, &name, &n) >= 0) {
                n = strcspn(name, "\n \t");
                name[n] = 0;
        }
        if (!name || n == 0) {
                free(name);
                name = strdup("berth");
                n = name ? strlen(name) : 0;
        }
        if (name && sethostname(name, n) < 0)
                console_warning("sethostname: %s", strerror(errno));
}

static void loopback_up(void) {
        struct ifreq ifr = { .ifr_name = "lo" };
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return;
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
                ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
                if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                        console_warning("loopback: %s", strerror(errno));
        }
        close(fd);
}

/* A fresh id per boot unless the image sets one: the image ships an empty
 * /etc/machine-id, as systemd's first boot expects, and /etc starts from the
 * image's defaults at every boot (stateless), so the id is per boot too. */
static void machine_id(void) {
        _cleanup_free_ char *cur = NULL;
        char text[SD_ID128_STRING_MAX + 1];
        sd_id128_t id;
        size_t n = 0;

        if (read_full_file("/etc/machine-id", 64, &cur, &n) >= 0 && n >= 32)
                return;
        if (sd_id128_randomize(&id) < 0)
                return;
        snprintf(text, sizeof(text), "%s\n", sd_id128_to_string(id, (char[SD_ID128_STRING_MAX]){}));
        if (write_file_atomic("/etc/machine-id", text, strlen(text), 0444) < 0)
                console_warning("cannot write /etc/machine-id");
}

int early_setup(void) {
        int r;

        r = mount_table(mounts, ARRAY_SIZE(mounts));
        if (r < 0)
                return r;
        set_hostname();
        loopback_up();
        machine_id();
        return 0;
}
