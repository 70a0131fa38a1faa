/* SPDX-License-Identifier: MIT */
#pragma once

/* containerd's API as berth uses it: pull through CRI's image service, read
 * the image's configuration, and a container's life (create with its
 * snapshot, start, wait, kill, delete). Each function is one or a few
 * unary calls on `c` and blocks until they end: PID 1 runs them in a
 * child (docs/architecture.md, "Containers: containerd's API from C").
 * All return 0 or a negative errno; grpc_error(c) then says why. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "grpc.h"

/* The namespace CRI pulls into: a container's snapshot must be in the
 * namespace of the image it is made from. */
#define CTRD_NAMESPACE "k8s.io"
#define CTRD_SNAPSHOTTER "overlayfs"
#define CTRD_RUNTIME "io.containerd.runc.v2"

int ctrd_version(GrpcConn *c, char **version, char **revision);

typedef struct {
        const char *username, *password; /* basic credentials, or */
        const char *registry_token; /* a bearer token */
} CtrdAuth;

/* Pulls `ref` (by tag or by digest; a manifest list is resolved to the
 * host's platform) and unpacks it into the overlayfs snapshotter, all inside
 * containerd. `*image_id` (optional) is the image's config digest. */
int ctrd_pull(GrpcConn *c, const char *ref, const CtrdAuth *auth, uint64_t timeout_usec, char **image_id);

/* What a container is made from: a pulled image's chain id (the name of its
 * top snapshot) and its OCI configuration's process defaults. */
typedef struct {
        char *id; /* config digest */
        char *chain_id; /* parent snapshot */
        char **entrypoint, **cmd, **env;
        char *workdir;
        char *user; /* the image's User: "UID", "UID:GID", a name, or NULL */
} CtrdImage;

void ctrd_image_done(CtrdImage *img);
/* -ENOENT when the image is not pulled. */
int ctrd_image_get(GrpcConn *c, const char *ref, CtrdImage *ret);
/* Parses CRI's verbose image info (JSON: chainID, imageSpec). */
int ctrd_image_parse_info(const char *json, CtrdImage *ret);

/* Creates container `name` from `img` with the OCI spec `spec_json`
 * (oci_spec_build()): the container record, its snapshot (an overlayfs
 * layer over the image's chain id, keyed by `name`) and its task, stopped
 * before its first instruction. `stdout_path` and `stderr_path` are what
 * the shim writes the output to: FIFOs (the caller opens them for reading
 * first), `file:///path` or NULL. On failure nothing is left behind.
 * `*pid` (optional) is the task's pid on the host. */
int ctrd_create(GrpcConn *c, const char *name, const char *image_ref, const CtrdImage *img,
                const char *spec_json, const char *stdout_path, const char *stderr_path, uint32_t *pid);
int ctrd_start(GrpcConn *c, const char *name, uint32_t *pid);
/* Blocks until the task ends (or `timeout_usec`); `*exit_status` is its
 * status (128 + N for a signal N, as containerd reports it). */
int ctrd_wait(GrpcConn *c, const char *name, uint64_t timeout_usec, uint32_t *exit_status);
/* ctrd_wait() in a child on a connection of its own (the call blocks for as
 * long as the task runs, and the caller must meanwhile copy the output):
 * returns the child's pid, or a negative errno; the task's status comes back
 * as a uint32_t on *ret_fd, which reads nothing when the wait failed (the
 * child then says why on stderr, after `who: wait: `). */
pid_t ctrd_wait_in_child(const char *address, const char *namespace, const char *name, const char *who,
                         int *ret_fd);
/* Signals the task's init process, or with `all` every process in it. */
int ctrd_kill(GrpcConn *c, const char *name, int signal, bool all);
/* Deletes the task (which must have ended), the container and its
 * snapshot; what is already gone is not an error. */
int ctrd_delete(GrpcConn *c, const char *name);

typedef enum {
        CTRD_TASK_NONE = -1, /* no task: never created, or deleted */
        CTRD_TASK_UNKNOWN = 0,
        CTRD_TASK_CREATED,
        CTRD_TASK_RUNNING,
        CTRD_TASK_STOPPED,
        CTRD_TASK_PAUSED,
        CTRD_TASK_PAUSING,
} CtrdTaskState;

typedef struct {
        CtrdTaskState state;
        uint32_t pid, exit_status;
} CtrdTask;

const char *ctrd_task_state_name(CtrdTaskState s);
/* The task of container `name`; a container without one is state NONE. */
int ctrd_task_get(GrpcConn *c, const char *name, CtrdTask *ret);
/* The names of berth's containers (label org.berth.container=1), sorted. */
int ctrd_list(GrpcConn *c, char ***ret);
