/* SPDX-License-Identifier: MIT */

/* Shutdown, in systemd's shutdown.c order: the containers' runners first
 * (each stops its task through containerd), then the other services get
 * SIGTERM (newest first) and a grace period, then SIGKILL; then every other process
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
#include <unistd.h>

#include "macro.h"
#include "strv.h"
#include "console.h"
#include "manager.h"
#include "mountinfo.h"

#define GRACE_SECONDS ((double) SERVICE_STOP_GRACE_SECONDS)

static bool no_service_running(Manager *m) {
        for (size_t i = 0; i < m->n_services; i++)
                if (m->services[i]->pid > 0)
                        return false;
        return true;
}

static bool no_child_left(Manager *m) {
        return reap_all(m) == -ECHILD;
}

/* Signals every process but us; true when none is left after the grace period. */
static bool kill_all(Manager *m, int sig, double grace) {
        (void) kill(-1, sig);
        if (sig == SIGTERM)
                (void) kill(-1, SIGCONT);
        return reap_until(m, no_child_left, uptime() + grace);
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

static bool no_first_running(Manager *m) {
        for (size_t i = 0; i < m->n_services; i++)
                if (m->services[i]->spec->stop_first && m->services[i]->pid > 0)
                        return false;
        return true;
}

/* Containers first: their runners need containerd to stop and delete
 * their tasks (TERM, their grace, KILL), so containerd waits for them. */
static void stop_first(Manager *m) {
        unsigned grace = 0;

        for (size_t i = m->n_services; i-- > 0;) {
                Service *s = m->services[i];
                if (s->spec->stop_first && s->pid > 0) {
                        (void) service_stop(s);
                        grace = grace > service_stop_grace(s->spec) ? grace : service_stop_grace(s->spec);
                }
        }
        if (grace == 0)
                return;
        if (!reap_until(m, no_first_running, uptime() + grace)) {
                console_info("containers still running after %u s: killing their runners", grace);
                for (size_t i = 0; i < m->n_services; i++)
                        if (m->services[i]->spec->stop_first && m->services[i]->pid > 0)
                                (void) kill(m->services[i]->pid, SIGKILL);
                (void) reap_until(m, no_first_running, uptime() + 5);
        }
}

void shutdown_run(Manager *m) {
        const char *verb = m->shutdown_action == (int) RB_AUTOBOOT      ? "reboot"
                           : m->shutdown_action == (int) RB_HALT_SYSTEM ? "halt"
                                                                        : "poweroff";
        double deadline = uptime() + GRACE_SECONDS;

        /* First: should the loop have ended on an error, nothing (a job's
         * end meeting a condition, a restart) may start a service now. */
        m->shutting_down = true;
        console_milestone("stopping services");
        stop_first(m);
        deadline = uptime() + GRACE_SECONDS;
        for (size_t i = m->n_services; i-- > 0;)
                (void) service_stop(m->services[i]);
        if (!reap_until(m, no_service_running, deadline)) {
                console_info("services still running after %.0f s: killing them", GRACE_SECONDS);
                for (size_t i = 0; i < m->n_services; i++)
                        if (m->services[i]->pid > 0)
                                (void) kill(m->services[i]->pid, SIGKILL);
                (void) reap_until(m, no_service_running, uptime() + 5);
        }
        /* What they wrote before they went, up to the pipes' end (bounded: a
         * shim may still hold a pipe open). */
        for (int i = 0; i < 64 && services_drain_output(m, 0); i++)
                ;

        /* Containers, shims, helper jobs and orphans. */
        if (!kill_all(m, SIGTERM, GRACE_SECONDS))
                (void) kill_all(m, SIGKILL, 5);

        sync();
        unmount_all();
        if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
                console_warning("cannot remount / read-only: %s", strerror(errno));
        sync();
        console_milestone("%s", verb);
        (void) reboot(m->shutdown_action);
        /* reboot(2) returned: nothing else to do but wait. */
        for (;;)
                pause();
}
