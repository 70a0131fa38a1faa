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
} CtrdImage;

void ctrd_image_done(CtrdImage *img);
/* -ENOENT when the image is not pulled. */
int ctrd_image_get(GrpcConn *c, const char *ref, CtrdImage *ret);
/* Parses CRI's verbose image info (JSON: chainID, imageSpec). */
int ctrd_image_parse_info(const char *json, CtrdImage *ret);
