/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "grpc.h"

/* What one call gathers from its stream. */
typedef struct {
        int32_t stream_id;
        const uint8_t *body; /* the request's gRPC frame, sent by body_read() */
        size_t body_len, body_sent;
        GrpcProducer fill; /* or a stream of them, made as they are sent */
        void *fill_data;
        uint8_t *data; /* the answer's DATA, gRPC frames */
        size_t data_len, data_alloc;
        int http_status;
        int grpc_status; /* -1 until a grpc-status header */
        char *grpc_message;
        bool grpc_content_type;
        bool closed;
        uint32_t close_error; /* RST_STREAM's code, 0 for a clean end */
        int error; /* a negative errno our callbacks met */
} Call;

struct GrpcConn {
        int fd;
        char *namespace;
        nghttp2_session *session;
        Call *call; /* the call in progress, NULL between calls */
        int io_error;
        int last_status;
        uint64_t timeout_usec;
        char *header_name, *header_value; /* one more header, e.g. a lease */
        char error[512];
};

static const char *const status_names[] = {
        "OK",        "CANCELLED",       "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
        "NOT_FOUND", "ALREADY_EXISTS",  "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
        "ABORTED",   "OUT_OF_RANGE",    "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
        "DATA_LOSS", "UNAUTHENTICATED",
};

const char *grpc_status_name(int status) {
        if (status < 0 || (size_t) status >= ARRAY_SIZE(status_names))
                return "UNKNOWN_STATUS";
        return status_names[status];
}

int grpc_status_to_errno(int status) {
        switch (status) {
        case 0:
                return 0;
        case 1: /* CANCELLED */
                return -ECANCELED;
        case 3: /* INVALID_ARGUMENT */
        case 11: /* OUT_OF_RANGE */
                return -EINVAL;
        case 4: /* DEADLINE_EXCEEDED */
                return -ETIMEDOUT;
        case 5: /* NOT_FOUND */
                return -ENOENT;
        case 6: /* ALREADY_EXISTS */
                return -EEXIST;
        case 7: /* PERMISSION_DENIED */
        case 16: /* UNAUTHENTICATED */
                return -EACCES;
        case 8: /* RESOURCE_EXHAUSTED */
                return -ENOSPC;
        case 9: /* FAILED_PRECONDITION */
        case 10: /* ABORTED */
                return -EBUSY;
        case 12: /* UNIMPLEMENTED */
                return -EOPNOTSUPP;
        case 14: /* UNAVAILABLE */
                return -ECONNREFUSED;
        default: /* UNKNOWN, INTERNAL, DATA_LOSS and codes we don't know */
                return -EPROTO;
        }
}

void grpc_set_error(GrpcConn *c, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->error, sizeof(c->error), fmt, ap);
        va_end(ap);
}

void grpc_set_timeout(GrpcConn *c, uint64_t usec) {
        c->timeout_usec = usec ? usec : GRPC_DEFAULT_TIMEOUT_USEC;
}

const char *grpc_error(const GrpcConn *c) {
        return c->error;
}

int grpc_status(const GrpcConn *c) {
        return c->last_status;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* grpc-message is percent-encoded (gRPC's PROTOCOL-HTTP2 document). */
static int hex_digit(uint8_t ch) {
        if (ch >= '0' && ch <= '9')
                return ch - '0';
        if (ch >= 'a' && ch <= 'f')
                return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F')
                return ch - 'A' + 10;
        return -1;
}

static char *percent_decode(const uint8_t *s, size_t n) {
        char *out = malloc(n + 1), *o = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                int hi, lo;
                if (s[i] == '%' && i + 2 < n && (hi = hex_digit(s[i + 1])) >= 0 &&
                    (lo = hex_digit(s[i + 2])) >= 0) {
                        *o++ = (char) (hi << 4 | lo);
                        i += 2;
                } else
                        *o++ = (char) s[i];
        }
        *o = 0;
        return out;
}

static ssize_t send_cb(nghttp2_session *session, const uint8_t *data, size_t length, int flags,
                       void *userdata) {
        GrpcConn *c = userdata;
        ssize_t n = send(c->fd, data, length, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return NGHTTP2_ERR_WOULDBLOCK;
                c->io_error = -errno;
                return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
        return n;
}

static Call *call_of(GrpcConn *c, int32_t stream_id) {
        return c->call && c->call->stream_id == stream_id ? c->call : NULL;
}

static int header_cb(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *userdata) {
        Call *call = call_of(userdata, frame->hd.stream_id);
        if (!call || frame->hd.type != NGHTTP2_HEADERS)
                return 0;
#define IS(n) (namelen == strlen(n) && memcmp(name, n, namelen) == 0)
        if (IS(":status")) {
                call->http_status = 0;
                for (size_t i = 0; i < valuelen && i < 3; i++)
                        call->http_status = call->http_status * 10 + (value[i] - '0');
        } else if (IS("content-type"))
                call->grpc_content_type = valuelen >= 16 && memcmp(value, "application/grpc", 16) == 0;
        else if (IS("grpc-status")) {
                call->grpc_status = 0;
                for (size_t i = 0; i < valuelen && i < 4; i++) {
                        if (value[i] < '0' || value[i] > '9') {
                                call->grpc_status = 2; /* UNKNOWN */
                                break;
                        }
                        call->grpc_status = call->grpc_status * 10 + (value[i] - '0');
                }
        } else if (IS("grpc-message")) {
                free(call->grpc_message);
                call->grpc_message = percent_decode(value, valuelen);
                if (!call->grpc_message)
                        call->error = -ENOMEM;
        }
#undef IS
        return 0;
}

static int data_cb(nghttp2_session *session, uint8_t flags, int32_t stream_id, const uint8_t *data,
                   size_t len, void *userdata) {
        Call *call = call_of(userdata, stream_id);
        if (!call || call->error < 0)
                return 0;
        if (call->data_len + len > GRPC_MAX_RESPONSE + 5) {
                call->error = -EMSGSIZE;
                nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
                return 0;
        }
        if (call->data_len + len > call->data_alloc) {
                size_t want = call->data_alloc ? call->data_alloc : 4096;
                while (want < call->data_len + len)
                        want *= 2;
                uint8_t *p = realloc(call->data, want);
                if (!p) {
                        call->error = -ENOMEM;
                        return 0;
                }
                call->data = p;
                call->data_alloc = want;
        }
        memcpy(call->data + call->data_len, data, len);
        call->data_len += len;
        return 0;
}

static int close_cb(nghttp2_session *session, int32_t stream_id, uint32_t error_code, void *userdata) {
        Call *call = call_of(userdata, stream_id);
        if (call) {
                call->closed = true;
                call->close_error = error_code;
        }
        return 0;
}

static ssize_t body_read(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                         uint32_t *data_flags, nghttp2_data_source *source, void *userdata) {
        Call *call = source->ptr;
        if (call->fill) {
                bool eof = false;
                ssize_t n = call->fill(call->fill_data, buf, length, &eof);
                if (n < 0) {
                        call->error = (int) n;
                        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets the stream */
                }
                if (eof)
                        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
                return n;
        }
        size_t n = call->body_len - call->body_sent;
        if (n > length)
                n = length;
        memcpy(buf, call->body + call->body_sent, n);
        call->body_sent += n;
        if (call->body_sent == call->body_len)
                *data_flags |= NGHTTP2_DATA_FLAG_EOF;
        return (ssize_t) n;
}

int grpc_connect(const char *path, const char *namespace, GrpcConn **ret) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);

        GrpcConn *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->fd = -EBADF;
        c->last_status = -1;
        c->timeout_usec = GRPC_DEFAULT_TIMEOUT_USEC;
        if (namespace && !(c->namespace = strdup(namespace))) {
                grpc_close(c);
                return -ENOMEM;
        }
        c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->fd < 0 || connect(c->fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = -errno;
                grpc_close(c);
                return r;
        }

        nghttp2_session_callbacks *cbs;
        if (nghttp2_session_callbacks_new(&cbs) != 0) {
                grpc_close(c);
                return -ENOMEM;
        }
        nghttp2_session_callbacks_set_send_callback(cbs, send_cb);
        nghttp2_session_callbacks_set_on_header_callback(cbs, header_cb);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, data_cb);
        nghttp2_session_callbacks_set_on_stream_close_callback(cbs, close_cb);
        int r = nghttp2_session_client_new(&c->session, cbs, c);
        nghttp2_session_callbacks_del(cbs);
        if (r != 0) {
                grpc_close(c);
                return -ENOMEM;
        }
        /* The client preface: SETTINGS, with a window large enough that an
         * answer of a few MiB does not wait for WINDOW_UPDATEs. */
        nghttp2_settings_entry settings[] = {
                { NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
                { NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 4 * 1024 * 1024 },
        };
        if (nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings, ARRAY_SIZE(settings)) != 0) {
                grpc_close(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

GrpcConn *grpc_close(GrpcConn *c) {
        if (!c)
                return NULL;
        if (c->session)
                nghttp2_session_del(c->session);
        safe_close(c->fd);
        free(c->namespace);
        free(c->header_name);
        free(c->header_value);
        free(c);
        return NULL;
}

/* Sends what nghttp2 has queued and reads what the server sends until the
 * call's stream closes, the deadline passes or the connection fails. */
static int pump(GrpcConn *c, Call *call, uint64_t deadline) {
        uint8_t buf[16384];
        while (!call->closed) {
                if (nghttp2_session_send(c->session) != 0)
                        return c->io_error < 0 ? c->io_error : -EIO;
                if (call->closed)
                        break;
                uint64_t now = now_usec();
                if (now >= deadline)
                        return -ETIMEDOUT;
                struct pollfd p = { .fd = c->fd, .events = POLLIN };
                if (nghttp2_session_want_write(c->session))
                        p.events |= POLLOUT;
                uint64_t left_ms = (deadline - now + 999) / 1000;
                int r = poll(&p, 1, left_ms > 60000 ? 60000 : (int) left_ms);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (r == 0)
                        continue;
                if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
                        ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
                        if (n < 0) {
                                if (errno == EAGAIN || errno == EINTR)
                                        continue;
                                return -errno;
                        }
                        if (n == 0)
                                return -ECONNRESET;
                        ssize_t m = nghttp2_session_mem_recv(c->session, buf, (size_t) n);
                        if (m < 0) {
                                grpc_set_error(c, "HTTP/2: %s", nghttp2_strerror((int) m));
                                return -EPROTO;
                        }
                }
        }
        return 0;
}

int grpc_set_header(GrpcConn *c, const char *name, const char *value) {
        char *n = NULL, *v = NULL;
        if (name && value && (!(n = strdup(name)) || !(v = strdup(value)))) {
                free(n);
                return -ENOMEM;
        }
        free(c->header_name);
        free(c->header_value);
        c->header_name = n;
        c->header_value = v;
        return 0;
}

/* One call: the request from `body` or `fill`; the answer unpacked with
 * `resp_desc`, or with none only its status looked at. */
static int call_run(GrpcConn *c, const char *method, const uint8_t *body, size_t body_len, GrpcProducer fill,
                    void *fill_data, const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp,
                    uint64_t timeout_usec) {
        c->error[0] = 0;
        c->last_status = -1;
        if (timeout_usec == 0)
                timeout_usec = c->timeout_usec;
        if (!c->session) {
                grpc_set_error(c, "connection unusable after an earlier error");
                return -ENOTCONN;
        }

        char timeout[24];
        uint64_t ms = (timeout_usec + 999) / 1000;
        snprintf(timeout, sizeof(timeout), "%" PRIu64 "m", ms > 99999999 ? 99999999 : ms);
#define NV(n, v) { (uint8_t *) (n), (uint8_t *) (v), strlen(n), strlen(v), NGHTTP2_NV_FLAG_NONE }
        nghttp2_nv headers[] = {
                NV(":method", "POST"),
                NV(":scheme", "http"),
                NV(":path", method),
                NV(":authority", "containerd"),
                NV("content-type", "application/grpc"),
                NV("te", "trailers"),
                NV("grpc-timeout", timeout),
                NV("containerd-namespace", c->namespace ? c->namespace : ""),
                NV(strempty(c->header_name), strempty(c->header_value)),
        };
#undef NV
        size_t n_headers = ARRAY_SIZE(headers) - 2;
        if (c->namespace)
                headers[n_headers++] = headers[ARRAY_SIZE(headers) - 2];
        if (c->header_name)
                headers[n_headers++] = headers[ARRAY_SIZE(headers) - 1];

        Call call = {
                .body = body,
                .body_len = body_len,
                .fill = fill,
                .fill_data = fill_data,
                .grpc_status = -1,
        };
        nghttp2_data_provider provider = { .source.ptr = &call, .read_callback = body_read };
        call.stream_id = nghttp2_submit_request(c->session, NULL, headers, n_headers, &provider, &call);
        if (call.stream_id < 0) {
                grpc_set_error(c, "HTTP/2: %s", nghttp2_strerror(call.stream_id));
                return -EPROTO;
        }
        c->call = &call;
        int r = pump(c, &call, now_usec() + timeout_usec);
        c->call = NULL;

        if (r == -ETIMEDOUT && !call.closed) {
                /* Cancel the stream; the connection stays usable. */
                nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, call.stream_id, NGHTTP2_CANCEL);
                (void) nghttp2_session_send(c->session);
                grpc_set_error(c, "%s: no answer within %" PRIu64 " ms", method, ms);
        } else if (r < 0) {
                if (!c->error[0])
                        grpc_set_error(c, "%s: %s", method, strerror(-r));
                /* The connection's state is unknown: refuse further calls. */
                nghttp2_session_del(c->session);
                c->session = NULL;
        } else if (call.error < 0) {
                r = call.error;
                grpc_set_error(c, "%s: %s", method,
                               r == -EMSGSIZE ? "answer larger than the limit" : strerror(-r));
        } else if (call.grpc_status > 0) {
                c->last_status = call.grpc_status;
                r = grpc_status_to_errno(call.grpc_status);
                grpc_set_error(c, "%s: %s: %s", method, grpc_status_name(call.grpc_status),
                               call.grpc_message ? call.grpc_message : "(no grpc-message)");
        } else if (call.http_status != 200) {
                r = -EPROTO;
                grpc_set_error(c, "%s: HTTP status %d", method, call.http_status);
        } else if (call.grpc_status < 0 || call.close_error != 0) {
                r = -EPROTO;
                grpc_set_error(c, "%s: stream ended without grpc-status (HTTP/2 error %u)", method,
                               call.close_error);
        } else if (!call.grpc_content_type) {
                r = -EPROTO;
                grpc_set_error(c, "%s: answer is not application/grpc", method);
        } else if (!resp_desc) {
                c->last_status = 0; /* a stream's answers are not looked at */
        } else if (call.data_len < 5) {
                r = -EPROTO;
                grpc_set_error(c, "%s: answer holds no gRPC message", method);
        } else {
                uint32_t mlen = (uint32_t) call.data[1] << 24 | (uint32_t) call.data[2] << 16 |
                                (uint32_t) call.data[3] << 8 | call.data[4];
                c->last_status = 0;
                if (call.data[0] != 0) {
                        r = -EPROTO;
                        grpc_set_error(c, "%s: answer is compressed, which was not asked for", method);
                } else if ((size_t) mlen + 5 != call.data_len) {
                        r = -EPROTO;
                        grpc_set_error(c, "%s: answer's frame says %" PRIu32 " bytes, %zu came", method,
                                       mlen, call.data_len - 5);
                } else {
                        *resp = protobuf_c_message_unpack(resp_desc, NULL, mlen, call.data + 5);
                        if (!*resp) {
                                r = -EBADMSG;
                                grpc_set_error(c, "%s: answer is not a valid %s", method, resp_desc->name);
                        }
                }
        }
        free(call.data);
        free(call.grpc_message);
        return r;
}

int grpc_call(GrpcConn *c, const char *method, const ProtobufCMessage *req,
              const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp, uint64_t timeout_usec) {
        /* The request: one gRPC frame (uncompressed flag, big-endian length,
         * the message). */
        size_t len = protobuf_c_message_get_packed_size(req);
        if (len > UINT32_MAX - 5)
                return -EMSGSIZE;
        _cleanup_free_ uint8_t *body = malloc(len + 5);
        if (!body)
                return -ENOMEM;
        grpc_frame_header(body, len);
        protobuf_c_message_pack(req, body + 5);
        return call_run(c, method, body, len + 5, NULL, NULL, resp_desc, resp, timeout_usec);
}

int grpc_call_stream(GrpcConn *c, const char *method, GrpcProducer fill, void *fill_data,
                     uint64_t timeout_usec) {
        return call_run(c, method, NULL, 0, fill, fill_data, NULL, NULL, timeout_usec);
}

void grpc_frame_header(uint8_t out[static 5], size_t len) {
        out[0] = 0;
        out[1] = (uint8_t) (len >> 24);
        out[2] = (uint8_t) (len >> 16);
        out[3] = (uint8_t) (len >> 8);
        out[4] = (uint8_t) len;
}
