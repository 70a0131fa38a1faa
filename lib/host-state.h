/* SPDX-License-Identifier: MIT */
#pragma once

/* The host state: one TOML document that says what a berth host is and what
 * it runs (docs/host-state.md is the reference). host_state_parse() checks it
 * completely against the schema (lib/schema.h), so the apply step sees only
 * validated values; berthctl check runs the same code on a build host.
 *
 * Limits keep a hostile document from exhausting PID 1's memory: the
 * document is at most HOST_STATE_MAX_BYTES, and every list has a bound. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"
#include "toml/toml.h"

#define HOST_STATE_VERSION 1
#define HOST_STATE_MAX_BYTES (1u << 20)
#define HOST_STATE_MAX_CONTAINERS 128
#define HOST_STATE_MAX_FILES 256
#define HOST_STATE_MAX_REGISTRIES 32
#define HOST_STATE_MAX_SYSCTL 512
#define HOST_STATE_MAX_FILE_SIZE (256u << 10) /* a file's content, decoded */
#define HOST_STATE_MAX_ARGS 256 /* command, args */
#define HOST_STATE_MAX_ENV 256
#define HOST_STATE_MAX_MOUNTS 32
#define HOST_STATE_MAX_MIRRORS 16
#define HOST_STATE_MAX_ARG_LEN 4096 /* an argument, an environment value, a sysctl value */
#define HOST_STATE_MAX_CA_LEN (64u << 10)
#define HOST_STATE_MAX_URL_LEN 2048
#define HOST_STATE_MAX_PATH_LEN 1024
#define HOST_STATE_MAX_SECRET_LEN 4096 /* password, token */

#define HOST_STATE_REFRESH_MIN 10 /* seconds */
#define HOST_STATE_REFRESH_MAX (7 * 24 * 3600)

typedef struct HostStateFile {
        char *path; /* absolute, normalized, below /etc */
        uint32_t mode; /* permission bits only (0..0777); default 0644 */
        int64_t owner, group; /* numeric uid and gid; default 0 */
        char *content; /* the bytes to write (content_base64 decoded), NUL-terminated */
        size_t content_size;
        char *content_base64; /* the schema code's slot: decoded into content, then freed */
} HostStateFile;

typedef struct HostStateRegistry {
        char *host; /* "host" or "host:port", e.g. "registry.example:5000" */
        char **mirrors; /* http:// or https:// URLs, tried in order before host */
        bool plain_http; /* may speak plain HTTP to host (and http:// mirrors) */
        char *username, *password; /* both or neither */
        char *token; /* an identity token, instead of username/password */
        char *ca; /* PEM certificates trusted for this registry, or NULL */
} HostStateRegistry;

typedef struct HostStateMount {
        char *source; /* absolute, normalized, below /var */
        char *target; /* absolute, normalized, in the container */
        bool read_only;
} HostStateMount;

typedef enum HostStateRestart {
        HOST_STATE_RESTART_ALWAYS,
        HOST_STATE_RESTART_ON_FAILURE,
        HOST_STATE_RESTART_NEVER,
} HostStateRestart;

typedef struct HostStateArchive {
        char *url; /* http:// or https:// */
        char *sha256; /* 64 lower-case hex digits */
} HostStateArchive;

typedef struct HostStateResources {
        char *cpu_max; /* cgroup v2 cpu.max, "QUOTA PERIOD" or "max PERIOD"; NULL: no limit */
        int64_t cpu_weight; /* 1..10000; 0: the kernel's default (100) */
        uint64_t memory_max; /* bytes; 0: no limit */
        uint64_t pids_max; /* 0: no limit */
} HostStateResources;

typedef struct HostStateContainer {
        char *name; /* [a-z0-9][a-z0-9_.-]{0,62}, unique */
        char *image; /* a reference with a tag and/or a digest; NULL when archive is used */
        HostStateArchive archive; /* url NULL unless the image comes from an OCI archive */
        char **command; /* replaces the image's entrypoint; NULL: the image's */
        char **args; /* replaces the image's cmd; NULL: the image's */
        char **env; /* name, value, name, value, ..., NULL (document order) */
        HostStateMount *mounts;
        size_t n_mounts;
        bool host_network;
        HostStateRestart restart; /* default always */
        int64_t max_restarts; /* on-failure only; default 5 */
        HostStateResources resources;
} HostStateContainer;

typedef struct HostState {
        int64_t version; /* 1 */
        char *hostname; /* NULL: unchanged */
        int64_t refresh; /* seconds; 0: no periodic refresh */
        char **sysctl; /* name, value, ..., NULL: names as in /proc/sys, dotted */
        HostStateFile *files;
        size_t n_files;
        HostStateRegistry *registries;
        size_t n_registries;
        HostStateContainer *containers;
        size_t n_containers;
} HostState;

/* Parses and validates n bytes of text (need not be NUL-terminated).
 * Returns 0 and the state, -EINVAL with *reterr filled (line, column,
 * message), -EFBIG for a document over HOST_STATE_MAX_BYTES, or -ENOMEM. */
int host_state_parse(const char *text, size_t n, HostState **ret, TomlError *reterr);
/* Reads path and parses it; another -errno (reterr: strerror, no position)
 * when it can't be read. */
int host_state_load(const char *path, HostState **ret, TomlError *reterr);

HostState *host_state_free(HostState *s);
/* Frees what c holds (not c itself): for a copy made outside a HostState. */
void host_state_container_done(HostStateContainer *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(HostState *, host_state_free);

/* For converging: a container whose every field is equal is left alone; any
 * difference (image, command, env order, limits, restart policy...) means
 * it is recreated. */
bool host_state_container_equal(const HostStateContainer *a, const HostStateContainer *b);
const HostStateContainer *host_state_container_find(const HostState *s, const char *name);
bool host_state_file_equal(const HostStateFile *a, const HostStateFile *b);
bool host_state_registry_equal(const HostStateRegistry *a, const HostStateRegistry *b);

const char *host_state_restart_to_string(HostStateRestart r);
