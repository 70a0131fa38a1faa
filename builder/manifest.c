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

json_object *manifest_new(const BuildContext *c) {
        json_object *o = json_object_new_object(), *pkgs = json_object_new_array();

        json_object_object_add(o, "name", json_object_new_string(c->recipe->name));
        json_object_object_add(o, "version", json_object_new_string(c->recipe->version));
        json_object_object_add(o, "description", json_object_new_string(c->recipe->description));
        json_object_object_add(o, "builder", json_object_new_string("build-image " BERTH_VERSION));
        json_object_object_add(o, "architecture", json_object_new_string("amd64"));
        json_object_object_add(o, "kernel", json_object_new_string(c->kver));
        json_object_object_add(o, "ref", json_object_new_string(c->ref));
        json_object_object_add(o, "source_date_epoch", json_object_new_int64(c->source_date_epoch));
        json_object_object_add(o, "tree_size",
                               json_object_new_int64((int64_t) (c->base_size + c->delta_size)));
        for (size_t i = 0; i < c->n_packages; i++) {
                const Package *p = &c->packages[i];
                json_object *j = json_object_new_object();

                json_object_object_add(j, "name", json_object_new_string(p->name));
                json_object_object_add(j, "version", json_object_new_string(p->version));
                json_object_object_add(j, "architecture", json_object_new_string(p->architecture));
                json_object_object_add(j, "source", json_object_new_string(p->source ? p->source : p->name));
                json_object_object_add(j, "sha256", json_object_new_string(p->sha256));
                json_object_object_add(j, "size", json_object_new_int64((int64_t) p->size));
                json_object_object_add(j, "license", p->license ? json_object_new_string(p->license) : NULL);
                json_object_array_add(pkgs, j);
        }
        json_object_object_add(o, "packages", pkgs);
        return o;
}

int stage_manifest(BuildContext *c) {
        _cleanup_json_ json_object *m = manifest_new(c), *sbom = sbom_new(c);
        _cleanup_free_ char *path = path_join(c->stage_out, "manifest.json");
        _cleanup_free_ char *sbom_path = path_join(c->stage_out, "sbom.spdx.json");
        int r;

        if (!m || !sbom || !path || !sbom_path)
                return log_oom();
        json_object_object_add(m, "manifest_sha256", json_object_new_string(c->manifest_sha256));
        json_object_object_add(m, "commit", json_object_new_string(c->commit));
        json_object_object_add(m, "repo", json_object_new_string(c->repo));
        r = json_write_file(path, m);
        if (r >= 0)
                r = json_write_file(sbom_path, sbom);
        if (r < 0)
                return log_error_errno(r, "Cannot write the manifest into %s: %m", c->stage_out);
        return 0;
}
