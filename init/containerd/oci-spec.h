/* SPDX-License-Identifier: MIT */
#pragma once

/* The OCI runtime spec (JSON) of a berth container: containerd's default
 * Linux spec (oci/spec.go: namespaces, /proc, /dev, /sys, ... capabilities,
 * masked paths) with the image's process defaults and berth's settings. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctrd.h"

typedef struct {
        const char *source, *destination;
        bool readonly;
} CtrdMount;

typedef struct {
        const char *name; /* container id: letters, digits, . _ - between them */
        char *const *command; /* replaces the image's entrypoint (and drops its cmd) */
        char *const *args; /* replaces the image's cmd */
        char *const *env; /* KEY=VALUE, over the image's */
        const char *workdir; /* default: the image's, else / */
        const CtrdMount *mounts; /* bind mounts */
        size_t n_mounts;
        bool host_network; /* else a network namespace of its own (loopback only) */
        const char *cgroup_parent; /* the container's cgroup is PARENT/NAME */
        uint64_t memory_max; /* bytes; 0: no limit */
        uint64_t pids_max; /* 0: no limit */
        uint64_t cpu_quota_usec, cpu_period_usec; /* cpu.max; quota 0: no limit */
        uint64_t cpu_weight; /* cgroup v2 cpu.weight 1..10000; 0: the default */
} CtrdContainerSpec;

#define CTRD_CGROUP_PARENT "/containers"

/* containerd's identifier rule (identifiers/validate.go), 76 characters at
 * most; it also keeps the name from leaving the cgroup parent. */
bool ctrd_name_is_valid(const char *name);

/* The cgroup v1 cpu.shares that runc turns into `weight` on cgroup v2
 * (runc's ConvertCPUSharesToCgroupV2Value inverted). */
uint64_t oci_cpu_weight_to_shares(uint64_t weight);

/* The image's User as numbers: "UID" (GID 0, as containerd without a
 * passwd entry) or "UID:GID"; NULL or "" is root. -EOPNOTSUPP for a user
 * or group name (resolving it needs the image's /etc/passwd: the caller
 * says it runs as root), -EINVAL for a number out of range. */
int oci_user_parse(const char *user, uint32_t *ret_uid, uint32_t *ret_gid);

/* A bind mount's host folder, reached without a symlink: -ELOOP when a
 * symlink is on its way (runc would follow it: a container that can write
 * into a parent of another mount's source could point that source at any
 * host path, / or /var/lib/containerd, for the next start); 0 when there
 * is none, or nothing there (runc says so). */
int oci_mount_source_check(const char *source);

/* Builds the spec; -EINVAL for a bad name, mount or limit, -ELOOP for a
 * mount source through a symlink, -ENOEXEC when neither the image nor `s`
 * names a program. */
int oci_spec_build(const CtrdContainerSpec *s, const CtrdImage *img, char **ret);
