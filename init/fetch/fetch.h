/* SPDX-License-Identifier: MIT */
#pragma once

/* berth-fetch: fetches the host state document's bytes from its sources
 * (docs/state-providers.md) with limits, checks its pin, and writes it.
 * A program of its own so that PID 1 never maps libcurl. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch-buffer.h"
#include "state-plan.h"

/* Exit codes, and the one line berth-fetch writes on stdout with each:
 *   0  "SOURCE sha256:HEX"  the document is written
 *   2  (nothing)            the command line is wrong (stderr says why)
 *   3  "none: WHAT"         no source holds a document
 *   4  "SOURCE: WHY"        a source failed: fetch, limit, pin, unpinned http,
 *                           or the document is not valid ("SOURCE: LINE:COL: msg")
 * Stage 2 prints the line as `berth: state fetched ...` or
 * `berth: FAILED state ...`. */
enum {
        FETCH_EXIT_OK = 0,
        FETCH_EXIT_USAGE = 2,
        FETCH_EXIT_NONE = 3,
        FETCH_EXIT_FAILED = 4,
};

#define FETCH_DEFAULT_MAX_SIZE (1024 * 1024)
#define FETCH_DEFAULT_TIMEOUT 60
#define FETCH_CONNECT_TIMEOUT 10

typedef struct FetchOptions {
        size_t max_size;
        uint64_t deadline; /* CLOCK_MONOTONIC, µs: past it, nothing more is tried */
        const char *ca_bundle;
        bool pinned;
        bool http_unpinned_ok;
} FetchOptions;

/* A provider's answer for one source. 1: the document is in doc; 0: the
 * source holds none (why says what was looked at); <0: failed, why says
 * why. *name is set to how the source is named in messages. */
typedef int (*ProviderFetchFn)(const StateSource *src, const FetchOptions *o, FetchBuffer *doc, char *name,
                               size_t name_size, char *why, size_t why_size);

int provider_url_fetch(const StateSource *src, const FetchOptions *o, FetchBuffer *doc, char *name,
                       size_t name_size, char *why, size_t why_size);
int provider_fwcfg_fetch(const StateSource *src, const FetchOptions *o, FetchBuffer *doc, char *name,
                         size_t name_size, char *why, size_t why_size);
int provider_nocloud_fetch(const StateSource *src, const FetchOptions *o, FetchBuffer *doc, char *name,
                           size_t name_size, char *why, size_t why_size);
int provider_ec2_fetch(const StateSource *src, const FetchOptions *o, FetchBuffer *doc, char *name,
                       size_t name_size, char *why, size_t why_size);
int provider_gce_fetch(const StateSource *src, const FetchOptions *o, FetchBuffer *doc, char *name,
                       size_t name_size, char *why, size_t why_size);

/* ---- http.c: libcurl, and only there ---- */

/* Where a body goes instead of memory (an archive, streamed to a file):
 * reset() when an attempt starts (what an earlier one wrote is void),
 * write() with each piece of a 2xx answer; <0 from either ends the fetch. */
typedef struct HttpSink {
        int (*reset)(void *data);
        int (*write)(void *data, const void *p, size_t n);
        void *data;
} HttpSink;

typedef struct HttpRequest {
        const char *url;
        bool put; /* an empty PUT (IMDSv2's token), else GET */
        const char *const *headers; /* NULL-terminated, or NULL */
        bool follow_redirects; /* at most 5; never from https to http */
        const char *resolve; /* "host:port:address" (curl's CURLOPT_RESOLVE), or NULL */
        const HttpSink *sink; /* or NULL: the body in memory */
        long stall_seconds; /* not a byte for this long: the attempt failed (0: no such rule) */
} HttpRequest;

int http_init(void);
/* Asks until an answer that is final (any status but 408, 429 and 5xx) or
 * the deadline, with back-off between attempts. 0 with *ret_status, the
 * body in body when the status is 2xx (or given to req->sink, body then
 * counting its size only); -EFBIG past body->limit; another -errno with
 * why set (the last attempt's error, or the status). */
int http_fetch(const HttpRequest *req, const FetchOptions *o, FetchBuffer *body, long *ret_status, char *why,
               size_t why_size);

/* The time now, CLOCK_MONOTONIC, µs. */
uint64_t now_usec(void);

/* ---- archive.c: berth-fetch --archive ---- */

/* A container's OCI archive (docs/host-state.md, `archive =`): larger than
 * any document, so streamed to a file, with limits of its own. */
#define ARCHIVE_DEFAULT_MAX_SIZE (4ULL * 1024 * 1024 * 1024)
#define ARCHIVE_MAX_MAX_SIZE (64ULL * 1024 * 1024 * 1024)
#define ARCHIVE_DEFAULT_TIMEOUT 1500 /* within PID 1's 1800 s for a container to start */
#define ARCHIVE_STALL_SECONDS 60

/* URL into out (a temporary name beside it, renamed once its sha256 is
 * pin); out already there with that sha256: nothing fetched. Prints the
 * one line of fetch.h's exit codes and returns the exit code. */
int archive_fetch(const char *url, const char *pin, const char *out, const FetchOptions *o);

/* ---- modules, for providers that need a driver first ---- */
void fetch_load_modules(const char *const *names);
