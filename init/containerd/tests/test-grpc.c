/* SPDX-License-Identifier: MIT */
/* The gRPC client against a small HTTP/2 server (libnghttp2's server side)
 * in a child, for the answers containerd does not give on demand: a status
 * with a percent-encoded grpc-message, an answer over the size limit, an
 * HTTP error without gRPC trailers, a frame that lies about its length, a
 * trailers-only answer, a good answer after a failed one on the same
 * connection. The method's name chooses the answer. */

#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../lib/tests/tap.h"
#include "macro.h"
#include "grpc.h"
#include "github.com/containerd/containerd/api/services/version/v1/version.pb-c.h"
#include "google/protobuf/empty.pb-c.h"

typedef struct {
        int fd;
        char path[64];
        uint8_t *body;
        size_t body_len, body_sent;
} Server;

static ssize_t srv_send(nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *u) {
        Server *srv = u;
        ssize_t n = write(srv->fd, data, len);
        return n < 0 ? NGHTTP2_ERR_CALLBACK_FAILURE : n;
}

static int srv_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t namelen,
                      const uint8_t *value, size_t valuelen, uint8_t flags, void *u) {
        Server *srv = u;
        if (namelen == 5 && memcmp(name, ":path", 5) == 0)
                snprintf(srv->path, sizeof(srv->path), "%.*s", (int) valuelen, value);
        return 0;
}

static ssize_t srv_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                        nghttp2_data_source *src, void *u) {
        Server *srv = u;
        size_t n = srv->body_len - srv->body_sent;
        if (n > len)
                n = len;
        memcpy(buf, srv->body + srv->body_sent, n);
        srv->body_sent += n;
        if (srv->body_sent == srv->body_len) {
                *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
                nghttp2_nv trailers[] = {
                        { (uint8_t *) "grpc-status", (uint8_t *) "0", 11, 1, 0 },
                };
                nghttp2_submit_trailer(s, id, trailers, 1);
        }
        return (ssize_t) n;
}

#define NV(n, v) \
        { (uint8_t *) (n), (uint8_t *) (v), strlen(n), strlen(v), NGHTTP2_NV_FLAG_NONE }

/* The answer for srv->path, once the request has ended. */
static void respond(nghttp2_session *s, Server *srv, int32_t id) {
        nghttp2_data_provider body = { .read_callback = srv_body };
        nghttp2_nv ok_headers[] = { NV(":status", "200"), NV("content-type", "application/grpc") };
        free(srv->body);
        srv->body = NULL;
        srv->body_sent = 0;
        if (strstr(srv->path, "/Status")) {
                nghttp2_nv h[] = { NV(":status", "200"), NV("content-type", "application/grpc"),
                                   NV("grpc-status", "5"),
                                   NV("grpc-message", "no such thing: 100%25 gone%0A%zz") };
                nghttp2_submit_response(s, id, h, ARRAY_SIZE(h), NULL);
        } else if (strstr(srv->path, "/Http503")) {
                nghttp2_nv h[] = { NV(":status", "503") };
                nghttp2_submit_response(s, id, h, ARRAY_SIZE(h), NULL);
        } else if (strstr(srv->path, "/Huge") || strstr(srv->path, "/Lying") || strstr(srv->path, "/Good")) {
                Containerd__Services__Version__V1__VersionResponse v =
                        CONTAINERD__SERVICES__VERSION__V1__VERSION_RESPONSE__INIT;
                size_t n = strstr(srv->path, "/Huge") ? GRPC_MAX_RESPONSE + 100 : 10;
                char *text = malloc(n + 1);
                memset(text, 'v', n);
                text[n] = 0;
                v.version = text;
                v.revision = (char *) "r1";
                size_t len = protobuf_c_message_get_packed_size(&v.base);
                srv->body = malloc(len + 5);
                srv->body_len = len + 5;
                uint32_t claimed = strstr(srv->path, "/Lying") ? (uint32_t) len + 7 : (uint32_t) len;
                srv->body[0] = 0;
                srv->body[1] = (uint8_t) (claimed >> 24);
                srv->body[2] = (uint8_t) (claimed >> 16);
                srv->body[3] = (uint8_t) (claimed >> 8);
                srv->body[4] = (uint8_t) claimed;
                protobuf_c_message_pack(&v.base, srv->body + 5);
                free(text);
                nghttp2_submit_response(s, id, ok_headers, ARRAY_SIZE(ok_headers), &body);
        }
        /* /Silent: no answer at all */
}

static int srv_frame(nghttp2_session *s, const nghttp2_frame *f, void *u) {
        if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
            (f->hd.flags & NGHTTP2_FLAG_END_STREAM))
                respond(s, u, f->hd.stream_id);
        return 0;
}

static _noreturn_ void serve(int listen_fd) {
        Server srv = { .fd = accept(listen_fd, NULL, NULL) };
        nghttp2_session_callbacks *cbs;
        nghttp2_session *s;
        nghttp2_session_callbacks_new(&cbs);
        nghttp2_session_callbacks_set_send_callback(cbs, srv_send);
        nghttp2_session_callbacks_set_on_header_callback(cbs, srv_header);
        nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, srv_frame);
        nghttp2_session_server_new(&s, cbs, &srv);
        nghttp2_session_callbacks_del(cbs);
        nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, NULL, 0);
        uint8_t buf[16384];
        for (;;) {
                if (nghttp2_session_send(s) != 0)
                        break;
                ssize_t n = read(srv.fd, buf, sizeof(buf));
                if (n <= 0 || nghttp2_session_mem_recv(s, buf, (size_t) n) < 0)
                        break;
        }
        nghttp2_session_del(s);
        free(srv.body);
        _exit(0);
}

static int call(GrpcConn *c, const char *method, ProtobufCMessage **resp, uint64_t timeout) {
        Google__Protobuf__Empty req = GOOGLE__PROTOBUF__EMPTY__INIT;
        *resp = NULL;
        return grpc_call(c, method, &req.base,
                         &containerd__services__version__v1__version_response__descriptor, resp, timeout);
}

/* A client stream of `left` empty messages, or an error after the first. */
typedef struct {
        int left;
        bool fail;
} Stream;

static ssize_t stream_fill(void *data, uint8_t *buf, size_t len, bool *eof) {
        Stream *st = data;
        if (st->fail && st->left < 3)
                return -EBADMSG;
        grpc_frame_header(buf, 0);
        if (--st->left == 0)
                *eof = true;
        return 5;
}

int main(void) {
        char dir[] = "/tmp/test-grpc.XXXXXX", path[64];
        if (!mkdtemp(dir))
                return 1;
        snprintf(path, sizeof(path), "%s/s", dir);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        strcpy(sa.sun_path, path);
        int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (l < 0 || bind(l, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(l, 1) < 0)
                return 1;
        pid_t pid = fork();
        if (pid == 0)
                serve(l);
        close(l);

        GrpcConn *c = NULL;
        ProtobufCMessage *resp;
        int r = grpc_connect(path, "testns", &c);
        ok(r == 0, "connect (%d)", r);

        r = call(c, "/t.T/Good", &resp, 0);
        ok(r == 0 && resp &&
                   streq(((Containerd__Services__Version__V1__VersionResponse *) resp)->revision, "r1"),
           "a good answer is unpacked (%d: %s)", r, grpc_error(c));
        if (resp)
                protobuf_c_message_free_unpacked(resp, NULL);
        ok(grpc_status(c) == 0, "its status is OK");

        r = call(c, "/t.T/Status", &resp, 0);
        ok(r == -ENOENT && !resp, "grpc-status 5 is -ENOENT (%d)", r);
        ok(streq(grpc_error(c), "/t.T/Status: NOT_FOUND: no such thing: 100% gone\n%zz"),
           "grpc-message is percent-decoded, a bad escape kept as it is");
        ok(grpc_status(c) == 5, "grpc_status() is 5");

        r = call(c, "/t.T/Huge", &resp, 0);
        ok(r == -EMSGSIZE && !resp, "an answer over %u bytes is refused: -EMSGSIZE (%d: %s)",
           GRPC_MAX_RESPONSE, r, grpc_error(c));

        r = call(c, "/t.T/Http503", &resp, 0);
        ok(r == -EPROTO && strstr(grpc_error(c), "HTTP status 503"), "HTTP 503 without gRPC status (%d: %s)",
           r, grpc_error(c));

        r = call(c, "/t.T/Lying", &resp, 0);
        ok(r == -EPROTO && strstr(grpc_error(c), "frame says"), "a frame longer than its data (%d: %s)", r,
           grpc_error(c));

        r = call(c, "/t.T/Silent", &resp, 200000);
        ok(r == -ETIMEDOUT && strstr(grpc_error(c), "no answer within 200 ms"),
           "no answer: -ETIMEDOUT (%d: %s)", r, grpc_error(c));

        Stream st = { .left = 3 };
        r = grpc_call_stream(c, "/t.T/Good", stream_fill, &st, 0);
        ok(r == 0 && st.left == 0, "a client stream of three messages, then the status (%d: %s)", r,
           grpc_error(c));
        st = (Stream){ .left = 3, .fail = true };
        r = grpc_call_stream(c, "/t.T/Good", stream_fill, &st, 0);
        ok(r == -EBADMSG, "a producer's error ends the call with it (%d: %s)", r, grpc_error(c));

        ok(grpc_set_header(c, "containerd-lease", "l1") == 0, "an extra header is set");
        r = call(c, "/t.T/Good", &resp, 0);
        ok(r == 0, "the connection still works after each of those (%d: %s)", r, grpc_error(c));
        if (resp)
                protobuf_c_message_free_unpacked(resp, NULL);
        ok(streq(grpc_error(c), ""), "and a success clears the error");

        grpc_close(c);
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        unlink(path);
        rmdir(dir);

        ok(grpc_connect("/nonexistent/socket", NULL, &c) == -ENOENT, "a missing socket: -ENOENT");
        ok(grpc_status_to_errno(14) == -ECONNREFUSED && grpc_status_to_errno(6) == -EEXIST &&
                   grpc_status_to_errno(99) == -EPROTO && streq(grpc_status_name(16), "UNAUTHENTICATED"),
           "status codes map to errnos and names");
        return tap_done();
}
