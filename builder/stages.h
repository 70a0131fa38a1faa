/* SPDX-License-Identifier: MIT */
#pragma once

#include "build-context.h"

/* Each stage reads the environment and the results of earlier stages (const)
 * and fills its own result; it returns 0 or a negative errno, having logged
 * why. *ret_cached is set when the result came from the cache. Two errors
 * mean something to build.c: -ENOPKG (a package could not be found or
 * fetched: exit 3) and -EINTR (interrupted: exit 130). */

/* stage-resolve.c: apt picks and fetches the packages; saves resolve/KEY. */
int stage_resolve(const BuildEnv *env, PackageSet *ret, bool *ret_cached);
/* Sets each package's sha256 and size from apt-get download --print-uris's
 * output (the index's); -ENOPKG, named, when one has no SHA256 there. */
int resolve_parse_index_hashes(PackageSet *s, const char *output);
/* stage-unpack.c: the base tree from the .debs, with each package's origin; saves trees/KEY. */
int stage_unpack(const BuildEnv *env, const PackageSet *packages, BaseTree *ret, bool *ret_cached);
/* stage-initramfs.c: dracut with berth's module; saves initramfs/KEY. */
int stage_initramfs(const BuildEnv *env, const BaseTree *base, Initramfs *ret, bool *ret_cached);
/* stage-overlays.c: the delta, with the recipe's overlays. */
int stage_overlays(const BuildEnv *env, const BaseTree *base, Delta *ret);
/* stage-sysfiles.c: the initramfs, os-release, users, machine-id and the SBOM into the delta. */
int stage_sysfiles(const BuildEnv *env, const PackageSet *packages, const BaseTree *base,
                   const Initramfs *initramfs, const Delta *delta, SysFiles *ret);
/* stage-commit.c: libostree commit and ref; the manifest it names. */
int stage_commit(const BuildEnv *env, const PackageSet *packages, const BaseTree *base, const Delta *delta,
                 const SysFiles *sysfiles, Commit *ret);
/* stage-deploy.c: the commit deployed into a fresh ostree sysroot. */
int stage_deploy(const BuildEnv *env, const Commit *commit, Deployment *ret);
/* stage-disk.c: the disk image from the sysroot, the boot files beside it, the other formats. */
int stage_disk(const BuildEnv *env, const BaseTree *base, const Commit *commit,
               const Deployment *deployment);
/* manifest.c: manifest.json and the SBOM in OUTDIR. */
int stage_manifest(const BuildEnv *env, const Commit *commit, const SysFiles *sysfiles);
