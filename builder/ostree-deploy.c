/* SPDX-License-Identifier: MIT */
#include "ostree-deploy.h"

#include <errno.h>
#include <ostree.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int fail(GError *error, const char *what, const char *path) {
        log_error("%s %s: %s", what, path, error ? error->message : "unknown error");
        return -EIO;
}

void deploy_result_done(DeployResult *r) {
        free(r->kernel);
        free(r->initrd);
        free(r->options);
        *r = (DeployResult){ 0 };
}

int ostree_deploy_sysroot(const DeploySpec *s, DeployResult *ret) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GFile) path = g_file_new_for_path(s->sysroot);
        g_autoptr(OstreeSysroot) sysroot = ostree_sysroot_new(path);
        g_autoptr(OstreeRepo) repo = NULL;
        g_autoptr(OstreeDeployment) deployment = NULL;
        g_autoptr(GKeyFile) origin = NULL;
        g_autoptr(GKeyFile) config = NULL;
        g_autofree char *url = g_strconcat("file://", s->repo, NULL);
        g_autofree char *refspec = g_strconcat(s->osname, ":", s->ref, NULL);
        g_auto(GVariantBuilder) opts = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{sv}"));
        const char *refs[] = { s->ref, NULL };
        OstreeBootconfigParser *bootconfig;

        if (!ostree_sysroot_ensure_initialized(sysroot, NULL, &error) ||
            !ostree_sysroot_load(sysroot, NULL, &error))
                return fail(error, "Cannot make an ostree sysroot in", s->sysroot);
        if (!ostree_sysroot_init_osname(sysroot, s->osname, NULL, &error))
                return fail(error, "Cannot create the stateroot in", s->sysroot);
        if (!ostree_sysroot_get_repo(sysroot, &repo, NULL, &error))
                return fail(error, "Cannot open the repository of", s->sysroot);

        /* The image boots without a bootloader that ostree knows (direct
         * kernel boot): ostree writes only its boot entries under /boot/loader. */
        config = ostree_repo_copy_config(repo);
        g_key_file_set_string(config, "sysroot", "bootloader", "none");
        if (!ostree_repo_write_config(repo, config, &error))
                return fail(error, "Cannot configure the repository of", s->sysroot);

        g_variant_builder_add(&opts, "{s@v}", "refs", g_variant_new_variant(g_variant_new_strv(refs, -1)));
        if (!ostree_repo_pull_with_options(repo, url, g_variant_builder_end(&opts), NULL, NULL, &error))
                return fail(error, "Cannot copy the commit into", s->sysroot);

        origin = ostree_sysroot_origin_new_from_refspec(sysroot, refspec);
        if (!ostree_sysroot_deploy_tree(sysroot, s->osname, s->commit, origin, NULL, (char **) s->kargs,
                                        &deployment, NULL, &error))
                return fail(error, "Cannot deploy into", s->sysroot);
        if (!ostree_sysroot_simple_write_deployment(sysroot, s->osname, deployment, NULL,
                                                    OSTREE_SYSROOT_SIMPLE_WRITE_DEPLOYMENT_FLAGS_NONE, NULL,
                                                    &error))
                return fail(error, "Cannot write the boot entry in", s->sysroot);

        bootconfig = ostree_deployment_get_bootconfig(deployment);
        ret->options = strdup(ostree_bootconfig_parser_get(bootconfig, "options"));
        ret->kernel =
                g_strconcat(s->sysroot, "/boot", ostree_bootconfig_parser_get(bootconfig, "linux"), NULL);
        ret->initrd =
                g_strconcat(s->sysroot, "/boot", ostree_bootconfig_parser_get(bootconfig, "initrd"), NULL);
        if (!ret->options || !ret->kernel || !ret->initrd) {
                deploy_result_done(ret);
                return log_oom();
        }
        return 0;
}
