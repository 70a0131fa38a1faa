/* SPDX-License-Identifier: MIT */

/* Stopping a service at run time (supervisor.c): one that ignores SIGTERM
 * is killed once the stop grace has passed, and stays stopped. */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "../../lib/tests/tap.h"
#include "console.h"
#include "manager.h"

static void run_for(Manager *m, Service *s, ServiceState until, double seconds) {
        double end = uptime() + seconds;
        while (s->state != until && uptime() < end)
                (void) sd_event_run(m->event, 100 * 1000);
}

int main(void) {
        static const char *const argv[] = { "/bin/sh", "-c", "trap '' TERM; echo trapped; exec sleep 60",
                                            NULL };
        static const ServiceSpec spec = { .name = "stubborn", .argv = argv };
        Manager m = { .notify_fd = -1 };
        Service *s = NULL;
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);
        ok(sd_event_new(&m.event) >= 0 && reaper_install(&m) >= 0, "event loop and reaper");
        ok(service_add(&m, &spec, &s) == 0, "a service that ignores SIGTERM");
        service_start(s);
        ok(s->state == SERVICE_RUNNING && s->pid > 0, "starts");
        pid_t pid = s->pid;
        /* Until its trap is set (it says so on its output). */
        for (int i = 0; i < 50 && s->pid > 0 && !strstr(s->linebuf, "trapped"); i++)
                (void) sd_event_run(m.event, 100 * 1000);
        usleep(200 * 1000);

        double start = uptime();
        ok(service_stop(s) == 0 && s->state == SERVICE_STOPPING, "service_stop sends SIGTERM");
        run_for(&m, s, SERVICE_STOPPED, SERVICE_STOP_GRACE_SECONDS + 5);
        double took = uptime() - start;
        ok(s->state == SERVICE_STOPPED && s->pid == 0, "it is stopped in the end (%s)",
           service_state_to_string(s->state));
        ok(took >= SERVICE_STOP_GRACE_SECONDS - 0.5 && took < SERVICE_STOP_GRACE_SECONDS + 3,
           "killed once the grace of %d s passed (%.1f s)", SERVICE_STOP_GRACE_SECONDS, took);
        run_for(&m, s, _SERVICE_STATE_MAX, 0.5);
        ok(s->state == SERVICE_STOPPED && s->pid == 0 && !s->restart_timer, "and not restarted");
        if (kill(pid, 0) == 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
        }

        ok(service_remove(s) == 0 && m.n_services == 0, "a stopped service can be removed");
        free(m.services);
        sd_event_unref(m.event);
        return tap_done();
}
