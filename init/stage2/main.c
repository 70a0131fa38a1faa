/* SPDX-License-Identifier: MIT */

/* Stage 2, PID 1 in the real root. Two phases, as tini and systemd have them:
 *
 *   setup      required steps (API file systems, the event loop). A failure
 *              here goes to emergency(): a FAILED line, then halt.
 *   main loop  from the first service on, nothing bails: a service that dies
 *              is restarted with back-off, a failed optional step warns, and
 *              every child and orphan is reaped, until a signal or the power
 *              button asks for shutdown.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "boot-contract.h"
#include "macro.h"
#include "console.h"
#include "emergency.h"
#include "manager.h"
#include "kernel-args.h"
#include "stage2.h"

static char path_env[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin";
static char notify_env[] = "NOTIFY_SOCKET=" NOTIFY_SOCKET_PATH;
static char *service_env[] = { path_env, NULL };
static char *notify_service_env[] = { path_env, notify_env, NULL };

static char *dhcpcd_argv[] = { (char *) "/usr/sbin/dhcpcd",
                               (char *) "--nobackground",
                               (char *) "--noarp",
                               (char *) "--nodev",
                               (char *) "--nodelay",
                               (char *) "--script",
                               (char *) BERTH_DHCPCD_HOOK_PATH,
                               NULL };
static char *containerd_argv[] = { (char *) "/usr/bin/containerd", (char *) "--log-level", (char *) "warn",
                                   NULL };
static char *shell_argv[] = { (char *) "/bin/sh", NULL };

int stage2_main(void) {
        const char *shell_tty;
        Service services[3];
        Manager m = { .notify_fd = -1, .shutdown_action = RB_POWER_OFF };
        size_t n = 0;
        int r;

        console_setup();
        if (early_setup() < 0)
                emergency("stage2", "the API file systems could not be mounted");
        milestone("stage2");

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
                printf("berth: warning: no readiness socket (%s): containerd's readiness is unknown\n",
                       strerror(-r));
        m.network_timeout = kernel_arg_unsigned(KARG_NETWORK_TIMEOUT);
        /* The modules load while dhcpcd starts; the reaper sees the child end
         * and then watches the power button (manager_modules_loaded). */
        m.modules_pid = modules_load_start();
        if (m.modules_pid < 0)
                manager_modules_loaded(&m);

        services[n++] = (Service){ .name = "dhcpcd", .argv = dhcpcd_argv, .env = service_env };
        services[n++] = (Service){ .name = "containerd",
                                   .argv = containerd_argv,
                                   .env = notify_service_env,
                                   .needs_network = true,
                                   .notify = true,
                                   .ready_socket = "/run/containerd/containerd.sock" };
        /* The debug image's shell, on the console the recipe named (berth.shell=ttyS1). */
        shell_tty = kernel_arg_string(KARG_SHELL);
        if (shell_tty && shell_tty[0])
                services[n++] = (Service){
                        .name = "shell", .argv = shell_argv, .env = service_env, .tty = shell_tty
                };
        m.services = services;
        m.n_services = n;

        manager_start_services(&m);
        r = sd_event_loop(m.event);
        if (r < 0)
                printf("berth: warning: event loop: %s\n", strerror(-r));
        shutdown_run(&m);
}
