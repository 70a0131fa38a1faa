/* SPDX-License-Identifier: MIT */

/* HTTP for berth-fetch: libcurl, and CURLcode only in this file. Every
 * request has a connect timeout, the caller's deadline, a size limit (the
 * Content-Length first, then the bytes as they come), only http and https,
 * TLS verified against the image's CA bundle, no proxy from the
 * environment, and at most 5 redirects, never from https to http.
 * Transient failures are asked again with back-off until the deadline. */

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "fetch.h"
#include "macro.h"
#include "version.h"

#define MAX_REDIRECTS 5L
/* The least time an attempt is given. */
#define LAST_TRY_USEC 200000ULL
#define MIN(a, b) ((a) < (b) ? (a) : (b))

uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

int http_init(void) {
        return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

typedef struct Transfer {
        CURL *curl;
        FetchBuffer *body;
        const HttpSink *sink;
        int sink_error; /* what the sink said, when it refused a piece */
        long long declared; /* the last response's Content-Length; -1: none */
} Transfer;

static size_t on_header(char *p, size_t size, size_t n, void *userdata) {
        Transfer *t = userdata;
        static const char name[] = "content-length:";
        char value[32];

        if (n > sizeof(name) - 1 && n - (sizeof(name) - 1) < sizeof(value) &&
            strncasecmp(p, name, sizeof(name) - 1) == 0) {
                memcpy(value, p + sizeof(name) - 1, n - (sizeof(name) - 1));
                value[n - (sizeof(name) - 1)] = 0;
                t->declared = strtoll(value, NULL, 10);
        }
        return n;
}

static size_t on_data(char *p, size_t size, size_t n, void *userdata) {
        Transfer *t = userdata;
        long status = 0;

        /* Asked at every chunk: a redirect's own body, were it passed on,
         * comes before the answer's. An error page is not kept (nor its
         * size held against the limit). */
        (void) curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status >= 300)
                return n;
        if (!t->sink)
                return fetch_buffer_append(t->body, p, n) < 0 ? 0 : n;
        if (n > t->body->limit || t->body->size > t->body->limit - n) {
                t->body->too_big = true;
                return 0;
        }
        t->body->size += n;
        t->sink_error = t->sink->write(t->sink->data, p, n);
        return t->sink_error < 0 ? 0 : n;
}

static size_t on_read_nothing(char *p, size_t size, size_t n, void *userdata) {
        return 0;
}

static void curl_cleanup(CURL **c) {
        if (*c)
                curl_easy_cleanup(*c);
}

static void slist_cleanup(struct curl_slist **l) {
        curl_slist_free_all(*l);
}

/* Worth asking again: the network or the server may not be ready yet. */
static bool transient(CURLcode code) {
        switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
                return true;
        default:
                return false;
        }
}

static bool transient_status(long status) {
        return status == 408 || status == 429 || status >= 500;
}

/* One attempt, with what is left of the deadline. 0 with *ret_status;
 * -EAGAIN (worth another attempt) or another -errno, with why. */
static int http_once(const HttpRequest *req, const FetchOptions *o, FetchBuffer *body, long *ret_status,
                     char *why, size_t why_size) {
        _cleanup_(curl_cleanup) CURL *c = curl_easy_init();
        _cleanup_(slist_cleanup) struct curl_slist *headers = NULL, *resolve = NULL;
        char error[CURL_ERROR_SIZE] = "";
        uint64_t now = now_usec();
        long left_ms = now < o->deadline ? (long) ((o->deadline - now) / 1000) : 0;
        Transfer t = { .body = body, .sink = req->sink, .declared = -1 };
        bool https = strncasecmp(req->url, "https:", 6) == 0;
        CURLcode code;

        if (!c) {
                snprintf(why, why_size, "cannot start libcurl");
                return -ENOMEM;
        }
        if (left_ms <= 0) {
                snprintf(why, why_size, "deadline passed");
                return -ETIMEDOUT;
        }
        t.curl = c;
        fetch_buffer_reset(body);
        if (req->sink) {
                int r = req->sink->reset(req->sink->data);
                if (r < 0) {
                        snprintf(why, why_size, "cannot start the file: %s", strerror(-r));
                        return r;
                }
        }
        for (const char *const *h = req->headers; h && *h; h++) {
                struct curl_slist *n = curl_slist_append(headers, *h);
                if (!n)
                        return -ENOMEM;
                headers = n;
        }
        if (req->resolve && !(resolve = curl_slist_append(NULL, req->resolve)))
                return -ENOMEM;

        code = curl_easy_setopt(c, CURLOPT_URL, req->url);
        if (code == CURLE_OK)
                code = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        if (code == CURLE_OK)
                code = curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
        if (code != CURLE_OK) {
                snprintf(why, why_size, "libcurl refuses the URL: %s", curl_easy_strerror(code));
                return -EINVAL;
        }
        (void) curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
        (void) curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        (void) curl_easy_setopt(c, CURLOPT_PROXY, "");
        (void) curl_easy_setopt(c, CURLOPT_USERAGENT, "berth-fetch/" BERTH_VERSION);
        (void) curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req->follow_redirects ? 1L : 0L);
        (void) curl_easy_setopt(c, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
        (void) curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, MIN(left_ms, FETCH_CONNECT_TIMEOUT * 1000L));
        (void) curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left_ms);
        (void) curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) body->limit);
        (void) curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_bundle);
        (void) curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
        (void) curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        (void) curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        (void) curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        (void) curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
        (void) curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        (void) curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
        if (headers)
                (void) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        if (resolve)
                (void) curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
        if (req->stall_seconds > 0) {
                /* A connection that stalls fails this attempt, not the whole deadline. */
                (void) curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
                (void) curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, req->stall_seconds);
        }
        if (req->put) {
                (void) curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
                (void) curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t) 0);
                (void) curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read_nothing);
        }

        code = curl_easy_perform(c);
        if (code == CURLE_FILESIZE_EXCEEDED) {
                /* Refused on its Content-Length, before a byte of it was read. */
                body->too_big = true;
                snprintf(why, why_size, "larger than the limit of %zu bytes (Content-Length: %lld)",
                         body->limit, t.declared);
                return -EFBIG;
        }
        if (code == CURLE_WRITE_ERROR && body->too_big) {
                snprintf(why, why_size, "larger than the limit of %zu bytes", body->limit);
                return -EFBIG;
        }
        if (code == CURLE_WRITE_ERROR && t.sink_error < 0) {
                snprintf(why, why_size, "cannot write what came: %s", strerror(-t.sink_error));
                return t.sink_error;
        }
        if (code == CURLE_OPERATION_TIMEDOUT && now_usec() + LAST_TRY_USEC >= o->deadline) {
                snprintf(why, why_size, "no answer within the deadline (%s)",
                         error[0] ? error : "timed out");
                return -ETIMEDOUT;
        }
        if (code != CURLE_OK) {
                snprintf(why, why_size, "%s", error[0] ? error : curl_easy_strerror(code));
                return transient(code) ? -EAGAIN : -EIO;
        }
        (void) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, ret_status);
        return 0;
}

int http_fetch(const HttpRequest *req, const FetchOptions *o, FetchBuffer *body, long *ret_status, char *why,
               size_t why_size) {
        Backoff b = {};
        unsigned attempts = 0;

        for (;;) {
                long status = 0;
                int r = http_once(req, o, body, &status, why, why_size);

                attempts++;
                if (r == 0 && !transient_status(status)) {
                        *ret_status = status;
                        return 0;
                }
                if (r == 0)
                        snprintf(why, why_size, "HTTP %ld", status);
                else if (r != -EAGAIN)
                        return r;

                double delay = backoff_next(&b, 0);
                uint64_t now = now_usec();
                /* The last attempt starts at the deadline less a moment. */
                if (now + (uint64_t) (delay * 1e6) + LAST_TRY_USEC > o->deadline)
                        delay = now + 2 * LAST_TRY_USEC < o->deadline
                                        ? (double) (o->deadline - now - LAST_TRY_USEC) / 1e6
                                        : 0;
                if (delay <= 0) {
                        /* The last answer, and how long we tried. */
                        size_t len = strlen(why);
                        snprintf(why + len, why_size - len, " (%u attempt%s, until the deadline)", attempts,
                                 attempts == 1 ? "" : "s");
                        return r == 0 ? -EPROTO : -ETIMEDOUT;
                }
                _cleanup_free_ char *shown = url_redact(req->url);
                fprintf(stderr, "berth-fetch: %s: %s; again in %.1f s\n", shown ?: "?", why, delay);
                usleep((useconds_t) (delay * 1e6));
        }
}
