/* SPDX-License-Identifier: MIT */

/* The only owner of wait*(): on SIGCHLD, collect every child that exited,
 * ours or an orphan re-parented to PID 1, until none is left, and hand ours
 * to the supervisor. sd_event_add_child() is not used: a wait loop over all
 * children would steal its pids. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "macro.h"
#include "manager.h"

static unsigned long orphans_reaped;

static int on_sigchld(sd_event_source *es, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        for (;;) {
                siginfo_t info = { 0 };

                if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG) < 0) {
                        if (errno == EINTR)
                                continue;
                        break; /* ECHILD: nothing left */
                }
                if (info.si_pid == 0)
                        break;

                Service *s = manager_find_pid(m, info.si_pid);
                if (s)
                        service_exited(s, info.si_code, info.si_status);
                else if (info.si_pid == m->modules_pid)
                        manager_modules_loaded(m);
                else
                        orphans_reaped++;
        }
        return 0;
}

int reaper_install(Manager *m) {
        return sd_event_add_signal(m->event, NULL, SIGCHLD, on_sigchld, m);
}
