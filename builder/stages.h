/* SPDX-License-Identifier: MIT */
#pragma once

#include "build-context.h"

/* Each stage returns 0 or a negative errno, having logged why. Two errors
 * mean something to build.c: -ENOPKG (a package could not be found or
 * fetched: exit 3) and -EINTR (interrupted: exit 130). */
int stage_resolve(BuildContext *c); /* stage-resolve.c: apt picks and fetches the packages */
int resolve_save_record(const BuildContext *c); /* once every package's source and licence is known */
int stage_unpack(BuildContext *c); /* stage-unpack.c: the base tree from the .debs */
int stage_initramfs(BuildContext *c); /* stage-initramfs.c: dracut with berth's module */
int stage_overlays(BuildContext *c); /* stage-overlays.c: the recipe's overlays */
int stage_sysfiles(BuildContext *c); /* stage-sysfiles.c: os-release, users, machine-id, SBOM */
int stage_commit(BuildContext *c); /* stage-commit.c: libostree commit and ref */
int stage_disk(BuildContext *c); /* stage-disk.c: ostree deployment, disk.raw, boot files */
int stage_manifest(BuildContext *c); /* manifest.c: manifest.json and the SBOM in OUTDIR */
