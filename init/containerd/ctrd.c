/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "ctrd.h"
#include "cri-image.pb-c.h"
#include "github.com/containerd/containerd/api/services/version/v1/version.pb-c.h"
#include "github.com/containerd/containerd/api/services/containers/v1/containers.pb-c.h"
#include "github.com/containerd/containerd/api/services/snapshots/v1/snapshots.pb-c.h"
#include "github.com/containerd/containerd/api/services/tasks/v1/tasks.pb-c.h"
#include "google/protobuf/empty.pb-c.h"

/* Each call but pull and wait: the connection's timeout (grpc_set_timeout()). */
#define CALL_TIMEOUT_USEC 0

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
        free(img->user);
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
                if (json_object_object_get_ex(config, "User", &v) &&
                    json_object_is_type(v, json_type_string) && *json_object_get_string(v) &&
                    !(img.user = strdup(json_object_get_string(v))))
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

#define BERTH_LABEL "org.berth.container"

/* The Any's type URL containerd gives an OCI runtime spec (typeurl's
 * registration of specs.Spec); the value is the spec's JSON. */
#define SPEC_TYPE_URL "types.containerd.io/opencontainers/runtime-spec/1/Spec"

static int create_record(GrpcConn *c, const char *name, const char *image_ref, const char *spec_json) {
        Containerd__Services__Containers__V1__Container__Runtime runtime =
                CONTAINERD__SERVICES__CONTAINERS__V1__CONTAINER__RUNTIME__INIT;
        Google__Protobuf__Any spec = GOOGLE__PROTOBUF__ANY__INIT;
        Containerd__Services__Containers__V1__Container__LabelsEntry label =
                CONTAINERD__SERVICES__CONTAINERS__V1__CONTAINER__LABELS_ENTRY__INIT;
        Containerd__Services__Containers__V1__Container__LabelsEntry *labels[] = { &label };
        Containerd__Services__Containers__V1__Container ctr =
                CONTAINERD__SERVICES__CONTAINERS__V1__CONTAINER__INIT;
        Containerd__Services__Containers__V1__CreateContainerRequest req =
                CONTAINERD__SERVICES__CONTAINERS__V1__CREATE_CONTAINER_REQUEST__INIT;
        runtime.name = (char *) CTRD_RUNTIME;
        spec.type_url = (char *) SPEC_TYPE_URL;
        spec.value.data = (uint8_t *) spec_json;
        spec.value.len = strlen(spec_json);
        /* What tells berth's containers from CRI's in the shared namespace. */
        label.key = (char *) BERTH_LABEL;
        label.value = (char *) "1";
        ctr.id = (char *) name;
        ctr.image = (char *) image_ref;
        ctr.runtime = &runtime;
        ctr.spec = &spec;
        ctr.snapshotter = (char *) CTRD_SNAPSHOTTER;
        ctr.snapshot_key = (char *) name;
        ctr.n_labels = ARRAY_SIZE(labels);
        ctr.labels = labels;
        req.container = &ctr;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        return grpc_call(c, "/containerd.services.containers.v1.Containers/Create", &req.base,
                         &containerd__services__containers__v1__create_container_response__descriptor, &resp,
                         CALL_TIMEOUT_USEC);
}

static int delete_record(GrpcConn *c, const char *name) {
        Containerd__Services__Containers__V1__DeleteContainerRequest req =
                CONTAINERD__SERVICES__CONTAINERS__V1__DELETE_CONTAINER_REQUEST__INIT;
        req.id = (char *) name;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        return grpc_call(c, "/containerd.services.containers.v1.Containers/Delete", &req.base,
                         &google__protobuf__empty__descriptor, &resp, CALL_TIMEOUT_USEC);
}

static int remove_snapshot(GrpcConn *c, const char *name) {
        Containerd__Services__Snapshots__V1__RemoveSnapshotRequest req =
                CONTAINERD__SERVICES__SNAPSHOTS__V1__REMOVE_SNAPSHOT_REQUEST__INIT;
        req.snapshotter = (char *) CTRD_SNAPSHOTTER;
        req.key = (char *) name;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        return grpc_call(c, "/containerd.services.snapshots.v1.Snapshots/Remove", &req.base,
                         &google__protobuf__empty__descriptor, &resp, CALL_TIMEOUT_USEC);
}

static int delete_task(GrpcConn *c, const char *name) {
        Containerd__Services__Tasks__V1__DeleteTaskRequest req =
                CONTAINERD__SERVICES__TASKS__V1__DELETE_TASK_REQUEST__INIT;
        req.container_id = (char *) name;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        return grpc_call(c, "/containerd.services.tasks.v1.Tasks/Delete", &req.base,
                         &containerd__services__tasks__v1__delete_response__descriptor, &resp,
                         CALL_TIMEOUT_USEC);
}

/* Removes what a failed ctrd_create() made, keeping the failure's words:
 * they are the ones that tell why. */
static int undo(GrpcConn *c, const char *name, bool snapshot) {
        char why[512];
        snprintf(why, sizeof(why), "%s", grpc_error(c));
        if (snapshot)
                (void) remove_snapshot(c, name);
        (void) delete_record(c, name);
        grpc_set_error(c, "%s", why);
        return 0;
}

int ctrd_create(GrpcConn *c, const char *name, const char *image_ref, const CtrdImage *img,
                const char *spec_json, const char *stdout_path, const char *stderr_path, uint32_t *pid) {
        /* The record first: it names the snapshot, which keeps containerd's
         * garbage collector off the snapshot from the moment it exists. */
        int r = create_record(c, name, image_ref, spec_json);
        if (r < 0)
                return r;

        Containerd__Services__Snapshots__V1__PrepareSnapshotRequest prep =
                CONTAINERD__SERVICES__SNAPSHOTS__V1__PREPARE_SNAPSHOT_REQUEST__INIT;
        prep.snapshotter = (char *) CTRD_SNAPSHOTTER;
        prep.key = (char *) name;
        prep.parent = img->chain_id;
        _cleanup_message_ ProtobufCMessage *mounts = NULL;
        r = grpc_call(c, "/containerd.services.snapshots.v1.Snapshots/Prepare", &prep.base,
                      &containerd__services__snapshots__v1__prepare_snapshot_response__descriptor, &mounts,
                      CALL_TIMEOUT_USEC);
        if (r < 0)
                goto undo_record;

        Containerd__Services__Snapshots__V1__PrepareSnapshotResponse *m = (void *) mounts;
        Containerd__Services__Tasks__V1__CreateTaskRequest req =
                CONTAINERD__SERVICES__TASKS__V1__CREATE_TASK_REQUEST__INIT;
        req.container_id = (char *) name;
        req.n_rootfs = m->n_mounts;
        req.rootfs = m->mounts;
        req.stdout = (char *) strempty(stdout_path);
        req.stderr = (char *) strempty(stderr_path);
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        r = grpc_call(c, "/containerd.services.tasks.v1.Tasks/Create", &req.base,
                      &containerd__services__tasks__v1__create_task_response__descriptor, &resp,
                      CALL_TIMEOUT_USEC);
        if (r < 0)
                goto undo_snapshot;
        if (pid)
                *pid = ((Containerd__Services__Tasks__V1__CreateTaskResponse *) resp)->pid;
        return 0;

undo_snapshot:
        (void) undo(c, name, true);
        return r;
undo_record:
        (void) undo(c, name, false);
        return r;
}

int ctrd_start(GrpcConn *c, const char *name, uint32_t *pid) {
        Containerd__Services__Tasks__V1__StartRequest req =
                CONTAINERD__SERVICES__TASKS__V1__START_REQUEST__INIT;
        req.container_id = (char *) name;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        int r = grpc_call(c, "/containerd.services.tasks.v1.Tasks/Start", &req.base,
                          &containerd__services__tasks__v1__start_response__descriptor, &resp,
                          CALL_TIMEOUT_USEC);
        if (r >= 0 && pid)
                *pid = ((Containerd__Services__Tasks__V1__StartResponse *) resp)->pid;
        return r;
}

int ctrd_wait(GrpcConn *c, const char *name, uint64_t timeout_usec, uint32_t *exit_status) {
        Containerd__Services__Tasks__V1__WaitRequest req =
                CONTAINERD__SERVICES__TASKS__V1__WAIT_REQUEST__INIT;
        req.container_id = (char *) name;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        int r = grpc_call(c, "/containerd.services.tasks.v1.Tasks/Wait", &req.base,
                          &containerd__services__tasks__v1__wait_response__descriptor, &resp, timeout_usec);
        if (r >= 0)
                *exit_status = ((Containerd__Services__Tasks__V1__WaitResponse *) resp)->exit_status;
        return r;
}

int ctrd_kill(GrpcConn *c, const char *name, int signal, bool all) {
        Containerd__Services__Tasks__V1__KillRequest req =
                CONTAINERD__SERVICES__TASKS__V1__KILL_REQUEST__INIT;
        req.container_id = (char *) name;
        req.signal = (uint32_t) signal;
        req.all = all;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        return grpc_call(c, "/containerd.services.tasks.v1.Tasks/Kill", &req.base,
                         &google__protobuf__empty__descriptor, &resp, CALL_TIMEOUT_USEC);
}

int ctrd_delete(GrpcConn *c, const char *name) {
        int r = delete_task(c, name);
        if (r < 0 && r != -ENOENT)
                return r;
        r = delete_record(c, name);
        if (r < 0 && r != -ENOENT)
                return r;
        r = remove_snapshot(c, name);
        if (r < 0 && r != -ENOENT)
                return r;
        grpc_set_error(c, "%s", "");
        return 0;
}

const char *ctrd_task_state_name(CtrdTaskState s) {
        static const char *const names[] = {
                "unknown", "created", "running", "stopped", "paused", "pausing"
        };
        if (s == CTRD_TASK_NONE)
                return "none";
        return s >= 0 && (size_t) s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

int ctrd_task_get(GrpcConn *c, const char *name, CtrdTask *ret) {
        Containerd__Services__Tasks__V1__GetRequest req = CONTAINERD__SERVICES__TASKS__V1__GET_REQUEST__INIT;
        req.container_id = (char *) name;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        int r = grpc_call(c, "/containerd.services.tasks.v1.Tasks/Get", &req.base,
                          &containerd__services__tasks__v1__get_response__descriptor, &resp,
                          CALL_TIMEOUT_USEC);
        if (r == -ENOENT) {
                *ret = (CtrdTask){ .state = CTRD_TASK_NONE };
                grpc_set_error(c, "%s", "");
                return 0;
        }
        if (r < 0)
                return r;
        Containerd__V1__Types__Process *p = ((Containerd__Services__Tasks__V1__GetResponse *) resp)->process;
        if (!p)
                return -EBADMSG;
        *ret = (CtrdTask){
                .state = p->status <= CONTAINERD__V1__TYPES__STATUS__PAUSING ? (CtrdTaskState) p->status
                                                                             : CTRD_TASK_UNKNOWN,
                .pid = p->pid,
                .exit_status = p->exit_status,
        };
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int ctrd_list(GrpcConn *c, char ***ret) {
        Containerd__Services__Containers__V1__ListContainersRequest req =
                CONTAINERD__SERVICES__CONTAINERS__V1__LIST_CONTAINERS_REQUEST__INIT;
        char *filters[] = { (char *) "labels.\"" BERTH_LABEL "\"==1" };
        req.n_filters = ARRAY_SIZE(filters);
        req.filters = filters;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        int r = grpc_call(c, "/containerd.services.containers.v1.Containers/List", &req.base,
                          &containerd__services__containers__v1__list_containers_response__descriptor, &resp,
                          CALL_TIMEOUT_USEC);
        if (r < 0)
                return r;
        Containerd__Services__Containers__V1__ListContainersResponse *l = (void *) resp;
        char **names = calloc(l->n_containers + 1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_containers; i++)
                if (!(names[i] = strdup(l->containers[i]->id))) {
                        strv_free(names);
                        return -ENOMEM;
                }
        qsort(names, l->n_containers, sizeof(char *), cmp_str);
        *ret = names;
        return 0;
}
