/* SPDX-License-Identifier: MIT */

/* The system services, as specs: what runs, with what, where, when it is
 * ready, and what it waits for. Host state adds its own at run time. */

#include "boot-contract.h"
#include "macro.h"
#include "system-services.h"

#define PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"

static const char *const path_env[] = { PATH_ENV, NULL };

static const char *const dhcpcd_argv[] = {
        "/usr/sbin/dhcpcd", "--nobackground",       "--noarp", "--nodev", "--nodelay",
        "--script",         BERTH_DHCPCD_HOOK_PATH, NULL,
};
/* Folders packages ship under /var, which ostree does not deploy. */
static const FolderSpec dhcpcd_folders[] = { { "/var/lib/dhcpcd", 0755 }, { NULL, 0 } };

static const char *const containerd_argv[] = { "/usr/bin/containerd", "--log-level", "warn", NULL };
static const FolderSpec containerd_folders[] = {
        { "/var/lib/containerd", 0711 },
        { "/run/containerd", 0711 },
        { NULL, 0 },
};

const ServiceSpec system_services[] = {
        {
                .name = "dhcpcd",
                .argv = dhcpcd_argv,
                .env = path_env,
                .folders = dhcpcd_folders,
                .readiness = READINESS_NONE,
                /* Its hook (berth-init --dhcpcd-hook) tells PID 1 of the lease. */
                .provides = CONDITION_NETWORK,
                .cgroup = "system/dhcpcd",
        },
        {
                .name = "containerd",
                .argv = containerd_argv,
                .env = path_env,
                .folders = containerd_folders,
                .readiness = READINESS_NOTIFY,
                .ready_socket = "/run/containerd/containerd.sock",
                /* Not the network: containerd serves its socket without a lease, and
                 * what needs the network (pulls, the host state) waits for it on its
                 * own; so containerd starts at once. The modules: its overlayfs
                 * snapshotter is skipped when overlay is not loaded when it starts. */
                .wants = CONDITION_MODULES,
                /* Met once it is ready: host state's containers wait for it. */
                .provides = CONDITION_CONTAINERD,
                .cgroup = "system/containerd",
        },
};
const size_t n_system_services = ARRAY_SIZE(system_services);

static const char *const shell_argv[] = { "/bin/sh", NULL };

const ServiceSpec debug_shell_spec = {
        .name = "shell",
        .argv = shell_argv,
        .env = path_env,
        .readiness = READINESS_NONE,
        .cgroup = "system/shell",
};
