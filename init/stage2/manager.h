/* SPDX-License-Identifier: MIT */
#pragma once

/* Stage 2's state: the event loop, the services it supervises, and where
 * shutdown stands. One Manager per boot; every source on the loop points
 * back to it. */

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "backoff.h"

typedef enum ServiceState {
        SERVICE_WAITING, /* not started yet (waits for its dependency) */
        SERVICE_RUNNING,
        SERVICE_BACKOFF, /* exited; a timer restarts it */
        SERVICE_STOPPING,
        SERVICE_STOPPED,
} ServiceState;

typedef struct Manager Manager;

typedef struct Service {
        const char *name;
        char **argv;
        char **env; /* extra "KEY=value" for the child */
        bool needs_network; /* start once the network is up */
        bool notify; /* gets NOTIFY_SOCKET; ready on READY=1 */
        const char *ready_socket; /* without a notify socket: ready once this accepts a connection */
        const char *tty; /* run on this terminal (debug shell) instead of the console prefixer */

        ServiceState state;
        pid_t pid;
        double started_at; /* uptime() */
        bool ready;
        unsigned restarts;
        Backoff backoff;
        sd_event_source *restart_timer;
        sd_event_source *ready_timer; /* the readiness deadline */
        sd_event_source *ready_poll; /* connect() to ready_socket, every 100 ms */
        sd_event_source *output; /* the pipe carrying its stdout and stderr */
        char linebuf[1024];
        size_t linelen;
        Manager *manager;
} Service;

struct Manager {
        sd_event *event;
        Service *services;
        size_t n_services;
        bool network_up;
        bool network_gave_up; /* no lease in time: waiting services started anyway */
        unsigned network_timeout; /* seconds; berth.network_timeout= */
        sd_event_source *network_timer;
        pid_t modules_pid; /* the child loading kernel modules; 0 once it is done */
        bool shutting_down;
        int shutdown_action; /* RB_POWER_OFF, RB_AUTOBOOT, RB_HALT_SYSTEM */
        int notify_fd;
        sd_event_source *notify_source;
};

/* supervisor.c */
int manager_start_services(Manager *m);
void service_start(Service *s);
void service_exited(Service *s, int code, int status);
Service *manager_find_pid(Manager *m, pid_t pid);
void manager_network_up(Manager *m, const char *address);
void manager_modules_loaded(Manager *m);

/* spawn.c: fork + exec with a clean signal state, output into a pipe; returns the pid. */
pid_t spawn(Service *s, int *ret_output_fd);

/* console-log.c: prefixes each line of a service's output on the console. */
int service_watch_output(Service *s, int fd);
bool services_drain_output(Manager *m, int timeout_ms);

/* reaper.c: the only caller of wait*(). */
int reaper_install(Manager *m);

/* readiness.c: NOTIFY_SOCKET for services, and the dhcpcd hook's message. */
#define NOTIFY_SOCKET_PATH "/run/berth/notify"
int readiness_install(Manager *m);
/* The service said it is ready (or its socket answered): milestone, memory report. */
void service_ready(Service *s);

/* signals.c and power-button.c: what ends the boot. */
int signals_install(Manager *m);
int power_button_install(Manager *m);
void manager_request_shutdown(Manager *m, int action, const char *why);

/* shutdown.c: stops everything and calls reboot(2). */
_Noreturn void shutdown_run(Manager *m);

/* early-setup.c: mounts, hostname, loopback, machine id; then the kernel
 * modules, loaded by a child while the services start (its pid; the reaper
 * calls manager_modules_loaded() when it exits; < 0 when it could not start). */
int early_setup(void);
pid_t modules_load_start(void);
