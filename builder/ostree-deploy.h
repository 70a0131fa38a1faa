/* SPDX-License-Identifier: MIT */
#pragma once

/* Deploys a commit into a fresh ostree sysroot (libostree's sysroot API);
 * GError stops in ostree-deploy.c. */

typedef struct DeploySpec {
        const char *sysroot; /* an empty folder: becomes the root filesystem's content */
        const char *repo; /* where the commit is (pulled into the sysroot's repo) */
        const char *ref; /* berth/<name>/x86_64 */
        const char *commit;
        const char *osname; /* "berth" */
        char *const *kargs; /* kernel arguments of the boot entry (root=..., the recipe's) */
} DeploySpec;

typedef struct DeployResult {
        char *kernel; /* absolute paths inside the sysroot */
        char *initrd;
        char *options; /* the boot entry's kernel arguments, ostree= included */
} DeployResult;

int ostree_deploy_sysroot(const DeploySpec *spec, DeployResult *ret);
void deploy_result_done(DeployResult *r);
