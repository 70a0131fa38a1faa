/* SPDX-License-Identifier: MIT */

/* The control socket's server (control.h). Each connection has an input
 * buffer of one line (CONTROL_LINE_MAX) and an output buffer of bounded
 * size; a connection that overflows either, or says nothing for
 * CONTROL_IDLE_USEC, is closed. At most CONTROL_CONNECTIONS_MAX at once:
 * one more is told so and closed. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "macro.h"
#include "console.h"
#include "control.h"
#include "fs-util.h"
#include "manager.h"

#define CONTROL_CONNECTIONS_MAX 16
#define CONTROL_OUTPUT_MAX (256 * 1024)
#define CONTROL_IDLE_USEC (10ULL * 1000000ULL)

typedef struct Connection {
        struct ControlServer *server;
        int fd;
        sd_event_source *io, *idle;
        char in[CONTROL_LINE_MAX];
        size_t in_len;
        char *out;
        size_t out_len;
        bool closing; /* no more requests: close once out is written */
        bool eof; /* the client closed its side */
        bool shut; /* our side is shut: reading only to drain the client */
        struct Connection *next;
} Connection;

typedef struct ControlServer {
        Manager *manager;
        int fd;
        sd_event_source *listen;
        Connection *connections;
        unsigned n_connections;
} ControlServer;

static void connection_free(Connection *c) {
        ControlServer *srv = c->server;

        for (Connection **p = &srv->connections; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        break;
                }
        srv->n_connections--;
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->idle);
        safe_close(c->fd);
        free(c->out);
        free(c);
}

static void connection_update_events(Connection *c) {
        (void) sd_event_source_set_io_events(c->io, (c->eof ? 0 : EPOLLIN) | (c->out_len ? EPOLLOUT : 0));
}

/* Queues one response line; a client that reads nothing overflows and goes. */
static int connection_send(Connection *c, json_object *reply) {
        const char *text = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
        size_t n;
        char *grown;

        if (!text)
                return -ENOMEM;
        n = strlen(text);
        if (c->out_len + n + 1 > CONTROL_OUTPUT_MAX)
                return -ENOBUFS;
        grown = realloc(c->out, c->out_len + n + 1);
        if (!grown)
                return -ENOMEM;
        c->out = grown;
        memcpy(c->out + c->out_len, text, n);
        c->out[c->out_len + n] = '\n';
        c->out_len += n + 1;
        return 0;
}

static json_object *error_reply(const char *why) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "error", json_object_new_string(why));
        return o;
}

static json_object *handle(Manager *m, const ControlRequest *req) {
        switch (req->method) {
        case CONTROL_STATUS:
                return control_status(m);
        case CONTROL_NETWORK_UP: {
                json_object *o = json_object_new_object();
                manager_network_up(m, req->interface, req->address);
                json_object_object_add(o, "ok", json_object_new_boolean(true));
                return o;
        }
        case CONTROL_RELOAD: {
                /* Fetched and applied in the background: the console, and
                 * status's state, say how it ended. */
                json_object *o;
                int r = state_fetch_again(m);
                if (r == -ENOENT)
                        return error_reply("this boot names no host state source");
                if (r < 0)
                        return error_reply(strerror(-r));
                o = json_object_new_object();
                json_object_object_add(o, "ok", json_object_new_boolean(true));
                return o;
        }
        default:
                return error_reply("unknown method");
        }
}

static void connection_line(Connection *c, const char *line, size_t n) {
        ControlRequest req;
        char why[160];
        json_object *reply;

        if (control_request_parse(line, n, &req, why, sizeof(why)) < 0)
                reply = error_reply(why);
        else
                reply = handle(c->server->manager, &req);
        if (!reply || connection_send(c, reply) < 0)
                c->closing = true;
        json_object_put(reply);
}

static int connection_flush(Connection *c) {
        while (c->out_len > 0) {
                ssize_t n = send(c->fd, c->out, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR ? 0 : -errno;
                memmove(c->out, c->out + n, c->out_len - (size_t) n);
                c->out_len -= (size_t) n;
        }
        return 0;
}

static int on_idle(sd_event_source *es, uint64_t usec, void *userdata) {
        connection_free(userdata);
        return 0;
}

static int on_connection(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Connection *c = userdata;

        if (revents & EPOLLIN) {
                ssize_t n = recv(fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                        /* The client is done sending: answer what it asked, then close. */
                        c->eof = c->closing = true;
                } else if (n > 0 && c->closing) {
                        /* Refused: what it still sends is read and dropped, so that
                         * closing does not reset the connection before it reads why. */
                        c->in_len = 0;
                } else if (n > 0) {
                        char *start = c->in, *nl;
                        c->in_len += (size_t) n;
                        while (!c->closing &&
                               (nl = memchr(start, '\n', c->in_len - (size_t) (start - c->in)))) {
                                connection_line(c, start, (size_t) (nl - start));
                                start = nl + 1;
                        }
                        c->in_len -= (size_t) (start - c->in);
                        memmove(c->in, start, c->in_len);
                        if (c->in_len == sizeof(c->in)) {
                                json_object *e = error_reply("request longer than 4095 bytes");
                                (void) connection_send(c, e);
                                json_object_put(e);
                                c->closing = true;
                                c->in_len = 0;
                        }
                }
                /* Idle is counted from the last thing the client sent. */
                uint64_t now = 0;
                (void) sd_event_now(c->server->manager->event, CLOCK_MONOTONIC, &now);
                (void) sd_event_source_set_time(c->idle, now + CONTROL_IDLE_USEC);
        }
        if ((revents & EPOLLERR) || connection_flush(c) < 0 || (c->closing && c->out_len == 0 && c->eof)) {
                connection_free(c);
                return 0;
        }
        if (c->closing && c->out_len == 0 && !c->shut) {
                (void) shutdown(c->fd, SHUT_WR);
                c->shut = true;
        }
        connection_update_events(c);
        return 0;
}

static void refuse(int fd, const char *why) {
        char line[160];
        int n = snprintf(line, sizeof(line), "{\"error\":\"%s\"}\n", why);

        (void) send(fd, line, (size_t) n, MSG_DONTWAIT | MSG_NOSIGNAL);
        close(fd);
}

static int on_accept(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        ControlServer *srv = userdata;
        struct ucred cred;
        socklen_t len = sizeof(cred);
        Connection *c;
        uint64_t now = 0;
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (cfd < 0)
                return 0;
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
                refuse(cfd, "permission denied: the control socket is for root only");
                return 0;
        }
        if (srv->n_connections >= CONTROL_CONNECTIONS_MAX) {
                refuse(cfd, "too many connections");
                return 0;
        }
        c = calloc(1, sizeof(Connection));
        if (!c) {
                close(cfd);
                return 0;
        }
        c->server = srv;
        c->fd = cfd;
        c->next = srv->connections;
        srv->connections = c;
        srv->n_connections++;
        (void) sd_event_now(srv->manager->event, CLOCK_MONOTONIC, &now);
        if (sd_event_add_io(srv->manager->event, &c->io, cfd, EPOLLIN, on_connection, c) < 0 ||
            sd_event_add_time(srv->manager->event, &c->idle, CLOCK_MONOTONIC, now + CONTROL_IDLE_USEC, 0,
                              on_idle, c) < 0)
                connection_free(c);
        return 0;
}

int control_install(Manager *m) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = CONTROL_SOCKET_PATH };
        ControlServer *srv;
        int r;

        srv = calloc(1, sizeof(ControlServer));
        if (!srv)
                return -ENOMEM;
        srv->manager = m;
        (void) mkdir_p("/run/berth", 0755);
        (void) unlink(CONTROL_SOCKET_PATH);
        srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (srv->fd < 0) {
                r = -errno;
                free(srv);
                return r;
        }
        /* Root only: the kernel refuses anyone else's connect() (EACCES), so
         * nobody else can keep PID 1 busy or fill the backlog; SO_PEERCRED
         * is checked all the same. chmod before listen(): until then a
         * connect() is refused anyway. */
        if (bind(srv->fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || chmod(CONTROL_SOCKET_PATH, 0600) < 0 ||
            listen(srv->fd, 16) < 0) {
                r = -errno;
                close(srv->fd);
                free(srv);
                return r;
        }
        r = sd_event_add_io(m->event, &srv->listen, srv->fd, EPOLLIN, on_accept, srv);
        if (r < 0) {
                close(srv->fd);
                free(srv);
                return r;
        }
        m->control = srv;
        return 0;
}
