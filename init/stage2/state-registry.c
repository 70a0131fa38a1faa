/* SPDX-License-Identifier: MIT */
#include "state-registry.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"

/* Hosts, mirrors and paths are checked by the schema (no quote, no
 * backslash, no control character), so they go between quotes as they are. */
int registry_hosts_toml(const HostStateRegistry *r, const char *ca_path, char **ret) {
        _cleanup_free_ char *ca = NULL, *text = NULL;
        const char *scheme = r->plain_http ? "http" : "https";
        /* docker.io's API is not at docker.io (as containerd's docs write it). */
        const char *server = streq(r->host, "docker.io") ? "registry-1.docker.io" : r->host;
        size_t size = 0;
        FILE *f;

        if (ca_path && asprintf(&ca, "ca = \"%s\"\n", ca_path) < 0)
                return -ENOMEM;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "# berth-init writes this from the host state's [[registries]]; do not edit.\n");
        fprintf(f, "server = \"%s://%s\"\n%s", scheme, server, strempty(ca));
        STRV_FOREACH (m, r->mirrors)
                fprintf(f, "\n[host.\"%s\"]\ncapabilities = [\"pull\", \"resolve\"]\n%s", *m, strempty(ca));
        /* containerd 1.6 refuses a hosts.toml with no [host] table ("invalid
         * `host` tree"): without mirrors, the server is its own one host. */
        if (!r->mirrors || !r->mirrors[0])
                fprintf(f, "\n[host.\"%s://%s\"]\ncapabilities = [\"pull\", \"resolve\"]\n%s", scheme,
                        server, strempty(ca));
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}

int registry_auth_json(const HostState *s, char **ret) {
        json_object *root = NULL;
        char *text = NULL;

        for (size_t i = 0; i < s->n_registries; i++) {
                const HostStateRegistry *r = &s->registries[i];
                json_object *e;

                if (!r->username && !r->token)
                        continue;
                /* berth-ctr reads {"HOST": {...}} (boot-contract.h). */
                if (!root)
                        root = json_object_new_object();
                e = json_object_new_object();
                if (r->username) {
                        json_object_object_add(e, "username", json_object_new_string(r->username));
                        json_object_object_add(e, "password", json_object_new_string(r->password));
                }
                if (r->token)
                        json_object_object_add(e, "token", json_object_new_string(r->token));
                json_object_object_add(root, r->host, e);
        }
        if (root) {
                const char *t = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                                             JSON_C_TO_STRING_SPACED);
                text = t ? strdup(t) : NULL;
                json_object_put(root);
                if (!text)
                        return -ENOMEM;
        }
        *ret = text;
        return 0;
}
