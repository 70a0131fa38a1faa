/* SPDX-License-Identifier: MIT */

/* Services' output during shutdown (console-log.c): services_drain_output()
 * reads every service's pipe, however many services were added; control
 * characters a service writes never reach the console. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "../../lib/tests/tap.h"
#include "console.h"
#include "manager.h"

#define N 40

int main(void) {
        static const char *const argv[] = { "/bin/true", NULL };
        static ServiceSpec specs[N];
        static char names[N][16];
        Manager m = { .notify_fd = -1 };
        int writers[N];
        bool added = true;

        ok(sd_event_new(&m.event) >= 0, "event loop");
        for (size_t i = 0; i < N; i++) {
                Service *s;
                int p[2];

                snprintf(names[i], sizeof(names[i]), "svc%zu", i);
                specs[i] = (ServiceSpec){ .name = names[i], .argv = argv };
                if (service_add(&m, &specs[i], &s) < 0 || pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0 ||
                    service_watch_output(s, p[0]) < 0) {
                        added = false;
                        break;
                }
                writers[i] = p[1];
        }
        ok(added && m.n_services == N, "%d services, each with an output pipe", N);

        {
                /* The console, a file for a moment (no TAP line meanwhile): what a
                 * container's escape sequences become there. */
                char path[] = "/tmp/test-console-log.XXXXXX", got[256] = "";
                int saved = dup(STDOUT_FILENO), fd = mkstemp(path);
                static const char hostile[] = "a\033]0;pwned\007b\033[2J\rc\td\n";
                bool redirected, said, drained;
                fflush(stdout);
                redirected = fd >= 0 && dup2(fd, STDOUT_FILENO) == STDOUT_FILENO;
                said = write(writers[0], hostile, sizeof(hostile) - 1) == (ssize_t) sizeof(hostile) - 1;
                drained = services_drain_output(&m, 200);
                fflush(stdout);
                (void) dup2(saved, STDOUT_FILENO);
                close(saved);
                ok(redirected && said && drained, "a service writes escape sequences to the console");
                ok(pread(fd, got, sizeof(got) - 1, 0) > 0 && strstr(got, "svc0: a?]0;pwned?b?[2J?c\td\n") &&
                           !strchr(got, '\033') && !strchr(got, '\r'),
                   "control characters but tab are shown as '?'");
                close(fd);
                unlink(path);
        }

        {
                /* What berth-fetch's line goes through before the console (state-fetch.c). */
                char why[] = "url:x: 3:12: hostname '\033]0;x\007' must be\177";
                console_scrub(why, strlen(why));
                ok(streq(why, "url:x: 3:12: hostname '?]0;x?' must be?"), "console_scrub: %s", why);
        }

        char c;
        ok(write(writers[N - 1], "last words\n", 11) == 11, "the last service added says something");
        ok(services_drain_output(&m, 200), "the drain reads it");
        ok(read(sd_event_source_get_io_fd(m.services[N - 1]->output), &c, 1) < 0 && errno == EAGAIN &&
                   m.services[N - 1]->linelen == 0,
           "all of it, and the line went to the console whole");
        close(writers[N - 1]);
        ok(services_drain_output(&m, 200) && !m.services[N - 1]->output,
           "the drain sees its pipe's end and lets it go");

        for (size_t i = 0; i < N - 1; i++)
                close(writers[i]);
        for (size_t i = 0; i < m.n_services; i++)
                service_free(m.services[i]);
        free(m.services);
        sd_event_unref(m.event);
        return tap_done();
}
