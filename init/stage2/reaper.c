/* SPDX-License-Identifier: MIT */

/* The only owner of wait*(): on SIGCHLD, and during shutdown, collect every
 * child that exited, ours or an orphan re-parented to PID 1, until none is
 * left, and hand ours to their owners through the child registry.
 * sd_event_add_child() is not used: a wait loop over all children would
 * steal its pids. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "macro.h"
#include "console.h"
#include "manager.h"

int reap_all(Manager *m) {
        int reaped = 0;

        for (;;) {
                siginfo_t info = { 0 };

                if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG) < 0) {
                        if (errno == EINTR)
                                continue;
                        /* ECHILD: no child at all, running or not. */
                        return reaped > 0 ? reaped : -errno;
                }
                if (info.si_pid == 0)
                        return reaped;
                reaped++;
                if (!child_dispatch(m, &info))
                        m->orphans_reaped++;
        }
}

bool reap_until(Manager *m, bool (*done)(Manager *m), double deadline) {
        for (;;) {
                (void) reap_all(m);
                if (done(m))
                        return true;
                if (uptime() >= deadline)
                        return false;
                (void) services_drain_output(m, 20);
        }
}

static int on_sigchld(sd_event_source *es, const struct signalfd_siginfo *si, void *userdata) {
        (void) reap_all(userdata);
        return 0;
}

int reaper_install(Manager *m) {
        return sd_event_add_signal(m->event, NULL, SIGCHLD, on_sigchld, m);
}
