/* SPDX-License-Identifier: MIT */

/* Stage 2, PID 1 in the real root. Two phases, as tini and systemd have them:
 *
 *   setup      required steps (API file systems, the event loop). A failure
 *              here goes to emergency(): a FAILED line, then halt.
 *   main loop  from the first service on, nothing bails: a service that dies
 *              is restarted with back-off, a failed optional step warns, and
 *              every child and orphan is reaped, until a signal, the power
 *              button or the control socket asks for shutdown.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "boot-contract.h"
#include "macro.h"
#include "console.h"
#include "control.h"
#include "emergency.h"
#include "manager.h"
#include "kernel-args.h"
#include "stage2.h"
#include "system-services.h"

int stage2_main(void) {
        const char *shell_tty;
        static ServiceSpec shell;
        Manager m = { .notify_fd = -1, .shutdown_action = RB_POWER_OFF };
        int r;

        console_setup();
        console_milestones_load(MILESTONES_PATH);
        if (early_setup() < 0)
                emergency("stage2", "the API file systems could not be mounted");
        console_milestone("stage2");
        /* Before any child: they start in PID 1's cgroup, or their service's. */
        (void) cgroup_setup();

        r = sd_event_new(&m.event);
        if (r < 0)
                emergency("stage2", "cannot create the event loop: %s", strerror(-r));
        r = signals_install(&m);
        if (r >= 0)
                r = reaper_install(&m);
        if (r < 0)
                emergency("stage2", "cannot watch signals: %s", strerror(-r));
        r = readiness_install(&m);
        if (r < 0)
                console_warning("no readiness socket (%s): containerd's readiness is unknown", strerror(-r));
        r = control_install(&m);
        if (r < 0)
                console_warning("no control socket (%s): berthctl and the DHCP hook cannot reach PID 1",
                                strerror(-r));
        m.network_timeout = kernel_arg_unsigned(KARG_NETWORK_TIMEOUT);
        /* Before any condition can be met: the fetch waits on some. */
        state_fetch_prepare(&m);
        /* The modules load while dhcpcd starts; CONDITION_MODULES follows the job's end. */
        modules_load_start(&m);

        for (size_t i = 0; i < n_system_services; i++)
                if (service_add(&m, &system_services[i], NULL) < 0)
                        console_warning("cannot add %s", system_services[i].name);
        /* The debug image's shell, on the console the recipe named (berth.shell=ttyS1). */
        shell_tty = kernel_arg_string(KARG_SHELL);
        if (shell_tty && shell_tty[0]) {
                shell = debug_shell_spec;
                shell.tty = shell_tty;
                if (service_add(&m, &shell, NULL) < 0)
                        console_warning("cannot add the shell");
        }

        manager_start_services(&m);
        r = sd_event_loop(m.event);
        if (r < 0)
                console_warning("event loop: %s", strerror(-r));
        shutdown_run(&m);
}
