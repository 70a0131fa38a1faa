/* SPDX-License-Identifier: MIT */

/* Services' output on the console, a line at a time, as
 *   [   2.314] containerd: <line>
 * so it never interleaves mid-line with berth's own lines. */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "console.h"
#include "manager.h"

/* A container's escape sequences do not reach the terminal. */
static void emit(Service *s, char *line, size_t len) {
        console_scrub(line, len);
        printf("[%8.3f] %s: %.*s\n", uptime(), s->spec->name, (int) len, line);
}

static int on_output(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Service *s = userdata;
        ssize_t n = read(fd, s->linebuf + s->linelen, sizeof(s->linebuf) - s->linelen);

        if (n <= 0) {
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                        return 0;
                if (s->linelen > 0)
                        emit(s, s->linebuf, s->linelen);
                s->linelen = 0;
                s->output = sd_event_source_disable_unref(s->output);
                return 0;
        }
        s->linelen += (size_t) n;

        char *start = s->linebuf, *nl;
        while ((nl = memchr(start, '\n', s->linelen - (size_t) (start - s->linebuf)))) {
                emit(s, start, (size_t) (nl - start));
                start = nl + 1;
        }
        s->linelen -= (size_t) (start - s->linebuf);
        memmove(s->linebuf, start, s->linelen);
        /* A line longer than the buffer is cut rather than held forever. */
        if (s->linelen == sizeof(s->linebuf)) {
                emit(s, s->linebuf, s->linelen);
                s->linelen = 0;
        }
        fflush(stdout);
        return 0;
}

int service_watch_output(Service *s, int fd) {
        s->output = sd_event_source_disable_unref(s->output);
        s->linelen = 0;
        int r = sd_event_add_io(s->manager->event, &s->output, fd, EPOLLIN, on_output, s);
        if (r < 0) {
                close(fd);
                return r;
        }
        return sd_event_source_set_io_fd_own(s->output, 1);
}

/* During shutdown the event loop no longer runs: services' last words (and
 * a service that would block on a full pipe) are read here, waiting at
 * most timeout_ms for any of them to say something. True when one did. */
bool services_drain_output(Manager *m, int timeout_ms) {
        _cleanup_free_ struct pollfd *fds = calloc(m->n_services ?: 1, sizeof(struct pollfd));
        _cleanup_free_ Service **owner = calloc(m->n_services ?: 1, sizeof(Service *));
        nfds_t n = 0;

        if (!fds || !owner)
                return false;
        for (size_t i = 0; i < m->n_services; i++) {
                Service *s = m->services[i];
                if (!s->output)
                        continue;
                fds[n] = (struct pollfd){ .fd = sd_event_source_get_io_fd(s->output), .events = POLLIN };
                owner[n++] = s;
        }
        if (n == 0) {
                (void) usleep((useconds_t) timeout_ms * 1000);
                return false;
        }
        if (poll(fds, n, timeout_ms) <= 0)
                return false;
        for (nfds_t i = 0; i < n; i++)
                if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
                        (void) on_output(owner[i]->output, fds[i].fd, 0, owner[i]);
        return true;
}
