/* SPDX-License-Identifier: MIT */
#pragma once

/* An OCI image archive (an OCI layout in a tar: oci-layout, index.json,
 * blobs/sha256/...; what `ctr images export` and make-oci-image.py write)
 * into containerd without a registry, for air-gapped hosts: its image for
 * linux/amd64 (through nested indexes), its blobs written to the content
 * store (containerd checks each against its digest), its layers unpacked
 * into overlayfs snapshots named by chain id, an image record `name`. All
 * under a lease, so containerd's garbage collector takes nothing half-made
 * and everything of a failed import. The archive itself is the caller's to
 * verify (a sha256 pin). */

#include "ctrd.h"

int ctrd_import(GrpcConn *c, const char *archive, const char *name, CtrdImage *ret);

/* containerd's chain id of the layers' diff ids: the first diff id, then
 * sha256("PREVIOUS DIFF_ID") for each next one. */
int ctrd_chain_id(char *const *diff_ids, size_t n, char out[static 72]);
