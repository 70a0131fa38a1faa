/* SPDX-License-Identifier: MIT */

/* Starting, watching and restarting the services. A service that exits is
 * started again after its back-off (backoff.h); nothing here gives up or
 * stops the boot: once the main loop runs, PID 1 warns and carries on. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "console.h"
#include "manager.h"

#define READY_TIMEOUT_USEC (90ULL * 1000000ULL)

Service *manager_find_pid(Manager *m, pid_t pid) {
        for (size_t i = 0; i < m->n_services; i++)
                if (m->services[i].pid == pid && pid > 0)
                        return &m->services[i];
        return NULL;
}

static int on_ready_timeout(sd_event_source *es, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        for (size_t i = 0; i < m->n_services; i++) {
                Service *s = &m->services[i];
                if (s->notify && s->state == SERVICE_RUNNING && !s->ready)
                        console_failed(s->name, "not ready %llu s after it started; still waiting",
                                       READY_TIMEOUT_USEC / 1000000ULL);
        }
        return 0;
}

void service_start(Service *s) {
        Manager *m = s->manager;
        int fd = -1;
        pid_t pid;

        if (m->shutting_down)
                return;
        s->restart_timer = sd_event_source_disable_unref(s->restart_timer);
        pid = spawn(s, &fd);
        if (pid < 0) {
                printf("berth: warning: cannot start %s: %s\n", s->name, strerror((int) -pid));
                service_exited(s, CLD_EXITED, 126);
                return;
        }
        s->pid = pid;
        s->state = SERVICE_RUNNING;
        s->ready = false;
        s->started_at = uptime();
        if (fd >= 0 && service_watch_output(s, fd) < 0)
                printf("berth: warning: %s's output is lost\n", s->name);
        if (s->notify) {
                uint64_t now;
                (void) sd_event_now(m->event, CLOCK_MONOTONIC, &now);
                m->ready_timeout = sd_event_source_disable_unref(m->ready_timeout);
                (void) sd_event_add_time(m->event, &m->ready_timeout, CLOCK_MONOTONIC,
                                         now + READY_TIMEOUT_USEC, 0, on_ready_timeout, m);
        }
        char what[96];
        snprintf(what, sizeof(what), "%s started", s->name);
        milestone(what);
}

static int on_restart(sd_event_source *es, uint64_t usec, void *userdata) {
        service_start(userdata);
        return 0;
}

void service_exited(Service *s, int code, int status) {
        Manager *m = s->manager;
        double ran = uptime() - s->started_at, delay;
        uint64_t now;

        s->pid = 0;
        if (m->shutting_down || s->state == SERVICE_STOPPING) {
                s->state = SERVICE_STOPPED;
                return;
        }
        delay = backoff_next(&s->backoff, ran);
        s->restarts++;
        s->state = SERVICE_BACKOFF;
        printf("berth: %s %s %d after %.1f s; restart %u in %.1f s\n", s->name,
               code == CLD_EXITED ? "exited with status" : "was killed by signal", status, ran, s->restarts,
               delay);
        fflush(stdout);
        (void) sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        (void) sd_event_add_time(m->event, &s->restart_timer, CLOCK_MONOTONIC,
                                 now + (uint64_t) (delay * 1e6), 0, on_restart, s);
}

void manager_network_up(Manager *m, const char *address) {
        if (m->network_up)
                return;
        m->network_up = true;
        milestone("network up");
        printf("berth: address %s\n", address);
        fflush(stdout);
        for (size_t i = 0; i < m->n_services; i++)
                if (m->services[i].needs_network && m->services[i].state == SERVICE_WAITING)
                        service_start(&m->services[i]);
}

int manager_start_services(Manager *m) {
        bool dhcp = false;

        for (size_t i = 0; i < m->n_services; i++) {
                Service *s = &m->services[i];

                s->manager = m;
                if (access(s->argv[0], X_OK) < 0) {
                        printf("berth: warning: %s is not in this image (%s); not started\n", s->name,
                               s->argv[0]);
                        s->state = SERVICE_STOPPED;
                        continue;
                }
                if (streq(s->name, "dhcpcd"))
                        dhcp = true;
                if (!s->needs_network)
                        service_start(s);
        }
        /* Without a DHCP client nothing would ever say the network is up. */
        if (!dhcp)
                manager_network_up(m, "(no DHCP client)");
        return 0;
}

void manager_request_shutdown(Manager *m, int action, const char *why) {
        if (m->shutting_down)
                return;
        m->shutting_down = true;
        m->shutdown_action = action;
        printf("berth: shutdown requested by %s %.2f\n", why, uptime());
        fflush(stdout);
        (void) sd_event_exit(m->event, 0);
}
