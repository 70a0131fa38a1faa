/* SPDX-License-Identifier: MIT */
#pragma once

/* Stage 2's state: the event loop, the children it owns (services and
 * helper jobs), the conditions services wait on, and where shutdown stands.
 * One Manager per boot; every source on the loop points back to it. */

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "child.h"
#include "host-state.h"
#include "service.h"

struct Manager {
        sd_event *event;
        Service **services; /* in the order they were added */
        size_t n_services;
        Child *children; /* every child PID 1 started and has not reaped yet */
        unsigned long orphans_reaped;
        unsigned conditions; /* Condition bits met (or given up on) */
        bool network_up;
        char network_address[96]; /* "eth0 10.0.2.15" once network_up */
        unsigned network_timeout; /* seconds; berth.network_timeout= */
        sd_event_source *network_timer;
        bool shutting_down;
        int shutdown_action; /* RB_POWER_OFF, RB_AUTOBOOT, RB_HALT_SYSTEM */
        int notify_fd; /* -1 without a notify socket */
        sd_event_source *notify_source;
        char notify_path[108]; /* sun_path: where notify_fd is bound */
        struct ControlServer *control;
        struct ContainerSet *containers; /* host state's containers (containers.c) */
        /* The host state applied (state-store.c): the fetched document's, or
         * the last good one's; NULL while none is. Freed on replacement. */
        HostState *state;
        char state_source[512]; /* where it came from, as the console names it */
        char state_sha256[65];
        double state_applied_at; /* uptime() when it was applied */
        bool state_last_good; /* it is the last good one, not this fetch's */
        sd_event_source *state_refresh; /* the document's refresh period */
};

/* supervisor.c: conditions. manager_condition_met() starts every WAITING
 * service whose conditions are all met now. */
void manager_condition_met(Manager *m, unsigned condition);
bool manager_conditions_met(const Manager *m, unsigned wanted);
int manager_start_services(Manager *m);

/* network.c: the network condition. A lease (the dhcpcd hook, over the
 * control socket) brings "network up"; without one within network_timeout
 * seconds the condition is given up on and what waits for it starts. */
void manager_network_up(Manager *m, const char *interface, const char *address);
void manager_network_watch(Manager *m);

/* console-log.c: during shutdown, reads services' output without the loop. */
bool services_drain_output(Manager *m, int timeout_ms);

/* readiness.c: NOTIFY_SOCKET for the services with notify readiness. */
#define NOTIFY_SOCKET_PATH "/run/berth/notify"
int readiness_install(Manager *m);
/* The same, bound at path. On failure nothing of it is left: notify_fd is -1. */
int readiness_install_at(Manager *m, const char *path);
/* NOTIFY_SOCKET for a notify service: the socket's path, or NULL when there
 * is none (the service's ready_socket is polled instead). */
const char *readiness_socket(const Manager *m);

/* signals.c and power-button.c: what ends the boot. */
int signals_install(Manager *m);
int power_button_install(Manager *m);
void manager_request_shutdown(Manager *m, int action, const char *why);

/* shutdown.c: stops everything and calls reboot(2). */
_Noreturn void shutdown_run(Manager *m);

/* early-setup.c: mounts, hostname, loopback, machine id. */
int early_setup(void);
/* modules-load.c: the kernel modules, loaded by a helper job while the
 * services start; CONDITION_MODULES is met when it ends, however it ends. */
void modules_load_start(Manager *m);

/* state-fetch.c: the host state document, fetched by berth-fetch in a
 * helper job once the conditions its sources need are met. prepare()
 * chooses the sources (before the services start); poll() starts the job
 * when it can, and is called whenever a condition is met. */
void state_fetch_prepare(Manager *m);
void state_fetch_poll(Manager *m);
/* Fetches again (berthctl reload, the refresh period): now, or when the
 * fetch that runs ends. -ENOENT when this boot names no source. */
int state_fetch_again(Manager *m);

/* state-store.c: what a fetch's end means. fetched(): berth-fetch wrote a
 * validated document (line: "SOURCE sha256:HEX"): it is applied, and kept
 * as the last good one; if it cannot be, the host goes (back) to the last
 * good one. not_fetched(): nothing new (no source, a failure): the host
 * stays on, or comes up on, the last good one. */
void state_fetched(Manager *m, const char *line);
void state_not_fetched(Manager *m);

/* containers.c: after every service readiness and every apply, prints
 * "berth: healthy" once, when containerd is ready, a state was applied and
 * every container with restart "always" runs. */
void containers_check_healthy(Manager *m);

/* cgroup-setup.c: the cgroup v2 layout (docs/architecture.md). */
int cgroup_setup(void);
/* The containers subtree's pids.max for the kernel's pid_max: the host
 * keeps CGROUP_SYSTEM_PIDS_RESERVE of them (half, on a small pid_max). */
#define CGROUP_SYSTEM_PIDS_RESERVE 1024
uint64_t cgroup_containers_pids_max(uint64_t pid_max);
