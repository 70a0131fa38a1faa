/* SPDX-License-Identifier: MIT */

/* manifest.json: what an image is made of, for people and pipelines. The
 * keys are documented in docs/manifest.md. */

#include <stdio.h>
#include <stdlib.h>

#include "hash.h"
#include "json-util.h"
#include "log.h"
#include "manifest.h"
#include "path-util.h"
#include "stages.h"
#include "version.h"

json_object *manifest_new(const Recipe *recipe, const PackageSet *packages, const BaseTree *base,
                          const char *ref, uint64_t delta_size) {
        json_object *o = json_object_new_object(), *pkgs = json_object_new_array();

        json_object_object_add(o, "name", json_object_new_string(recipe->name));
        json_object_object_add(o, "version", json_object_new_string(recipe->version));
        json_object_object_add(o, "description", json_object_new_string(recipe->description));
        json_object_object_add(o, "builder", json_object_new_string("build-image " BERTH_VERSION));
        json_object_object_add(o, "architecture", json_object_new_string("amd64"));
        json_object_object_add(o, "kernel", json_object_new_string(base->kver));
        json_object_object_add(o, "ref", json_object_new_string(ref));
        json_object_object_add(o, "source_date_epoch", json_object_new_int64(base->source_date_epoch));
        json_object_object_add(o, "tree_size", json_object_new_int64((int64_t) (base->size + delta_size)));
        for (size_t i = 0; i < packages->n_packages; i++) {
                const Package *p = &packages->packages[i];
                const PackageOrigin *origin = &base->origins[i];
                json_object *j = json_object_new_object();

                json_object_object_add(j, "name", json_object_new_string(p->name));
                json_object_object_add(j, "version", json_object_new_string(p->version));
                json_object_object_add(j, "architecture", json_object_new_string(p->architecture));
                json_object_object_add(j, "source", json_object_new_string(origin->source));
                json_object_object_add(j, "sha256", json_object_new_string(p->sha256));
                json_object_object_add(j, "size", json_object_new_int64((int64_t) p->size));
                json_object_object_add(j, "license",
                                       origin->license ? json_object_new_string(origin->license) : NULL);
                json_object_array_add(pkgs, j);
        }
        json_object_object_add(o, "packages", pkgs);
        return o;
}

/* The manifest the commit names, completed with the commit itself; the SBOM
 * that sysfiles put into the image. */
int stage_manifest(const BuildEnv *env, const Commit *commit, const SysFiles *sysfiles) {
        _cleanup_json_ json_object *m = NULL;
        _cleanup_free_ char *path = path_join(env->stage_out, "manifest.json");
        _cleanup_free_ char *sbom_path = path_join(env->stage_out, "sbom.spdx.json");
        int r;

        if (json_object_deep_copy(commit->manifest, &m, NULL) < 0 || !path || !sbom_path)
                return log_oom();
        json_object_object_add(m, "manifest_sha256", json_object_new_string(commit->manifest_sha256));
        json_object_object_add(m, "commit", json_object_new_string(commit->commit));
        json_object_object_add(m, "repo", json_object_new_string(commit->repo));
        r = json_write_file(path, m);
        if (r >= 0)
                r = json_write_file(sbom_path, sysfiles->sbom);
        if (r < 0)
                return log_error_errno(r, "Cannot write the manifest into %s: %m", env->stage_out);
        return 0;
}
