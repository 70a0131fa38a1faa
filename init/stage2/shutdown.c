/* SPDX-License-Identifier: MIT */

/* Shutdown, in systemd's shutdown.c order: services get SIGTERM (newest
 * first) and a grace period, then SIGKILL; then every other process
 * (containers, shims, orphans) the same way; sync; unmount everything that
 * can be, in a loop until nothing changes; remount the root read-only so
 * the file system is clean; reboot(2). Nothing here can fail the shutdown:
 * each step does what it can and the next one runs. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "strv.h"
#include "console.h"
#include "manager.h"
#include "mountinfo.h"

#define GRACE_SECONDS 10.0

/* Reaps until every pid in the set is gone or the deadline passes. */
static bool wait_services(Manager *m, double deadline) {
        for (;;) {
                bool left = false;

                for (;;) {
                        siginfo_t info = { 0 };
                        if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG) < 0 || info.si_pid == 0)
                                break;
                        Service *s = manager_find_pid(m, info.si_pid);
                        if (s) {
                                s->pid = 0;
                                s->state = SERVICE_STOPPED;
                        }
                }
                for (size_t i = 0; i < m->n_services; i++)
                        left = left || m->services[i].pid > 0;
                if (!left) {
                        /* What they wrote before they went, up to the pipes' end
                         * (bounded: a shim may still hold a pipe open). */
                        for (int i = 0; i < 64 && services_drain_output(m, 0); i++)
                                ;
                        return true;
                }
                if (uptime() >= deadline)
                        return false;
                services_drain_output(m, 20);
        }
}

/* Signals every process but us; true when none is left after the grace period. */
static bool kill_all(int sig, double grace) {
        double deadline = uptime() + grace;

        (void) kill(-1, sig);
        if (sig == SIGTERM)
                (void) kill(-1, SIGCONT);
        for (;;) {
                siginfo_t info = { 0 };
                int r = waitid(P_ALL, 0, &info, WEXITED | WNOHANG);
                if (r < 0 && errno == ECHILD)
                        return true;
                if (r == 0 && info.si_pid > 0)
                        continue;
                if (uptime() >= deadline)
                        return false;
                usleep(20 * 1000);
        }
}

static char **mount_points(void) {
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char **points = NULL, line[4096], mp[4096];

        if (!f)
                return NULL;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1) {
                        mountinfo_unescape(mp);
                        if (strv_extend(&points, mp) < 0)
                                break;
                }
        fclose(f);
        return points;
}

/* Kept to the end: the console, our own /proc. / is remounted read-only last. */
static bool kept_mounted(const char *p) {
        return streq(p, "/") || streq(p, "/proc") || streq(p, "/dev") || streq(p, "/sys");
}

/* Unmounts from the most recent mount back, until a pass changes nothing.
 * What stays busy is made read-only where it can be (its file system is
 * then clean all the same); / is remounted read-only by the caller. */
static void unmount_all(void) {
        for (unsigned pass = 0;; pass++) {
                _cleanup_strv_free_ char **points = mount_points();
                unsigned done = 0;

                for (size_t i = strv_length(points); i-- > 0;) {
                        if (!kept_mounted(points[i]) && umount2(points[i], 0) == 0)
                                done++;
                }
                if (done == 0 || pass == 7) {
                        for (size_t i = strv_length(points); i-- > 0;)
                                if (!kept_mounted(points[i]))
                                        (void) mount(NULL, points[i], NULL, MS_REMOUNT | MS_RDONLY, NULL);
                        return;
                }
        }
}

void shutdown_run(Manager *m) {
        const char *verb = m->shutdown_action == (int) RB_AUTOBOOT      ? "reboot"
                           : m->shutdown_action == (int) RB_HALT_SYSTEM ? "halt"
                                                                        : "poweroff";
        double deadline = uptime() + GRACE_SECONDS;

        printf("berth: stopping services %.2f\n", uptime());
        fflush(stdout);
        for (size_t i = m->n_services; i-- > 0;) {
                Service *s = &m->services[i];
                if (s->pid > 0) {
                        s->state = SERVICE_STOPPING;
                        (void) kill(s->pid, SIGTERM);
                        /* An interactive shell ignores SIGTERM; a hangup ends it, as a terminal's would. */
                        if (s->tty)
                                (void) kill(s->pid, SIGHUP);
                        (void) kill(s->pid, SIGCONT);
                }
        }
        if (!wait_services(m, deadline)) {
                printf("berth: services still running after %.0f s: killing them\n", GRACE_SECONDS);
                for (size_t i = 0; i < m->n_services; i++)
                        if (m->services[i].pid > 0)
                                (void) kill(m->services[i].pid, SIGKILL);
                (void) wait_services(m, uptime() + 5);
        }

        /* Containers, shims and orphans. */
        if (!kill_all(SIGTERM, GRACE_SECONDS))
                (void) kill_all(SIGKILL, 5);

        sync();
        unmount_all();
        if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
                printf("berth: warning: cannot remount / read-only: %s\n", strerror(errno));
        sync();
        printf("berth: %s %.2f\n", verb, uptime());
        fflush(stdout);
        (void) reboot(m->shutdown_action);
        /* reboot(2) returned: nothing else to do but wait. */
        for (;;)
                pause();
}
