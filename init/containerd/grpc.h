/* SPDX-License-Identifier: MIT */
#pragma once

/* A unary gRPC client over HTTP/2 without TLS ("h2c" with prior knowledge)
 * on a unix socket: what containerd's API needs, and nothing more. One call
 * at a time per connection; each call blocks until its answer, its deadline
 * or an error (a caller that must not block runs it in a child). */

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

typedef struct GrpcConn GrpcConn;

/* Answers larger than this are refused (-EMSGSIZE). */
#define GRPC_MAX_RESPONSE (16U * 1024 * 1024)

/* Connects to the socket at `path`. `namespace`, when not NULL, travels as
 * the `containerd-namespace` header of every call. */
int grpc_connect(const char *path, const char *namespace, GrpcConn **ret);
GrpcConn *grpc_close(GrpcConn *c);

/* Calls `method` ("/pkg.Service/Method") with `req`; on success `*resp` is
 * the answer unpacked with `resp_desc` (free it with
 * protobuf_c_message_free_unpacked()). A `timeout_usec` of 0 is the
 * connection's (grpc_set_timeout(), 30 s unless set). Returns 0 or a negative errno: a
 * gRPC status maps to the nearest errno (NOT_FOUND -ENOENT, ALREADY_EXISTS
 * -EEXIST, INVALID_ARGUMENT -EINVAL, DEADLINE_EXCEEDED -ETIMEDOUT,
 * UNAVAILABLE -ECONNREFUSED, ...; others -EPROTO), the passing of
 * `timeout_usec` is -ETIMEDOUT. After an error grpc_error() says what
 * happened, with the server's grpc-message when it sent one. */
int grpc_call(GrpcConn *c, const char *method, const ProtobufCMessage *req,
              const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp, uint64_t timeout_usec);

#define GRPC_DEFAULT_TIMEOUT_USEC (30ULL * 1000000)
void grpc_set_timeout(GrpcConn *c, uint64_t usec);

/* The last call's error, "" after a success. */
const char *grpc_error(const GrpcConn *c);
/* A client stream: `fill` writes up to `len` bytes of gRPC frames (each
 * message behind grpc_frame_header()) into `buf` and returns how many (at
 * least one), sets `*eof` with the last, or returns a negative errno
 * to abandon the call. The server's answers are not kept: only its final
 * status counts (content.Write's). */
typedef ssize_t (*GrpcProducer)(void *data, uint8_t *buf, size_t len, bool *eof);
int grpc_call_stream(GrpcConn *c, const char *method, GrpcProducer fill, void *data, uint64_t timeout_usec);
void grpc_frame_header(uint8_t out[static 5], size_t len);

/* One more header for every call, e.g. `containerd-lease`; NULL removes it. */
int grpc_set_header(GrpcConn *c, const char *name, const char *value);

/* Replaces the error text (for a caller that undoes a failed step and
 * keeps the failure's words). */
_printf_(2, 3) void grpc_set_error(GrpcConn *c, const char *fmt, ...);
/* The last call's gRPC status (0 for OK, -1 when none was received). */
int grpc_status(const GrpcConn *c);

/* The errno for a gRPC status code, and its name. */
int grpc_status_to_errno(int status);
const char *grpc_status_name(int status);

static inline void grpc_closep(GrpcConn **c) {
        if (*c)
                *c = grpc_close(*c);
}
#define _cleanup_grpc_ _cleanup_(grpc_closep)
