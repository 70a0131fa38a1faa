/* SPDX-License-Identifier: MIT */

/* What PID 1 is told by signals, as busybox init and systemd read them:
 *   SIGTERM   poweroff     (what `kill 1` and container-host tooling send)
 *   SIGINT    reboot       (ctrl-alt-del, once the kernel hands it to us)
 *   SIGUSR1   halt         (busybox `halt`)
 *   SIGUSR2   poweroff     (busybox `poweroff`)
 * Every other signal stays blocked but the fault signals, which go to the
 * crash handler (init/common/pid1.c).
 * Busybox's `reboot` sends SIGTERM: to berth that is poweroff, as the
 * container-host tooling expects; `kill -INT 1` reboots. */

#include <signal.h>
#include <stdio.h>
#include <sys/reboot.h>

#include "macro.h"
#include "manager.h"
#include "pid1.h"

static int on_signal(sd_event_source *es, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        switch (si->ssi_signo) {
        case SIGTERM:
                manager_request_shutdown(m, RB_POWER_OFF, "SIGTERM");
                break;
        case SIGINT:
                manager_request_shutdown(m, RB_AUTOBOOT, "ctrl-alt-del");
                break;
        case SIGUSR1:
                manager_request_shutdown(m, RB_HALT_SYSTEM, "SIGUSR1");
                break;
        case SIGUSR2:
                manager_request_shutdown(m, RB_POWER_OFF, "SIGUSR2");
                break;
        }
        return 0;
}

int signals_install(Manager *m) {
        static const int handled[] = { SIGTERM, SIGINT, SIGUSR1, SIGUSR2 };
        sigset_t all;

        /* Block everything but faults; sd-event takes what we handle via signalfd. */
        sigfillset(&all);
        pid1_sigset_del_faults(&all);
        if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
                return -1;

        /* The kernel sends SIGINT to PID 1 on ctrl-alt-del instead of
         * rebooting at once (pid1_early_setup asked already; again in case
         * stage 2 was started some other way). */
        (void) reboot(RB_DISABLE_CAD);

        for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++) {
                int r = sd_event_add_signal(m->event, NULL, handled[i], on_signal, m);
                if (r < 0)
                        return r;
        }
        return 0;
}
