/* SPDX-License-Identifier: MIT */
#pragma once

/* A service is a const spec (what to run and how: systemd's unit file, an
 * OCI config) plus a small run-time record (what is happening to it now).
 * No code looks at a service's name to decide anything: what a service
 * needs and gives is declared in its spec. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "backoff.h"

typedef struct Manager Manager;

/* How long a stopped service (and, at shutdown, every process) has between
 * SIGTERM and SIGKILL. */
#define SERVICE_STOP_GRACE_SECONDS 10

/* What services wait for. A service starts once every condition it wants
 * is met; a condition is met by an event (a lease, the modules loader's end)
 * or given up on (the network timeout). */
typedef enum Condition {
        CONDITION_NETWORK = 1u << 0, /* a DHCP lease, or berth.network_timeout passed */
        CONDITION_MODULES = 1u << 1, /* the kernel-module loader ended */
        CONDITION_CONTAINERD = 1u << 2, /* containerd said it is ready (it provides it) */
} Condition;

/* Whether a service that exited on its own starts again (host state's
 * restart policy; the system services are always restarted). */
typedef enum RestartPolicy {
        RESTART_ALWAYS, /* the default */
        RESTART_ON_FAILURE, /* after a non-zero status or a signal, max_restarts times */
        RESTART_NEVER,
} RestartPolicy;

typedef enum Readiness {
        READINESS_NONE, /* ready once started */
        READINESS_NOTIFY, /* READY=1 on NOTIFY_SOCKET; ready_socket is the fallback without one */
        READINESS_SOCKET, /* ready once ready_socket accepts a connection */
} Readiness;

typedef struct FolderSpec {
        const char *path;
        int mode;
} FolderSpec;

typedef struct ServiceSpec {
        const char *name;
        const char *const *argv; /* argv[0] is an absolute path */
        const char *const *env; /* "KEY=value" added to the child's environment */
        const FolderSpec *folders; /* made before each start; ends with { NULL } */
        Readiness readiness;
        const char *ready_socket;
        unsigned wants; /* Condition bits that must be met before it starts */
        unsigned provides; /* Condition bits it brings about (dhcpcd: the network) */
        const char *cgroup; /* under /sys/fs/cgroup, e.g. "system/dhcpcd"; NULL: PID 1's */
        const char *tty; /* run on this terminal (debug shell) instead of the console prefixer */
        RestartPolicy restart;
        unsigned max_restarts; /* RESTART_ON_FAILURE: restarts allowed */
        unsigned stop_grace; /* seconds from SIGTERM to SIGKILL; 0: SERVICE_STOP_GRACE_SECONDS */
        unsigned ready_timeout; /* seconds to readiness before it is killed; 0: 90 */
        const char *ready_milestone; /* printf format of its readiness milestone, %s its name;
                                      * NULL: "%s ready" */
        bool stop_first; /* at shutdown: stopped, and waited for, before the others (containers
                          * before containerd) */
} ServiceSpec;

typedef enum ServiceState {
        SERVICE_WAITING, /* not started yet: waits for its conditions */
        SERVICE_RUNNING,
        SERVICE_BACKOFF, /* exited; a timer restarts it */
        SERVICE_STOPPING, /* SIGTERM sent; not restarted when it exits */
        SERVICE_STOPPED,
        _SERVICE_STATE_MAX,
} ServiceState;

typedef struct Service {
        const ServiceSpec *spec; /* borrowed: outlives the service */
        Manager *manager;

        ServiceState state;
        pid_t pid;
        double started_at; /* uptime() */
        bool ready;
        unsigned restarts;
        Backoff backoff;
        sd_event_source *restart_timer;
        sd_event_source *stop_timer; /* SIGKILL once the stop grace has passed */
        sd_event_source *ready_timer; /* the readiness deadline */
        sd_event_source *ready_poll; /* connect() to ready_socket, every 100 ms */
        sd_event_source *output; /* the pipe carrying its stdout and stderr */
        char linebuf[1024];
        size_t linelen;
        /* Called once it stopped for good (stopped, or not restarted by its
         * policy), never during shutdown; may remove the service. */
        void (*on_stopped)(struct Service *s);
        void *userdata;
} Service;

const char *service_state_to_string(ServiceState s);
const char *readiness_to_string(Readiness r);

/* service.c: the table. Services are added (and removed once stopped) at
 * run time; the table keeps them in the order they were added, which is the
 * order they start in and the reverse of the order they stop in. */
int service_add(Manager *m, const ServiceSpec *spec, Service **ret);
int service_remove(Service *s);
Service *service_find(Manager *m, const char *name);
Service *service_free(Service *s);

/* supervisor.c: the life cycle. service_start() starts it now, or leaves it
 * WAITING until its conditions are met; service_stop() sends SIGTERM (and
 * SIGHUP to a terminal's shell), SIGKILL SERVICE_STOP_GRACE_SECONDS later
 * if it is still there, and does not restart it. */
void service_start(Service *s);
int service_stop(Service *s);
unsigned service_stop_grace(const ServiceSpec *spec);

/* restart-policy.c: whether a service that exited with `res` after
 * `restarts` restarts is started again. */
struct ChildResult;
const char *restart_policy_to_string(RestartPolicy p);
bool service_should_restart(const ServiceSpec *spec, unsigned restarts, const struct ChildResult *res);

/* readiness.c: the service said it is ready (or its socket answered). */
void service_ready(Service *s);

/* spawn.c: fork + exec with a clean signal state, in its cgroup, output into a pipe. */
pid_t spawn(const ServiceSpec *spec, const char *notify_socket, int *ret_output_fd);

/* console-log.c: prefixes each line of a service's output on the console. */
int service_watch_output(Service *s, int fd);
