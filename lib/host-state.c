/* SPDX-License-Identifier: MIT */
#include "host-state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "host-state-check.h"
#include "schema.h"
#include "strv.h"

static void *mfree(void *p) {
        free(p);
        return NULL;
}

/* ---- the schema (docs/host-state.md describes every key) ---- */

#define STR(k, type, member, chk, ...) \
        { .key = k, .kind = SCHEMA_STRING, .offset = offsetof(type, member), .check = chk, __VA_ARGS__ }
#define LIST(k, type, member, chk, ...) \
        { .key = k, .kind = SCHEMA_STRING_LIST, .offset = offsetof(type, member), .check = chk, __VA_ARGS__ }
#define BOOL(k, type, member) \
        { .key = k, .kind = SCHEMA_BOOLEAN, .offset = offsetof(type, member) }
#define VALUE(k, type, member, fn, ...) \
        { .key = k, .kind = SCHEMA_VALUE, .offset = offsetof(type, member), .parse = fn, __VA_ARGS__ }
#define INT(k, type, member, lo, hi) \
        { .key = k, .kind = SCHEMA_INTEGER, .offset = offsetof(type, member), .min = lo, .max = hi }
#define TABLES(k, type, member, count, item, t, limit)                                               \
        {                                                                                            \
                .key = k, .kind = SCHEMA_TABLE_ARRAY, .offset = offsetof(type, member), .table = &t, \
                .item_size = sizeof(item), .count_offset = offsetof(type, count), .max_items = limit \
        }

static int file_finish(void *base, const TomlValue *table, TomlError *e);
static int registry_finish(void *base, const TomlValue *table, TomlError *e);
static int container_finish(void *base, const TomlValue *table, TomlError *e);
static int state_finish(void *base, const TomlValue *table, TomlError *e);

static const SchemaField file_fields[] = {
        STR("path", HostStateFile, path, hs_check_etc_path, .flags = SCHEMA_REQUIRED,
            .max_len = HOST_STATE_MAX_PATH_LEN),
        VALUE("mode", HostStateFile, mode, hs_parse_mode),
        INT("owner", HostStateFile, owner, 0, INT32_MAX),
        INT("group", HostStateFile, group, 0, INT32_MAX),
        STR("content", HostStateFile, content, NULL, .flags = SCHEMA_MULTILINE,
            .max_len = HOST_STATE_MAX_FILE_SIZE),
        STR("content_base64", HostStateFile, content_base64, NULL, .flags = SCHEMA_MULTILINE,
            .max_len = HOST_STATE_MAX_FILE_SIZE / 3 * 4 + 4096),
};
static const SchemaTable file_table = SCHEMA_TABLE_OF(file_fields, file_finish);

static const SchemaField registry_fields[] = {
        STR("host", HostStateRegistry, host, hs_check_registry_host, .flags = SCHEMA_REQUIRED),
        LIST("mirrors", HostStateRegistry, mirrors, hs_check_url, .max_len = HOST_STATE_MAX_URL_LEN,
             .max_items = HOST_STATE_MAX_MIRRORS),
        BOOL("plain_http", HostStateRegistry, plain_http),
        STR("username", HostStateRegistry, username, NULL, .max_len = 256),
        STR("password", HostStateRegistry, password, NULL, .max_len = HOST_STATE_MAX_SECRET_LEN),
        STR("token", HostStateRegistry, token, NULL, .max_len = HOST_STATE_MAX_SECRET_LEN),
        STR("ca", HostStateRegistry, ca, hs_check_pem, .flags = SCHEMA_MULTILINE,
            .max_len = HOST_STATE_MAX_CA_LEN),
};
static const SchemaTable registry_table = SCHEMA_TABLE_OF(registry_fields, registry_finish);

static const SchemaField archive_fields[] = {
        STR("url", HostStateArchive, url, hs_check_url, .flags = SCHEMA_REQUIRED,
            .max_len = HOST_STATE_MAX_URL_LEN),
        STR("sha256", HostStateArchive, sha256, hs_check_sha256, .flags = SCHEMA_REQUIRED),
};
static const SchemaTable archive_table = SCHEMA_TABLE_OF(archive_fields, NULL);

static const SchemaField mount_fields[] = {
        STR("source", HostStateMount, source, hs_check_var_path, .flags = SCHEMA_REQUIRED,
            .max_len = HOST_STATE_MAX_PATH_LEN),
        STR("target", HostStateMount, target, hs_check_target_path, .flags = SCHEMA_REQUIRED,
            .max_len = HOST_STATE_MAX_PATH_LEN),
        BOOL("read_only", HostStateMount, read_only),
};
static const SchemaTable mount_table = SCHEMA_TABLE_OF(mount_fields, NULL);

static const SchemaField resources_fields[] = {
        VALUE("cpu_max", HostStateResources, cpu_max, hs_parse_cpu_max),
        INT("cpu_weight", HostStateResources, cpu_weight, 1, 10000),
        VALUE("memory_max", HostStateResources, memory_max, hs_parse_memory),
        VALUE("pids_max", HostStateResources, pids_max, hs_parse_pids),
};
static const SchemaTable resources_table = SCHEMA_TABLE_OF(resources_fields, NULL);

static const SchemaField container_fields[] = {
        STR("name", HostStateContainer, name, hs_check_container_name, .flags = SCHEMA_REQUIRED),
        STR("image", HostStateContainer, image, hs_check_image),
        { .key = "archive",
          .kind = SCHEMA_TABLE,
          .flags = SCHEMA_IF_PRESENT,
          .offset = offsetof(HostStateContainer, archive),
          .table = &archive_table },
        /* An argument may hold anything but NUL: it reaches execve(), not a file. */
        LIST("command", HostStateContainer, command, NULL, .flags = SCHEMA_MULTILINE | SCHEMA_REPEATS,
             .max_len = HOST_STATE_MAX_ARG_LEN, .max_items = HOST_STATE_MAX_ARGS),
        LIST("args", HostStateContainer, args, NULL, .flags = SCHEMA_MULTILINE | SCHEMA_REPEATS,
             .max_len = HOST_STATE_MAX_ARG_LEN, .max_items = HOST_STATE_MAX_ARGS),
        { .key = "env",
          .kind = SCHEMA_STRING_MAP,
          .flags = SCHEMA_MULTILINE,
          .offset = offsetof(HostStateContainer, env),
          .key_check = hs_check_env_name,
          .max_len = HOST_STATE_MAX_ARG_LEN,
          .max_items = HOST_STATE_MAX_ENV },
        TABLES("mounts", HostStateContainer, mounts, n_mounts, HostStateMount, mount_table,
               HOST_STATE_MAX_MOUNTS),
        BOOL("host_network", HostStateContainer, host_network),
        VALUE("restart", HostStateContainer, restart, hs_parse_restart),
        INT("max_restarts", HostStateContainer, max_restarts, 0, 1000000),
        { .key = "resources",
          .kind = SCHEMA_TABLE,
          .flags = SCHEMA_IF_PRESENT,
          .offset = offsetof(HostStateContainer, resources),
          .table = &resources_table },
};
static const SchemaTable container_table = SCHEMA_TABLE_OF(container_fields, container_finish);

static const SchemaField state_fields[] = {
        VALUE("version", HostState, version, hs_parse_version, .flags = SCHEMA_REQUIRED),
        STR("hostname", HostState, hostname, hs_check_hostname),
        VALUE("refresh", HostState, refresh, hs_parse_refresh),
        { .key = "sysctl",
          .kind = SCHEMA_STRING_MAP,
          .flags = SCHEMA_MAP_INTEGERS | SCHEMA_MAP_DOTTED,
          .offset = offsetof(HostState, sysctl),
          .key_check = hs_check_sysctl_name,
          .max_len = HOST_STATE_MAX_ARG_LEN,
          .max_items = HOST_STATE_MAX_SYSCTL },
        TABLES("files", HostState, files, n_files, HostStateFile, file_table, HOST_STATE_MAX_FILES),
        TABLES("registries", HostState, registries, n_registries, HostStateRegistry, registry_table,
               HOST_STATE_MAX_REGISTRIES),
        TABLES("containers", HostState, containers, n_containers, HostStateContainer, container_table,
               HOST_STATE_MAX_CONTAINERS),
};
static const SchemaTable state_schema = SCHEMA_TABLE_OF(state_fields, state_finish);

#undef STR
#undef LIST
#undef BOOL
#undef VALUE
#undef INT
#undef TABLES

/* ---- cross-key rules ---- */

static TomlPos key_pos(const TomlValue *table, const char *key) {
        const TomlValue *v = toml_table_get(table, key);
        return v ? toml_value_pos(v) : toml_value_pos(table);
}

static int file_finish(void *base, const TomlValue *table, TomlError *e) {
        HostStateFile *f = base;
        int k;

        if (!toml_table_get(table, "mode"))
                f->mode = 0644;
        if (!!f->content == !!f->content_base64)
                return schema_fail(e, toml_value_pos(table),
                                   "file '%s' must have one of 'content' and 'content_base64'", f->path);
        if (f->content) {
                f->content_size = strlen(f->content);
                return 0;
        }
        k = hs_base64_decode(f->content_base64, &f->content, &f->content_size);
        /* Only the bytes are kept: PID 1 holds the state for as long as it runs. */
        f->content_base64 = mfree(f->content_base64);
        if (k == -EINVAL)
                return schema_fail(e, key_pos(table, "content_base64"),
                                   "'files.content_base64' is not base64");
        if (k < 0)
                return k;
        if (f->content_size > HOST_STATE_MAX_FILE_SIZE)
                return schema_fail(e, key_pos(table, "content_base64"),
                                   "'files.content_base64' must decode to at most %u bytes",
                                   HOST_STATE_MAX_FILE_SIZE);
        return 0;
}

static int registry_finish(void *base, const TomlValue *table, TomlError *e) {
        HostStateRegistry *r = base;

        if (!!r->username != !!r->password)
                return schema_fail(e, toml_value_pos(table),
                                   "registry '%s' needs both 'username' and 'password'", r->host);
        if (r->username && r->token)
                return schema_fail(e, key_pos(table, "token"),
                                   "registry '%s' has 'token' and 'username': use one of them", r->host);
        if (!r->plain_http)
                STRV_FOREACH (m, r->mirrors)
                        if (strncmp(*m, "http://", 7) == 0)
                                return schema_fail(
                                        e, key_pos(table, "mirrors"),
                                        "mirror '%s' is plain HTTP: registry '%s' needs 'plain_http = true'",
                                        *m, r->host);
        return 0;
}

static int container_finish(void *base, const TomlValue *table, TomlError *e) {
        HostStateContainer *c = base;
        const TomlValue *max = toml_table_get(table, "max_restarts");

        if (!!c->image == !!c->archive.url)
                return schema_fail(e, toml_value_pos(table),
                                   "container '%s' must have one of 'image' and 'archive'", c->name);
        if (max && c->restart != HOST_STATE_RESTART_ON_FAILURE)
                return schema_fail(e, toml_value_pos(max),
                                   "'containers.max_restarts' is for restart = \"on-failure\" only");
        if (!max)
                c->max_restarts = c->restart == HOST_STATE_RESTART_ON_FAILURE ? 5 : 0;
        /* command = [] runs no entrypoint at all, which is not the image's own:
         * an empty list is kept apart from an absent one. */
        if (toml_table_get(table, "command") && !c->command && !(c->command = calloc(1, sizeof(char *))))
                return -ENOMEM;
        if (toml_table_get(table, "args") && !c->args && !(c->args = calloc(1, sizeof(char *))))
                return -ENOMEM;
        /* Two mounts on one target: the second would hide the first. */
        for (size_t i = 0; i < c->n_mounts; i++)
                for (size_t j = 0; j < i; j++)
                        if (streq(c->mounts[i].target, c->mounts[j].target))
                                return schema_fail(
                                        e,
                                        key_pos(toml_array_at(toml_table_get(table, "mounts"), i), "target"),
                                        "container '%s' mounts '%s' twice", c->name, c->mounts[i].target);
        return 0;
}

/* The key at position i of the array of tables key, for "twice" messages. */
static TomlPos item_key_pos(const TomlValue *doc, const char *array, size_t i, const char *key) {
        return key_pos(toml_array_at(toml_table_get(doc, array), i), key);
}

static int state_finish(void *base, const TomlValue *doc, TomlError *e) {
        HostState *s = base;

        for (size_t i = 0; i < s->n_containers; i++)
                for (size_t j = 0; j < i; j++)
                        if (streq(s->containers[i].name, s->containers[j].name))
                                return schema_fail(e, item_key_pos(doc, "containers", i, "name"),
                                                   "container name '%s' is used twice",
                                                   s->containers[i].name);
        for (size_t i = 0; i < s->n_files; i++)
                for (size_t j = 0; j < i; j++)
                        if (streq(s->files[i].path, s->files[j].path))
                                return schema_fail(e, item_key_pos(doc, "files", i, "path"),
                                                   "file '%s' is written twice", s->files[i].path);
        for (size_t i = 0; i < s->n_registries; i++)
                for (size_t j = 0; j < i; j++)
                        if (streq(s->registries[i].host, s->registries[j].host))
                                return schema_fail(e, item_key_pos(doc, "registries", i, "host"),
                                                   "registry '%s' is configured twice",
                                                   s->registries[i].host);
        return 0;
}

/* ---- loading ---- */

int host_state_parse(const char *text, size_t n, HostState **ret, TomlError *reterr) {
        _cleanup_(host_state_freep) HostState *s = NULL;
        _cleanup_(toml_freep) TomlValue *doc = NULL;
        TomlError scratch;
        TomlError *e = reterr ?: &scratch;
        const TomlValue *version;
        int k;

        *e = (TomlError){ 0 };
        if (n > HOST_STATE_MAX_BYTES) {
                snprintf(e->msg, sizeof(e->msg), "the document is larger than %u bytes",
                         HOST_STATE_MAX_BYTES);
                return -EFBIG;
        }
        k = toml_parse(text, n, &doc, e);
        if (k < 0)
                return k;
        /* The version first: a later version's keys are not "unknown keys". */
        version = toml_table_get(doc, "version");
        if (!version)
                return schema_fail(e, (TomlPos){ 1, 1 }, "missing required key 'version' (version = 1)");
        s = calloc(1, sizeof(HostState));
        if (!s)
                return -ENOMEM;
        k = hs_parse_version(&s->version, version, "version", e);
        if (k < 0)
                return k;
        k = schema_load(&state_schema, s, doc, e);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(s);
        return 0;
}

int host_state_load(const char *path, HostState **ret, TomlError *reterr) {
        _cleanup_free_ char *text = NULL;
        TomlError scratch;
        TomlError *e = reterr ?: &scratch;
        size_t size;
        int k;

        *e = (TomlError){ 0 };
        /* One byte over the limit tells "too large" from "just fits". */
        k = read_full_file(path, HOST_STATE_MAX_BYTES + 1, &text, &size);
        if (k == -EFBIG) {
                snprintf(e->msg, sizeof(e->msg), "the document is larger than %u bytes",
                         HOST_STATE_MAX_BYTES);
                return k;
        }
        if (k < 0) {
                snprintf(e->msg, sizeof(e->msg), "%s", strerror(-k));
                return k;
        }
        return host_state_parse(text, size, ret, e);
}

/* ---- freeing, comparing ---- */

void host_state_container_done(HostStateContainer *c) {
        free(c->name);
        free(c->image);
        free(c->archive.url);
        free(c->archive.sha256);
        strv_free(c->command);
        strv_free(c->args);
        strv_free(c->env);
        for (size_t i = 0; i < c->n_mounts; i++) {
                free(c->mounts[i].source);
                free(c->mounts[i].target);
        }
        free(c->mounts);
        free(c->resources.cpu_max);
}

HostState *host_state_free(HostState *s) {
        if (!s)
                return NULL;
        free(s->hostname);
        strv_free(s->sysctl);
        for (size_t i = 0; i < s->n_files; i++) {
                free(s->files[i].path);
                free(s->files[i].content);
                free(s->files[i].content_base64);
        }
        free(s->files);
        for (size_t i = 0; i < s->n_registries; i++) {
                HostStateRegistry *r = &s->registries[i];
                free(r->host);
                strv_free(r->mirrors);
                free(r->username);
                free(r->password);
                free(r->token);
                free(r->ca);
        }
        free(s->registries);
        for (size_t i = 0; i < s->n_containers; i++)
                host_state_container_done(&s->containers[i]);
        free(s->containers);
        free(s);
        return NULL;
}

static bool str_equal(const char *a, const char *b) {
        return a == b || (a && b && streq(a, b));
}

/* NULL (unset) differs from an empty list: "use the image's" is not "none". */
static bool strv_equal(char *const *a, char *const *b) {
        if (!a || !b)
                return a == b;
        for (; *a && *b; a++, b++)
                if (!streq(*a, *b))
                        return false;
        return !*a && !*b;
}

bool host_state_container_equal(const HostStateContainer *a, const HostStateContainer *b) {
        if (!str_equal(a->name, b->name) || !str_equal(a->image, b->image) ||
            !str_equal(a->archive.url, b->archive.url) || !str_equal(a->archive.sha256, b->archive.sha256) ||
            !strv_equal(a->command, b->command) || !strv_equal(a->args, b->args) ||
            !strv_equal(a->env, b->env) || a->host_network != b->host_network || a->restart != b->restart ||
            a->max_restarts != b->max_restarts || !str_equal(a->resources.cpu_max, b->resources.cpu_max) ||
            a->resources.cpu_weight != b->resources.cpu_weight ||
            a->resources.memory_max != b->resources.memory_max ||
            a->resources.pids_max != b->resources.pids_max || a->n_mounts != b->n_mounts)
                return false;
        for (size_t i = 0; i < a->n_mounts; i++)
                if (!str_equal(a->mounts[i].source, b->mounts[i].source) ||
                    !str_equal(a->mounts[i].target, b->mounts[i].target) ||
                    a->mounts[i].read_only != b->mounts[i].read_only)
                        return false;
        return true;
}

const HostStateContainer *host_state_container_find(const HostState *s, const char *name) {
        for (size_t i = 0; s && i < s->n_containers; i++)
                if (streq(s->containers[i].name, name))
                        return &s->containers[i];
        return NULL;
}

bool host_state_file_equal(const HostStateFile *a, const HostStateFile *b) {
        return str_equal(a->path, b->path) && a->mode == b->mode && a->owner == b->owner &&
               a->group == b->group && a->content_size == b->content_size &&
               (a->content_size == 0 || memcmp(a->content, b->content, a->content_size) == 0);
}

bool host_state_registry_equal(const HostStateRegistry *a, const HostStateRegistry *b) {
        return str_equal(a->host, b->host) && strv_equal(a->mirrors, b->mirrors) &&
               a->plain_http == b->plain_http && str_equal(a->username, b->username) &&
               str_equal(a->password, b->password) && str_equal(a->token, b->token) &&
               str_equal(a->ca, b->ca);
}

const char *host_state_restart_to_string(HostStateRestart r) {
        static const char *const names[] = {
                [HOST_STATE_RESTART_ALWAYS] = "always",
                [HOST_STATE_RESTART_ON_FAILURE] = "on-failure",
                [HOST_STATE_RESTART_NEVER] = "never",
        };
        return r < ARRAY_SIZE(names) ? names[r] : NULL;
}
