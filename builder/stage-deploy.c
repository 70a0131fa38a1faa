/* SPDX-License-Identifier: MIT */

/* The disk stage's first step: the commit is deployed into a fresh ostree
 * sysroot (os name "berth"), the folder that becomes the root file system.
 * Its boot entry names the root by label, with the recipe's kernel arguments. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "boot-contract.h"
#include "kernel-cmdline.h"
#include "log.h"
#include "ostree-deploy.h"
#include "path-util.h"
#include "stages.h"
#include "strv.h"

void deployment_done(Deployment *d) {
        free(d->sysroot);
        free(d->kernel);
        free(d->initrd);
        free(d->options);
        *d = (Deployment){ 0 };
}

static int kernel_args(const Recipe *recipe, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_strv_free_ char **words = NULL;
        _cleanup_free_ char *shell = NULL;
        char msg[160];
        int r;

        /* recipe_load() checked the words; they are split here the same way. */
        r = kernel_cmdline_split(recipe->kernel_cmdline, &words, msg, sizeof(msg));
        if (r < 0)
                return r;
        if (strv_extend(&l, BERTH_KARG_ROOT "=LABEL=" BERTH_ROOT_LABEL) < 0)
                return -ENOMEM;
        if (streq(recipe->var, BERTH_VAR_TMPFS) && strv_extend(&l, BERTH_KARG_VAR "=" BERTH_VAR_TMPFS) < 0)
                return -ENOMEM;
        if (recipe->shell &&
            (asprintf(&shell, BERTH_KARG_SHELL "=%s", recipe->shell) < 0 || strv_extend(&l, shell) < 0))
                return -ENOMEM;
        STRV_FOREACH (w, words)
                if (strv_extend(&l, *w) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

int stage_deploy(const BuildEnv *env, const Commit *commit, Deployment *ret) {
        _cleanup_free_ char *repo = cache_path(env->cache, "repo", NULL);
        _cleanup_strv_free_ char **kargs = NULL;
        DeployResult dr = { 0 };
        int r;

        ret->sysroot = path_join(env->cache->tmp, "sysroot");
        if (!ret->sysroot || !repo)
                return log_oom();
        r = kernel_args(env->recipe, &kargs);
        if (r < 0)
                return log_error_errno(r, "%s: kernel.cmdline: %m", env->recipe->path);
        if (mkdir(ret->sysroot, 0755) < 0)
                return log_error_errno(errno, "Cannot create %s: %m", ret->sysroot);

        DeploySpec spec = {
                .sysroot = ret->sysroot,
                .repo = repo,
                .ref = commit->ref,
                .commit = commit->commit,
                .osname = "berth",
                .kargs = kargs,
        };
        r = ostree_deploy_sysroot(&spec, &dr);
        if (r < 0)
                return r;
        ret->kernel = TAKE_PTR(dr.kernel);
        ret->initrd = TAKE_PTR(dr.initrd);
        ret->options = TAKE_PTR(dr.options);
        if (build_interrupted())
                return -EINTR;
        return 0;
}
