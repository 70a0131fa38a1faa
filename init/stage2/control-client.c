/* SPDX-License-Identifier: MIT */
#include "control-client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "macro.h"
#include "control-request.h"

/* A status of many services stays far below this. */
#define REPLY_MAX (1024 * 1024)

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += w;
                n -= (size_t) w;
        }
        return 0;
}

int control_call(json_object *request, int timeout_ms, json_object **ret_reply) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = CONTROL_SOCKET_PATH };
        struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, size = 0;
        const char *text;
        json_object *reply;
        int r;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        text = json_object_to_json_string_ext(request, JSON_C_TO_STRING_PLAIN);
        r = write_all(fd, text, strlen(text));
        if (r >= 0)
                r = write_all(fd, "\n", 1);
        /* PID 1 may have answered and closed before reading (a refusal):
         * its answer is still there to read, and says more than EPIPE. */
        if (r < 0 && r != -EPIPE && r != -ECONNRESET)
                return r;
        for (;;) {
                if (len + 4096 > size) {
                        if (size >= REPLY_MAX)
                                return -EMSGSIZE;
                        char *grown = realloc(buf, size + 65536);
                        if (!grown)
                                return -ENOMEM;
                        buf = grown;
                        size += 65536;
                }
                ssize_t n = recv(fd, buf + len, size - len - 1, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN ? -ETIMEDOUT : -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (memchr(buf + len - (size_t) n, '\n', (size_t) n))
                        break;
        }
        if (len == 0)
                return r < 0 ? r : -ECONNRESET;
        buf[len] = 0;
        reply = json_tokener_parse(buf);
        if (!reply || !json_object_is_type(reply, json_type_object)) {
                json_object_put(reply);
                return -EBADMSG;
        }
        *ret_reply = reply;
        return 0;
}
