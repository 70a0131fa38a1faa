/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <json-c/json.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "import.h"
#include "tar.h"
#include "github.com/containerd/containerd/api/services/content/v1/content.pb-c.h"
#include "github.com/containerd/containerd/api/services/diff/v1/diff.pb-c.h"
#include "github.com/containerd/containerd/api/services/images/v1/images.pb-c.h"
#include "github.com/containerd/containerd/api/services/leases/v1/leases.pb-c.h"
#include "github.com/containerd/containerd/api/services/snapshots/v1/snapshots.pb-c.h"
#include "google/protobuf/empty.pb-c.h"

#define MAX_JSON (4U * 1024 * 1024) /* index, manifests and configs, each */
/* All of them together: json-c's objects take many times their text, and the
 * runner lives in the host's reserve. A multi-platform archive's index,
 * manifests and configs are a few KiB each. */
#define MAX_JSON_TOTAL (8U * 1024 * 1024)
#define MAX_DOCS 256
#define CHUNK (256U * 1024) /* layer data per Write message */
#define MAX_LAYERS 128

static void messagep(ProtobufCMessage **m) {
        if (*m)
                protobuf_c_message_free_unpacked(*m, NULL);
}
#define _cleanup_message_ _cleanup_(messagep)

/* SHA-256 with nettle, not lib/hash.c's GLib: berth-ctr imports on the
 * host, where libnettle8 is already (GnuTLS's, under libcurl) and costs a
 * runner far less memory than libcrypto's relocations. */
static int sha256_hex(const void *data, size_t size, char out[static 65]) {
        struct sha256_ctx ctx;
        uint8_t md[SHA256_DIGEST_SIZE];
        sha256_init(&ctx);
        sha256_update(&ctx, size, data);
        sha256_digest(&ctx, sizeof(md), md);
        for (size_t i = 0; i < sizeof(md); i++)
                snprintf(out + 2 * i, 3, "%02x", md[i]);
        return 0;
}

static void json_putp(json_object **o) {
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_putp)

int ctrd_chain_id(char *const *diff_ids, size_t n, char out[static 72]) {
        /* NULL: a diff id that is JSON null in a hostile archive's config */
        for (size_t i = 0; i < n; i++)
                if (!diff_ids[i])
                        return -EINVAL;
        if (n == 0 || strlen(diff_ids[0]) != 71)
                return -EINVAL;
        strcpy(out, diff_ids[0]);
        for (size_t i = 1; i < n; i++) {
                char buf[160], hex[65];
                if (strlen(diff_ids[i]) != 71)
                        return -EINVAL;
                snprintf(buf, sizeof(buf), "%s %s", out, diff_ids[i]);
                if (sha256_hex(buf, strlen(buf), hex) < 0)
                        return -EIO;
                snprintf(out, 72, "sha256:%s", hex);
        }
        return 0;
}

/* The archive's small JSON files (index.json and the blobs that are JSON
 * objects), kept from a first pass. */
typedef struct {
        char *name; /* "index.json" or a digest */
        json_object *json;
} Doc;

typedef struct {
        Doc docs[MAX_DOCS];
        size_t n;
        size_t bytes; /* of the documents' text, against MAX_JSON_TOTAL */
} Docs;

static void docs_done(Docs *d) {
        for (size_t i = 0; i < d->n; i++) {
                free(d->docs[i].name);
                json_object_put(d->docs[i].json);
        }
}

static json_object *doc(const Docs *d, const char *name) {
        for (size_t i = 0; i < d->n; i++)
                if (streq(d->docs[i].name, name))
                        return d->docs[i].json;
        return NULL;
}

/* "blobs/sha256/HEX" (with or without "./") as "sha256:HEX", else NULL. */
static bool blob_digest(const char *path, char out[static 72]) {
        if (strncmp(path, "./", 2) == 0)
                path += 2;
        if (strncmp(path, "blobs/sha256/", 13) != 0 || strlen(path + 13) != 64 ||
            strspn(path + 13, "0123456789abcdef") != 64)
                return false;
        snprintf(out, 72, "sha256:%s", path + 13);
        return true;
}

static int read_docs(GrpcConn *c, const char *path, Docs *docs) {
        _cleanup_(tar_closep) TarReader *a = NULL;
        int r = tar_open(path, &a);
        if (r < 0) {
                grpc_set_error(c, "%s: cannot read: %s", path, strerror(-r));
                return r;
        }
        const char *p;
        int64_t size;
        while ((r = tar_next(a, &p, &size)) > 0) {
                char digest[72];
                bool index = streq(p, "index.json") || streq(p, "./index.json");
                if (!index && !blob_digest(p, digest))
                        continue;
                if (size <= 0 || size > MAX_JSON)
                        continue;
                _cleanup_free_ char *text = malloc((size_t) size + 1);
                if (!text)
                        return -ENOMEM;
                for (int64_t got = 0; got < size;) {
                        ssize_t n = tar_read(a, text + got, (size_t) (size - got));
                        if (n <= 0) {
                                grpc_set_error(c, "%s: %s: the archive ends within it", path, p);
                                return -EBADMSG;
                        }
                        got += n;
                }
                text[size] = 0;
                if (text[0] != '{')
                        continue;
                /* Refused rather than skipped: a skipped manifest would read as
                 * "no linux/amd64 image". */
                if (docs->n >= ARRAY_SIZE(docs->docs) || docs->bytes + (size_t) size > MAX_JSON_TOTAL) {
                        grpc_set_error(c, "%s: more than %u JSON documents or %u MiB of them", path,
                                       MAX_DOCS, MAX_JSON_TOTAL >> 20);
                        return -E2BIG;
                }
                docs->bytes += (size_t) size;
                json_object *j = json_tokener_parse(text);
                if (!j)
                        continue;
                docs->docs[docs->n].json = j;
                if (!(docs->docs[docs->n++].name = strdup(index ? "index.json" : digest)))
                        return -ENOMEM;
        }
        if (r < 0) {
                grpc_set_error(c, "%s: not a tar archive, or a damaged one (%s)", path, strerror(-r));
                return r;
        }
        return 0;
}

static const char *jstr(json_object *o, const char *key) {
        json_object *v;
        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static bool is_index_type(const char *t) {
        return t && (streq(t, "application/vnd.oci.image.index.v1+json") ||
                     streq(t, "application/vnd.docker.distribution.manifest.list.v2+json"));
}

/* The descriptor of the linux/amd64 manifest under `index`, through nested
 * indexes; NULL if none. */
static json_object *pick_manifest(const Docs *docs, json_object *index, int depth) {
        json_object *list;
        if (depth > 4 || !json_object_object_get_ex(index, "manifests", &list) ||
            !json_object_is_type(list, json_type_array))
                return NULL;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *d = json_object_array_get_idx(list, i), *platform;
                if (json_object_object_get_ex(d, "platform", &platform) &&
                    (!jstr(platform, "os") || !streq(jstr(platform, "os"), "linux") ||
                     !jstr(platform, "architecture") || !streq(jstr(platform, "architecture"), "amd64")))
                        continue;
                const char *digest = jstr(d, "digest");
                if (!digest)
                        continue;
                if (is_index_type(jstr(d, "mediaType"))) {
                        json_object *m =
                                doc(docs, digest) ? pick_manifest(docs, doc(docs, digest), depth + 1) : NULL;
                        if (m)
                                return m;
                        continue;
                }
                return d;
        }
        return NULL;
}

/* What is written: each blob with the labels that make its children reach
 * able for containerd's garbage collector. */
typedef struct {
        char digest[72];
        const char *media_type;
        int64_t size;
        char *label_keys[MAX_LAYERS + 2], *label_values[MAX_LAYERS + 2];
        size_t n_labels;
        bool written;
} Want;

typedef struct {
        TarReader *a;
        const Want *w;
        char ref[96];
        int64_t offset;
        bool committed;
        uint8_t *frame;
        size_t frame_len, frame_sent;
} Writer;

static int pack(Writer *wr, Containerd__Services__Content__V1__WriteContentRequest *req) {
        size_t len = protobuf_c_message_get_packed_size(&req->base);
        free(wr->frame);
        wr->frame = malloc(len + 5);
        if (!wr->frame)
                return -ENOMEM;
        grpc_frame_header(wr->frame, len);
        protobuf_c_message_pack(&req->base, wr->frame + 5);
        wr->frame_len = len + 5;
        wr->frame_sent = 0;
        return 0;
}

static ssize_t write_fill(void *data, uint8_t *buf, size_t len, bool *eof) {
        Writer *wr = data;
        if (wr->frame_sent == wr->frame_len) {
                Containerd__Services__Content__V1__WriteContentRequest req =
                        CONTAINERD__SERVICES__CONTENT__V1__WRITE_CONTENT_REQUEST__INIT;
                req.ref = wr->ref;
                req.total = wr->w->size;
                req.expected = (char *) wr->w->digest;
                req.offset = wr->offset;
                _cleanup_free_ uint8_t *chunk = NULL;
                _cleanup_free_ Containerd__Services__Content__V1__WriteContentRequest__LabelsEntry *entries =
                        NULL;
                _cleanup_free_ Containerd__Services__Content__V1__WriteContentRequest__LabelsEntry **labels =
                        NULL;
                if (wr->offset < wr->w->size) {
                        size_t want = (size_t) (wr->w->size - wr->offset) < CHUNK
                                              ? (size_t) (wr->w->size - wr->offset)
                                              : CHUNK;
                        if (!(chunk = malloc(want)))
                                return -ENOMEM;
                        ssize_t n = tar_read(wr->a, chunk, want);
                        if (n <= 0)
                                return -EBADMSG;
                        req.action = CONTAINERD__SERVICES__CONTENT__V1__WRITE_ACTION__WRITE;
                        req.data.data = chunk;
                        req.data.len = (size_t) n;
                        wr->offset += n;
                } else if (!wr->committed) {
                        req.action = CONTAINERD__SERVICES__CONTENT__V1__WRITE_ACTION__COMMIT;
                        size_t n = wr->w->n_labels;
                        entries = calloc(n ? n : 1, sizeof(*entries));
                        labels = calloc(n ? n : 1, sizeof(*labels));
                        if (!entries || !labels)
                                return -ENOMEM;
                        for (size_t i = 0; i < n; i++) {
                                entries[i] = (Containerd__Services__Content__V1__WriteContentRequest__LabelsEntry)
                                        CONTAINERD__SERVICES__CONTENT__V1__WRITE_CONTENT_REQUEST__LABELS_ENTRY__INIT;
                                entries[i].key = wr->w->label_keys[i];
                                entries[i].value = wr->w->label_values[i];
                                labels[i] = &entries[i];
                        }
                        req.n_labels = n;
                        req.labels = labels;
                        wr->committed = true;
                }
                int r = pack(wr, &req);
                if (r < 0)
                        return r;
        }
        size_t n = wr->frame_len - wr->frame_sent;
        if (n > len)
                n = len;
        memcpy(buf, wr->frame + wr->frame_sent, n);
        wr->frame_sent += n;
        if (wr->committed && wr->frame_sent == wr->frame_len)
                *eof = true;
        return (ssize_t) n;
}

/* Labels of content that already exists (written by an earlier pull or
 * import): replaced by ours, which name the same children. */
static int update_labels(GrpcConn *c, const Want *w) {
        Containerd__Services__Content__V1__Info info = CONTAINERD__SERVICES__CONTENT__V1__INFO__INIT;
        Containerd__Services__Content__V1__UpdateRequest req =
                CONTAINERD__SERVICES__CONTENT__V1__UPDATE_REQUEST__INIT;
        Google__Protobuf__FieldMask mask = GOOGLE__PROTOBUF__FIELD_MASK__INIT;
        Containerd__Services__Content__V1__Info__LabelsEntry entries[MAX_LAYERS + 2],
                *labels[MAX_LAYERS + 2];
        char *paths[MAX_LAYERS + 2], path_buf[MAX_LAYERS + 2][96];
        for (size_t i = 0; i < w->n_labels; i++) {
                entries[i] = (Containerd__Services__Content__V1__Info__LabelsEntry)
                        CONTAINERD__SERVICES__CONTENT__V1__INFO__LABELS_ENTRY__INIT;
                entries[i].key = w->label_keys[i];
                entries[i].value = w->label_values[i];
                labels[i] = &entries[i];
                snprintf(path_buf[i], sizeof(path_buf[i]), "labels.%s", w->label_keys[i]);
                paths[i] = path_buf[i];
        }
        if (w->n_labels == 0)
                return 0;
        info.digest = (char *) w->digest;
        info.n_labels = w->n_labels;
        info.labels = labels;
        mask.n_paths = w->n_labels;
        mask.paths = paths;
        req.info = &info;
        req.update_mask = &mask;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        return grpc_call(c, "/containerd.services.content.v1.Content/Update", &req.base,
                         &containerd__services__content__v1__update_response__descriptor, &resp, 0);
}

/* Second pass: every wanted blob into the content store. */
static int write_blobs(GrpcConn *c, const char *path, Want *wants, size_t n_wants) {
        _cleanup_(tar_closep) TarReader *a = NULL;
        int r = tar_open(path, &a);
        if (r < 0)
                return r;
        const char *p;
        int64_t size;
        while ((r = tar_next(a, &p, &size)) > 0) {
                char digest[72];
                if (!blob_digest(p, digest))
                        continue;
                for (size_t i = 0; i < n_wants; i++) {
                        Want *w = &wants[i];
                        if (w->written || !streq(w->digest, digest))
                                continue;
                        if (size != w->size) {
                                grpc_set_error(c, "%s: blob %s has %jd bytes, its descriptor says %jd", path,
                                               digest, (intmax_t) size, (intmax_t) w->size);
                                return -EBADMSG;
                        }
                        Writer wr = { .a = a, .w = w };
                        snprintf(wr.ref, sizeof(wr.ref), "berth-import-%s", digest + 7);
                        r = grpc_call_stream(c, "/containerd.services.content.v1.Content/Write", write_fill,
                                             &wr, 0);
                        free(wr.frame);
                        if (r == -EEXIST)
                                r = update_labels(c, w);
                        if (r < 0)
                                return r;
                        w->written = true;
                        break;
                }
        }
        if (r < 0) {
                grpc_set_error(c, "%s: not a tar archive, or a damaged one (%s)", path, strerror(-r));
                return r;
        }
        for (size_t i = 0; i < n_wants; i++)
                if (!wants[i].written) {
                        grpc_set_error(c, "%s: no blob %s, which the image needs", path, wants[i].digest);
                        return -ENOENT;
                }
        return 0;
}

static int snapshot_exists(GrpcConn *c, const char *key) {
        Containerd__Services__Snapshots__V1__StatSnapshotRequest req =
                CONTAINERD__SERVICES__SNAPSHOTS__V1__STAT_SNAPSHOT_REQUEST__INIT;
        req.snapshotter = (char *) CTRD_SNAPSHOTTER;
        req.key = (char *) key;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        int r = grpc_call(c, "/containerd.services.snapshots.v1.Snapshots/Stat", &req.base,
                          &containerd__services__snapshots__v1__stat_snapshot_response__descriptor, &resp,
                          0);
        return r == -ENOENT ? 0 : r < 0 ? r : 1;
}

static void remove_key(GrpcConn *c, const char *key) {
        char why[512];
        snprintf(why, sizeof(why), "%s", grpc_error(c));
        Containerd__Services__Snapshots__V1__RemoveSnapshotRequest req =
                CONTAINERD__SERVICES__SNAPSHOTS__V1__REMOVE_SNAPSHOT_REQUEST__INIT;
        req.snapshotter = (char *) CTRD_SNAPSHOTTER;
        req.key = (char *) key;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        (void) grpc_call(c, "/containerd.services.snapshots.v1.Snapshots/Remove", &req.base,
                         &google__protobuf__empty__descriptor, &resp, 0);
        grpc_set_error(c, "%s", why);
}

/* A layer applied onto its parent's snapshot and committed under its chain
 * id; the diff service checks what it applied against the diff id. */
static int unpack_layer(GrpcConn *c, const Want *layer, const char *diff_id, const char *parent,
                        const char *chain) {
        int r = snapshot_exists(c, chain);
        if (r != 0)
                return r < 0 ? r : 0;
        char key[128];
        snprintf(key, sizeof(key), "berth-extract-%d-%s", (int) getpid(), chain + 7);
        Containerd__Services__Snapshots__V1__PrepareSnapshotRequest prep =
                CONTAINERD__SERVICES__SNAPSHOTS__V1__PREPARE_SNAPSHOT_REQUEST__INIT;
        prep.snapshotter = (char *) CTRD_SNAPSHOTTER;
        prep.key = key;
        prep.parent = (char *) strempty(parent);
        _cleanup_message_ ProtobufCMessage *mounts = NULL;
        r = grpc_call(c, "/containerd.services.snapshots.v1.Snapshots/Prepare", &prep.base,
                      &containerd__services__snapshots__v1__prepare_snapshot_response__descriptor, &mounts,
                      0);
        if (r < 0)
                return r;
        Containerd__Services__Snapshots__V1__PrepareSnapshotResponse *m = (void *) mounts;

        Containerd__Types__Descriptor desc = CONTAINERD__TYPES__DESCRIPTOR__INIT;
        desc.media_type = (char *) layer->media_type;
        desc.digest = (char *) layer->digest;
        desc.size = layer->size;
        Containerd__Services__Diff__V1__ApplyRequest apply =
                CONTAINERD__SERVICES__DIFF__V1__APPLY_REQUEST__INIT;
        apply.diff = &desc;
        apply.n_mounts = m->n_mounts;
        apply.mounts = m->mounts;
        _cleanup_message_ ProtobufCMessage *applied = NULL;
        r = grpc_call(c, "/containerd.services.diff.v1.Diff/Apply", &apply.base,
                      &containerd__services__diff__v1__apply_response__descriptor, &applied, 0);
        if (r < 0)
                goto fail;
        Containerd__Services__Diff__V1__ApplyResponse *ar = (void *) applied;
        if (!ar->applied || !streq(ar->applied->digest, diff_id)) {
                grpc_set_error(c, "layer %s unpacks to %s, the image's configuration says %s", layer->digest,
                               ar->applied ? ar->applied->digest : "nothing", diff_id);
                r = -EBADMSG;
                goto fail;
        }
        Containerd__Services__Snapshots__V1__CommitSnapshotRequest commit =
                CONTAINERD__SERVICES__SNAPSHOTS__V1__COMMIT_SNAPSHOT_REQUEST__INIT;
        commit.snapshotter = (char *) CTRD_SNAPSHOTTER;
        commit.name = (char *) chain;
        commit.key = key;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        r = grpc_call(c, "/containerd.services.snapshots.v1.Snapshots/Commit", &commit.base,
                      &google__protobuf__empty__descriptor, &resp, 0);
        if (r == -EEXIST) /* unpacked meanwhile by another */
                r = 0;
        else if (r >= 0)
                return 0;
fail:
        remove_key(c, key);
        return r;
}

static int image_record(GrpcConn *c, const char *name, const Want *manifest) {
        Containerd__Types__Descriptor target = CONTAINERD__TYPES__DESCRIPTOR__INIT;
        Containerd__Services__Images__V1__Image img = CONTAINERD__SERVICES__IMAGES__V1__IMAGE__INIT;
        target.media_type = (char *) manifest->media_type;
        target.digest = (char *) manifest->digest;
        target.size = manifest->size;
        img.name = (char *) name;
        img.target = &target;
        Containerd__Services__Images__V1__CreateImageRequest req =
                CONTAINERD__SERVICES__IMAGES__V1__CREATE_IMAGE_REQUEST__INIT;
        req.image = &img;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        int r = grpc_call(c, "/containerd.services.images.v1.Images/Create", &req.base,
                          &containerd__services__images__v1__create_image_response__descriptor, &resp, 0);
        if (r != -EEXIST)
                return r;
        Containerd__Services__Images__V1__UpdateImageRequest upd =
                CONTAINERD__SERVICES__IMAGES__V1__UPDATE_IMAGE_REQUEST__INIT;
        upd.image = &img;
        _cleanup_message_ ProtobufCMessage *resp2 = NULL;
        return grpc_call(c, "/containerd.services.images.v1.Images/Update", &upd.base,
                         &containerd__services__images__v1__update_image_response__descriptor, &resp2, 0);
}

/* A lease that expires in an hour, should this process die holding it. */
static int lease_create(GrpcConn *c, char id[static 64]) {
        char expire[32];
        time_t t = time(NULL) + 3600;
        struct tm tm;
        strftime(expire, sizeof(expire), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        snprintf(id, 64, "berth-import-%d-%ld", (int) getpid(), (long) time(NULL));
        Containerd__Services__Leases__V1__CreateRequest__LabelsEntry label =
                CONTAINERD__SERVICES__LEASES__V1__CREATE_REQUEST__LABELS_ENTRY__INIT;
        Containerd__Services__Leases__V1__CreateRequest__LabelsEntry *labels[] = { &label };
        label.key = (char *) "containerd.io/gc.expire";
        label.value = expire;
        Containerd__Services__Leases__V1__CreateRequest req =
                CONTAINERD__SERVICES__LEASES__V1__CREATE_REQUEST__INIT;
        req.id = id;
        req.n_labels = 1;
        req.labels = labels;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        int r = grpc_call(c, "/containerd.services.leases.v1.Leases/Create", &req.base,
                          &containerd__services__leases__v1__create_response__descriptor, &resp, 0);
        return r < 0 ? r : grpc_set_header(c, "containerd-lease", id);
}

static void lease_delete(GrpcConn *c, const char *id) {
        char why[512];
        snprintf(why, sizeof(why), "%s", grpc_error(c));
        (void) grpc_set_header(c, NULL, NULL);
        Containerd__Services__Leases__V1__DeleteRequest req =
                CONTAINERD__SERVICES__LEASES__V1__DELETE_REQUEST__INIT;
        req.id = (char *) id;
        _cleanup_message_ ProtobufCMessage *resp = NULL;
        (void) grpc_call(c, "/containerd.services.leases.v1.Leases/Delete", &req.base,
                         &google__protobuf__empty__descriptor, &resp, 0);
        grpc_set_error(c, "%s", why);
}

static int set_label(Want *w, const char *key, const char *value) {
        if (w->n_labels >= ARRAY_SIZE(w->label_keys))
                return -E2BIG;
        if (!(w->label_keys[w->n_labels] = strdup(key)) || !(w->label_values[w->n_labels] = strdup(value)))
                return -ENOMEM;
        w->n_labels++;
        return 0;
}

static void wants_done(Want *w, size_t n) {
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < ARRAY_SIZE(w[i].label_keys); j++) {
                        free(w[i].label_keys[j]);
                        free(w[i].label_values[j]);
                }
}

/* Fills `w` from a descriptor of the image's JSON. */
static int want_from(Want *w, json_object *desc) {
        const char *digest = jstr(desc, "digest"), *type = jstr(desc, "mediaType");
        json_object *size;
        if (!digest || strlen(digest) != 71 || strncmp(digest, "sha256:", 7) != 0 ||
            !json_object_object_get_ex(desc, "size", &size) || json_object_get_int64(size) <= 0)
                return -EBADMSG;
        strcpy(w->digest, digest);
        w->media_type = type ? type : "";
        w->size = json_object_get_int64(size);
        return 0;
}

int ctrd_import(GrpcConn *c, const char *archive, const char *name, CtrdImage *ret) {
        Docs docs = {};
        Want wants[MAX_LAYERS + 2] = {};
        size_t n_wants = 0;
        char lease[64] = "";
        _cleanup_json_ json_object *info = NULL;
        int r = read_docs(c, archive, &docs);
        if (r < 0)
                goto out;

        /* index.json → the linux/amd64 manifest → its config and layers */
        r = -EBADMSG;
        json_object *index = doc(&docs, "index.json"),
                    *mdesc = index ? pick_manifest(&docs, index, 0) : NULL;
        json_object *manifest = mdesc && jstr(mdesc, "digest") ? doc(&docs, jstr(mdesc, "digest")) : NULL;
        json_object *cdesc, *layers, *config, *rootfs, *diff_ids;
        if (!manifest || !json_object_object_get_ex(manifest, "config", &cdesc) ||
            !json_object_object_get_ex(manifest, "layers", &layers) ||
            !json_object_is_type(layers, json_type_array) ||
            !(config = doc(&docs, strempty(jstr(cdesc, "digest")))) ||
            !json_object_object_get_ex(config, "rootfs", &rootfs) ||
            !json_object_object_get_ex(rootfs, "diff_ids", &diff_ids) ||
            !json_object_is_type(diff_ids, json_type_array) ||
            json_object_array_length(diff_ids) != json_object_array_length(layers) ||
            json_object_array_length(layers) == 0 || json_object_array_length(layers) > MAX_LAYERS) {
                grpc_set_error(c, "%s: no linux/amd64 image with a manifest, a configuration and layers",
                               archive);
                goto out;
        }
        size_t n_layers = json_object_array_length(layers);
        char *ids[MAX_LAYERS];
        for (size_t i = 0; i < n_layers; i++)
                ids[i] = (char *) json_object_get_string(json_object_array_get_idx(diff_ids, i));
        char chains[MAX_LAYERS][72];
        for (size_t i = 0; i < n_layers; i++)
                if ((r = ctrd_chain_id(ids, i + 1, chains[i])) < 0) {
                        grpc_set_error(c, "%s: a diff id is not a sha256 digest", archive);
                        goto out;
                }

        Want *mw = &wants[n_wants++], *cw = &wants[n_wants++];
        if ((r = want_from(mw, mdesc)) < 0 || (r = want_from(cw, cdesc)) < 0)
                goto out;
        if ((r = set_label(mw, "containerd.io/gc.ref.content.config", cw->digest)) < 0 ||
            (r = set_label(cw, "containerd.io/gc.ref.snapshot." CTRD_SNAPSHOTTER, chains[n_layers - 1])) < 0)
                goto out;
        for (size_t i = 0; i < n_layers; i++) {
                Want *lw = &wants[n_wants++];
                char key[64];
                if ((r = want_from(lw, json_object_array_get_idx(layers, i))) < 0)
                        goto out;
                snprintf(key, sizeof(key), "containerd.io/gc.ref.content.l.%zu", i);
                if ((r = set_label(mw, key, lw->digest)) < 0)
                        goto out;
        }

        if ((r = lease_create(c, lease)) < 0)
                goto out;
        if ((r = write_blobs(c, archive, wants, n_wants)) < 0)
                goto out;
        for (size_t i = 0; i < n_layers; i++)
                if ((r = unpack_layer(c, &wants[2 + i], ids[i], i ? chains[i - 1] : NULL, chains[i])) < 0)
                        goto out;
        if ((r = image_record(c, name, mw)) < 0)
                goto out;

        /* The image's process defaults, as CRI's verbose info gives them. */
        info = json_object_new_object();
        if (!info ||
            json_object_object_add(info, "chainID", json_object_new_string(chains[n_layers - 1])) < 0 ||
            json_object_object_add(info, "imageSpec", json_object_get(config)) < 0) {
                r = -ENOMEM;
                goto out;
        }
        CtrdImage img = {};
        r = ctrd_image_parse_info(json_object_to_json_string(info), &img);
        if (r >= 0 && !(img.id = strdup(cw->digest))) {
                ctrd_image_done(&img);
                r = -ENOMEM;
        }
        if (r >= 0)
                *ret = img;
out:
        if (lease[0])
                lease_delete(c, lease);
        wants_done(wants, n_wants);
        docs_done(&docs);
        return r;
}
