/* SPDX-License-Identifier: MIT */
#pragma once

/* What the stages of one build read and produce. BuildEnv is fixed before the
 * first stage runs; every other record is the result of one stage, written
 * by that stage alone and read, as const, only by the stages after it.
 * build.c's header says which stage produces which record and who reads it. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "build.h"
#include "cache.h"

/* The build's inputs and places, the same for every stage. */
typedef struct BuildEnv {
        const Recipe *recipe;
        const BuildOptions *opts;
        Cache *cache;
        char *output_dir; /* final place of the artifacts */
        char *stage_out; /* the artifacts while building: renamed to output_dir at the end */
        char *berth_init; /* the berth-init binary to install */
        char *berth_fetch; /* the state fetcher, installed beside it */
        char *berth_ctr; /* the container runner, installed beside it */
        char *dracut_module; /* folder of berth's dracut module */
} BuildEnv;

/* resolve: the packages apt chose, in apt's order. */
typedef struct Package {
        char *name;
        char *version;
        char *architecture;
        char *deb; /* path of the .deb in the cache */
        char sha256[65];
        uint64_t size; /* bytes of the .deb */
} Package;

typedef struct PackageSet {
        Package *packages;
        size_t n_packages;
} PackageSet;

/* unpack: where a package comes from, known once its .deb is opened. */
typedef struct PackageOrigin {
        char *source; /* source package */
        char *license; /* NULL when the package states none */
} PackageOrigin;

/* unpack: the base tree (packages only), shared by every image of the same packages. */
typedef struct BaseTree {
        char key[65]; /* the cache key of the tree: names it in trees/ and in the repository */
        char *path;
        char *kver;
        int64_t source_date_epoch; /* SOURCE_DATE_EPOCH, else the packages' newest file */
        uint64_t size;
        PackageOrigin *origins; /* one per package, in PackageSet's order */
} BaseTree;

/* initramfs: the image in the cache. */
typedef struct Initramfs {
        char *path;
} Initramfs;

/* overlays: the delta, the image's own files that the commit lays over the
 * base tree. The folder is made by overlays; sysfiles adds the generated files. */
typedef struct Delta {
        char *path;
} Delta;

/* sysfiles: what the delta ended up holding. */
typedef struct SysFiles {
        json_object *sbom; /* the SBOM written into the image, and into OUTDIR by manifest */
        uint64_t delta_size; /* bytes of the delta, generated files included */
} SysFiles;

/* commit */
typedef struct Commit {
        char *ref;
        char *commit;
        char *repo; /* the repository the user sees */
        json_object *manifest; /* manifest.json without the commit, as hashed into it */
        char manifest_sha256[65];
} Commit;

/* disk (its ostree step): the commit deployed into a sysroot folder. */
typedef struct Deployment {
        char *sysroot; /* the folder that becomes the root file system */
        char *kernel; /* absolute paths inside the sysroot */
        char *initrd;
        char *options; /* the boot entry's kernel arguments, ostree= included */
} Deployment;

void package_set_done(PackageSet *s);
void base_tree_done(BaseTree *t, size_t n_packages);
void sysfiles_done(SysFiles *s);
void commit_done(Commit *c);
void deployment_done(Deployment *d);

/* True once SIGINT or SIGTERM arrived; long loops check it and stop. */
bool build_interrupted(void);
