/* SPDX-License-Identifier: MIT */

/* Starting, watching and restarting the services. A service that exits is
 * started again after its back-off (backoff.h); nothing here gives up or
 * stops the boot: once the main loop runs, PID 1 warns and carries on. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "console.h"
#include "manager.h"

#define READY_TIMEOUT_USEC (90ULL * 1000000ULL)
#define READY_POLL_USEC (100ULL * 1000ULL)

Service *manager_find_pid(Manager *m, pid_t pid) {
        for (size_t i = 0; i < m->n_services; i++)
                if (m->services[i].pid == pid && pid > 0)
                        return &m->services[i];
        return NULL;
}

static uint64_t now_usec(Manager *m) {
        uint64_t now = 0;
        (void) sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        return now;
}

/* A service that never says it is ready is as good as hung: kill it, and
 * the back-off restarts it, as systemd does when TimeoutStartSec= passes. */
static int on_ready_timeout(sd_event_source *es, uint64_t usec, void *userdata) {
        Service *s = userdata;

        if (s->state == SERVICE_RUNNING && !s->ready && s->pid > 0) {
                console_failed(s->name, "not ready %llu s after it started; restarting it",
                               READY_TIMEOUT_USEC / 1000000ULL);
                (void) kill(s->pid, SIGKILL);
        }
        return 0;
}

/* Without a notify socket, readiness is the service's own socket answering. */
static int on_ready_poll(sd_event_source *es, uint64_t usec, void *userdata) {
        Service *s = userdata;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        if (s->ready || s->state != SERVICE_RUNNING) {
                s->ready_poll = sd_event_source_disable_unref(s->ready_poll);
                return 0;
        }
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->ready_socket);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0) {
                s->ready_poll = sd_event_source_disable_unref(s->ready_poll);
                service_ready(s);
                return 0;
        }
        (void) sd_event_source_set_time(es, usec + READY_POLL_USEC);
        return 0;
}

static void readiness_watch(Service *s) {
        Manager *m = s->manager;
        uint64_t now = now_usec(m);

        s->ready_timer = sd_event_source_disable_unref(s->ready_timer);
        (void) sd_event_add_time(m->event, &s->ready_timer, CLOCK_MONOTONIC, now + READY_TIMEOUT_USEC, 0,
                                 on_ready_timeout, s);
        s->ready_poll = sd_event_source_disable_unref(s->ready_poll);
        if (m->notify_fd < 0 && s->ready_socket)
                (void) sd_event_add_time(m->event, &s->ready_poll, CLOCK_MONOTONIC, now + READY_POLL_USEC, 0,
                                         on_ready_poll, s);
}

void service_start(Service *s) {
        Manager *m = s->manager;
        int fd = -1;
        pid_t pid;

        if (m->shutting_down)
                return;
        s->restart_timer = sd_event_source_disable_unref(s->restart_timer);
        /* Before spawn(): a service that cannot even be started backs off too. */
        s->started_at = uptime();
        pid = spawn(s, &fd);
        if (pid < 0) {
                printf("berth: warning: cannot start %s: %s\n", s->name, strerror((int) -pid));
                service_exited(s, CLD_EXITED, 126);
                return;
        }
        s->pid = pid;
        s->state = SERVICE_RUNNING;
        s->ready = false;
        if (fd >= 0 && service_watch_output(s, fd) < 0)
                printf("berth: warning: %s's output is lost\n", s->name);
        if (s->notify)
                readiness_watch(s);
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
        s->ready_timer = sd_event_source_disable_unref(s->ready_timer);
        s->ready_poll = sd_event_source_disable_unref(s->ready_poll);
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

/* Services that need the network wait for a lease (or its timeout) and for
 * the kernel modules (the container network's bridge, veth, br_netfilter). */
static void start_waiting_services(Manager *m) {
        if (!(m->network_up || m->network_gave_up) || m->modules_pid > 0)
                return;
        for (size_t i = 0; i < m->n_services; i++)
                if (m->services[i].needs_network && m->services[i].state == SERVICE_WAITING)
                        service_start(&m->services[i]);
}

void manager_network_up(Manager *m, const char *address) {
        if (m->network_up)
                return;
        m->network_up = true;
        m->network_timer = sd_event_source_disable_unref(m->network_timer);
        milestone("network up");
        printf("berth: address %s\n", address);
        fflush(stdout);
        start_waiting_services(m);
}

void manager_modules_loaded(Manager *m) {
        m->modules_pid = 0;
        /* The power button's input device exists once evdev and button are in. */
        if (power_button_install(m) == 0)
                printf("berth: warning: no power button input device; ACPI power-off is not handled\n");
        start_waiting_services(m);
}

/* A host without a lease still runs its local containers: say so, loudly,
 * and start what waits for the network; a lease that comes later still
 * brings "network up". */
static int on_network_timeout(sd_event_source *es, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        m->network_timer = sd_event_source_disable_unref(m->network_timer);
        if (m->network_up)
                return 0;
        console_failed("network", "no DHCP lease within %u s; starting containerd without it",
                       m->network_timeout);
        m->network_gave_up = true;
        start_waiting_services(m);
        return 0;
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
        else if (m->network_timeout > 0)
                (void) sd_event_add_time(m->event, &m->network_timer, CLOCK_MONOTONIC,
                                         now_usec(m) + m->network_timeout * 1000000ULL, 0,
                                         on_network_timeout, m);
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
