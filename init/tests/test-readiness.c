/* SPDX-License-Identifier: MIT */

/* The notify socket (readiness.c): when it cannot be set up, nothing of it
 * is left behind (no fd, no event source) and no service is told to use it,
 * so notify services fall back to polling their own socket. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "../../lib/tests/tap.h"
#include "manager.h"

static unsigned open_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        unsigned n = 0;

        for (struct dirent *e; d && (e = readdir(d));)
                if (e->d_name[0] != '.')
                        n++;
        if (d)
                closedir(d);
        return n;
}

int main(void) {
        char dir[] = "/tmp/test-readiness-XXXXXX", path[128];
        Manager m = { .notify_fd = -1 };
        unsigned before;

        ok(mkdtemp(dir) != NULL && sd_event_new(&m.event) >= 0, "a folder and an event loop");

        before = open_fds();
        snprintf(path, sizeof(path), "%s/missing/notify", dir);
        ok(readiness_install_at(&m, path) < 0, "a socket that cannot be bound fails");
        ok(m.notify_fd == -1 && !m.notify_source && open_fds() == before, "and leaves no fd behind (%u, %u)",
           before, open_fds());
        ok(!readiness_socket(&m), "no service is given NOTIFY_SOCKET");

        sd_event *event = m.event;
        m.event = NULL; /* sd_event_add_io() refuses */
        snprintf(path, sizeof(path), "%s/notify", dir);
        ok(readiness_install_at(&m, path) < 0, "a socket the event loop cannot watch fails");
        ok(m.notify_fd == -1 && !m.notify_source && open_fds() == before, "and leaves no fd behind (%u, %u)",
           before, open_fds());
        ok(!readiness_socket(&m), "no service is given NOTIFY_SOCKET");
        m.event = event;

        ok(readiness_install_at(&m, path) == 0 && m.notify_fd >= 0 && m.notify_source,
           "a socket that can be set up is watched");
        ok(readiness_socket(&m) && streq(readiness_socket(&m), path), "and services are told where it is");

        sd_event_source_disable_unref(m.notify_source);
        close(m.notify_fd);
        unlink(path);
        rmdir(dir);
        sd_event_unref(m.event);
        return tap_done();
}
