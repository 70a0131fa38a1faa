/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "ctrd.h"
#include "cri-image.pb-c.h"
#include "github.com/containerd/containerd/api/services/version/v1/version.pb-c.h"
#include "google/protobuf/empty.pb-c.h"

#define CALL_TIMEOUT_USEC (30ULL * 1000000)

static void messagep(ProtobufCMessage **m) {
        if (*m)
                protobuf_c_message_free_unpacked(*m, NULL);
}
#define _cleanup_message_ _cleanup_(messagep)

int ctrd_version(GrpcConn *c, char **version, char **revision) {
        Google__Protobuf__Empty req = GOOGLE__PROTOBUF__EMPTY__INIT;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        int r = grpc_call(c, "/containerd.services.version.v1.Version/Version", &req.base,
                          &containerd__services__version__v1__version_response__descriptor, &resp,
                          CALL_TIMEOUT_USEC);
        if (r < 0)
                return r;
        Containerd__Services__Version__V1__VersionResponse *v = (void *) resp;
        _cleanup_free_ char *a = strdup(v->version), *b = strdup(v->revision);
        if (!a || !b)
                return -ENOMEM;
        *version = TAKE_PTR(a);
        *revision = TAKE_PTR(b);
        return 0;
}

int ctrd_pull(GrpcConn *c, const char *ref, const CtrdAuth *auth, uint64_t timeout_usec, char **image_id) {
        Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
        Runtime__V1__AuthConfig ac = RUNTIME__V1__AUTH_CONFIG__INIT;
        Runtime__V1__PullImageRequest req = RUNTIME__V1__PULL_IMAGE_REQUEST__INIT;
        spec.image = (char *) ref;
        req.image = &spec;
        if (auth) {
                ac.username = (char *) strempty(auth->username);
                ac.password = (char *) strempty(auth->password);
                ac.registry_token = (char *) strempty(auth->registry_token);
                req.auth = &ac;
        }
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        int r = grpc_call(c, "/runtime.v1.ImageService/PullImage", &req.base,
                          &runtime__v1__pull_image_response__descriptor, &resp, timeout_usec);
        if (r < 0)
                return r;
        if (image_id) {
                char *s = strdup(((Runtime__V1__PullImageResponse *) resp)->image_ref);
                if (!s)
                        return -ENOMEM;
                *image_id = s;
        }
        return 0;
}

void ctrd_image_done(CtrdImage *img) {
        free(img->id);
        free(img->chain_id);
        strv_free(img->entrypoint);
        strv_free(img->cmd);
        strv_free(img->env);
        free(img->workdir);
        *img = (CtrdImage){};
}

/* A JSON array of strings as a NULL-terminated list; absent or null: NULL. */
static int strv_from_json(json_object *a, char ***ret) {
        *ret = NULL;
        if (!a)
                return 0;
        if (!json_object_is_type(a, json_type_array))
                return -EBADMSG;
        size_t n = json_object_array_length(a);
        char **l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(a, i);
                if (!json_object_is_type(e, json_type_string) ||
                    !(l[i] = strdup(json_object_get_string(e)))) {
                        strv_free(l);
                        return json_object_is_type(e, json_type_string) ? -ENOMEM : -EBADMSG;
                }
        }
        *ret = l;
        return 0;
}

int ctrd_image_parse_info(const char *text, CtrdImage *ret) {
        json_object *root = json_tokener_parse(text);
        if (!root)
                return -EBADMSG;
        CtrdImage img = {};
        json_object *chain, *spec, *config = NULL, *v;
        int r = -EBADMSG;
        if (!json_object_object_get_ex(root, "chainID", &chain) ||
            !json_object_is_type(chain, json_type_string) ||
            !json_object_object_get_ex(root, "imageSpec", &spec))
                goto out;
        r = -ENOMEM;
        if (!(img.chain_id = strdup(json_object_get_string(chain))))
                goto out;
        /* "config" is optional in an OCI image configuration. */
        if (json_object_object_get_ex(spec, "config", &config) &&
            json_object_is_type(config, json_type_object)) {
                json_object *e = NULL, *cmd = NULL, *env = NULL;
                json_object_object_get_ex(config, "Entrypoint", &e);
                json_object_object_get_ex(config, "Cmd", &cmd);
                json_object_object_get_ex(config, "Env", &env);
                if ((r = strv_from_json(e, &img.entrypoint)) < 0 ||
                    (r = strv_from_json(cmd, &img.cmd)) < 0 || (r = strv_from_json(env, &img.env)) < 0)
                        goto out;
                r = -ENOMEM;
                if (json_object_object_get_ex(config, "WorkingDir", &v) &&
                    json_object_is_type(v, json_type_string) && *json_object_get_string(v) &&
                    !(img.workdir = strdup(json_object_get_string(v))))
                        goto out;
        }
        *ret = img;
        img = (CtrdImage){};
        r = 0;
out:
        ctrd_image_done(&img);
        json_object_put(root);
        return r;
}

int ctrd_image_get(GrpcConn *c, const char *ref, CtrdImage *ret) {
        Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
        Runtime__V1__ImageStatusRequest req = RUNTIME__V1__IMAGE_STATUS_REQUEST__INIT;
        spec.image = (char *) ref;
        req.image = &spec;
        req.verbose = true;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        int r = grpc_call(c, "/runtime.v1.ImageService/ImageStatus", &req.base,
                          &runtime__v1__image_status_response__descriptor, &resp, CALL_TIMEOUT_USEC);
        if (r < 0)
                return r;
        Runtime__V1__ImageStatusResponse *s = (void *) resp;
        /* CRI answers an unknown image with no image rather than NOT_FOUND. */
        if (!s->image || !s->image->id || !*s->image->id)
                return -ENOENT;
        for (size_t i = 0; i < s->n_info; i++) {
                if (!streq(s->info[i]->key, "info"))
                        continue;
                CtrdImage img = {};
                r = ctrd_image_parse_info(s->info[i]->value, &img);
                if (r < 0)
                        return r;
                if (!(img.id = strdup(s->image->id))) {
                        ctrd_image_done(&img);
                        return -ENOMEM;
                }
                *ret = img;
                return 0;
        }
        return -EBADMSG;
}
