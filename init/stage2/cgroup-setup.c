/* SPDX-License-Identifier: MIT */

/* The cgroup v2 layout (docs/architecture.md):
 *
 *   /sys/fs/cgroup                 controllers enabled for the children
 *   ├── system/                    the host's own: a protected reserve
 *   │   ├── init/                  berth-init (PID 1) and its helper jobs
 *   │   ├── dhcpcd/, containerd/   each system service (spec.cgroup), made at its start
 *   └── containers/                empty: where host state's containers go
 *
 * A cgroup with controllers enabled for its children may hold no process of
 * its own ("no internal processes"): PID 1 moves from the root to a leaf,
 * system/init, before system's controllers are enabled. Controllers the
 * kernel lacks are skipped; a layout that cannot be made warns and the boot
 * goes on with every process where it is. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "console.h"
#include "manager.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* What the system keeps whatever containers do: memory the kernel reclaims
 * from it only when nothing else is left, and twice the default CPU weight. */
#define SYSTEM_MEMORY_MIN "64M"
#define SYSTEM_CPU_WEIGHT "200"

static const char *const controllers[] = { "cpu", "memory", "pids", "io" };

static int write_attr(const char *cgroup, const char *attr, const char *value) {
        char path[256];
        _cleanup_close_ int fd = -EBADF;
        size_t n = strlen(value);

        snprintf(path, sizeof(path), CGROUP_ROOT "%s%s/%s", cgroup[0] ? "/" : "", cgroup, attr);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, value, n) != (ssize_t) n)
                return -errno;
        return 0;
}

static int make(const char *cgroup) {
        char path[256];

        snprintf(path, sizeof(path), CGROUP_ROOT "/%s", cgroup);
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* Each controller on its own: one the kernel lacks does not stop the rest. */
static void enable_controllers(const char *cgroup) {
        for (size_t i = 0; i < ARRAY_SIZE(controllers); i++) {
                char what[16];
                snprintf(what, sizeof(what), "+%s", controllers[i]);
                int r = write_attr(cgroup, "cgroup.subtree_control", what);
                if (r < 0 && r != -ENOENT && r != -EINVAL)
                        console_warning("cgroup %s: cannot enable the %s controller: %s",
                                        cgroup[0] ? cgroup : "/", controllers[i], strerror(-r));
        }
}

uint64_t cgroup_containers_pids_max(uint64_t pid_max) {
        return pid_max > 2 * CGROUP_SYSTEM_PIDS_RESERVE ? pid_max - CGROUP_SYSTEM_PIDS_RESERVE : pid_max / 2;
}

/* A fork bomb in a container without pids_max must not take every PID:
 * PID 1 still forks to restart services, run berth-fetch and stop
 * containers. The kernel's pid_max counts threads as pids.max does. */
static void containers_pids_limit(void) {
        _cleanup_free_ char *text = NULL;
        unsigned long long pid_max = 0;
        char value[32];
        int r;

        if (read_full_file("/proc/sys/kernel/pid_max", 64, &text, NULL) < 0 ||
            (pid_max = strtoull(text, NULL, 10)) == 0) {
                console_warning("cgroup containers: pids.max not set: /proc/sys/kernel/pid_max unreadable");
                return;
        }
        snprintf(value, sizeof(value), "%llu", (unsigned long long) cgroup_containers_pids_max(pid_max));
        r = write_attr("containers", "pids.max", value);
        if (r < 0 && r != -ENOENT)
                console_warning("cgroup containers: pids.max: %s", strerror(-r));
}

int cgroup_setup(void) {
        int r;

        r = make("system");
        if (r >= 0)
                r = make("system/init");
        if (r >= 0)
                r = make("containers");
        if (r >= 0)
                r = write_attr("system/init", "cgroup.procs", "0");
        if (r < 0) {
                console_warning("cgroup layout not made: %s", strerror(-r));
                return r;
        }
        enable_controllers("");
        enable_controllers("system");
        enable_controllers("containers");
        r = write_attr("system", "memory.min", SYSTEM_MEMORY_MIN);
        if (r < 0 && r != -ENOENT)
                console_warning("cgroup system: memory.min: %s", strerror(-r));
        r = write_attr("system", "cpu.weight", SYSTEM_CPU_WEIGHT);
        if (r < 0 && r != -ENOENT)
                console_warning("cgroup system: cpu.weight: %s", strerror(-r));
        containers_pids_limit();
        return 0;
}
