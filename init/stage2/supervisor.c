/* SPDX-License-Identifier: MIT */

/* Starting, watching, restarting and stopping services. A service starts
 * once the conditions its spec wants are met; one that exits is started
 * again after its back-off (backoff.h); nothing here gives up or stops the
 * boot: once the main loop runs, PID 1 warns and carries on. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "console.h"
#include "fs-util.h"
#include "manager.h"

#define READY_TIMEOUT_USEC (90ULL * 1000000ULL)
#define READY_POLL_USEC (100ULL * 1000ULL)

static uint64_t now_usec(Manager *m) {
        uint64_t now = 0;
        (void) sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        return now;
}

static uint64_t ready_timeout_usec(const ServiceSpec *spec);

/* A service that never says it is ready is as good as hung: kill it, and
 * the back-off restarts it, as systemd does when TimeoutStartSec= passes. */
static int on_ready_timeout(sd_event_source *es, uint64_t usec, void *userdata) {
        Service *s = userdata;

        if (s->state == SERVICE_RUNNING && !s->ready && s->pid > 0) {
                console_failed(s->spec->name, "not ready %llu s after it started; restarting it",
                               ready_timeout_usec(s->spec) / 1000000ULL);
                (void) kill(s->pid, SIGKILL);
        }
        return 0;
}

/* Socket readiness (or notify readiness without a notify socket): the
 * service's own socket answering. */
static int on_ready_poll(sd_event_source *es, uint64_t usec, void *userdata) {
        Service *s = userdata;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        if (s->ready || s->state != SERVICE_RUNNING) {
                s->ready_poll = sd_event_source_disable_unref(s->ready_poll);
                return 0;
        }
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->spec->ready_socket);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0) {
                s->ready_poll = sd_event_source_disable_unref(s->ready_poll);
                service_ready(s);
                return 0;
        }
        (void) sd_event_source_set_time(es, usec + READY_POLL_USEC);
        return 0;
}

static uint64_t ready_timeout_usec(const ServiceSpec *spec) {
        return spec->ready_timeout ? spec->ready_timeout * 1000000ULL : READY_TIMEOUT_USEC;
}

unsigned service_stop_grace(const ServiceSpec *spec) {
        return spec->stop_grace ?: SERVICE_STOP_GRACE_SECONDS;
}

static void readiness_watch(Service *s) {
        Manager *m = s->manager;
        const ServiceSpec *spec = s->spec;
        uint64_t now = now_usec(m);

        if (spec->readiness == READINESS_NONE) {
                s->ready = true;
                return;
        }
        s->ready_timer = sd_event_source_disable_unref(s->ready_timer);
        (void) sd_event_add_time(m->event, &s->ready_timer, CLOCK_MONOTONIC, now + ready_timeout_usec(spec),
                                 0, on_ready_timeout, s);
        s->ready_poll = sd_event_source_disable_unref(s->ready_poll);
        if (spec->ready_socket && (spec->readiness == READINESS_SOCKET || !readiness_socket(m)))
                (void) sd_event_add_time(m->event, &s->ready_poll, CLOCK_MONOTONIC, now + READY_POLL_USEC, 0,
                                         on_ready_poll, s);
}

static void service_exited(Manager *m, pid_t pid, const ChildResult *res, void *userdata);

static void folders_make(const ServiceSpec *spec) {
        for (const FolderSpec *f = spec->folders; f && f->path; f++)
                if (mkdir_p(f->path, f->mode) < 0)
                        console_warning("cannot create %s for %s: %s", f->path, spec->name, strerror(errno));
}

static void cgroup_make(const ServiceSpec *spec) {
        char path[256];

        if (!spec->cgroup)
                return;
        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", spec->cgroup);
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                console_warning("cannot create cgroup %s: %s", spec->cgroup, strerror(errno));
}

void service_start(Service *s) {
        Manager *m = s->manager;
        const ServiceSpec *spec = s->spec;
        int fd = -1, r;
        pid_t pid;

        if (m->shutting_down || s->pid > 0)
                return;
        s->restart_timer = sd_event_source_disable_unref(s->restart_timer);
        if (access(spec->argv[0], X_OK) < 0) {
                console_warning("%s is not in this image (%s); not started", spec->name, spec->argv[0]);
                s->state = SERVICE_STOPPED;
                return;
        }
        if (!manager_conditions_met(m, spec->wants)) {
                s->state = SERVICE_WAITING;
                return;
        }
        folders_make(spec);
        cgroup_make(spec);
        /* Before spawn(): a service that cannot even be started backs off too. */
        s->started_at = uptime();
        s->ready = false;
        pid = spawn(spec, spec->readiness == READINESS_NOTIFY ? readiness_socket(m) : NULL, &fd);
        if (pid < 0) {
                console_warning("cannot start %s: %s", spec->name, strerror((int) -pid));
                s->state = SERVICE_RUNNING;
                service_exited(m, 0, &(ChildResult){ .code = CLD_EXITED, .status = 126 }, s);
                return;
        }
        r = child_watch(m, pid, spec->name, service_exited, s);
        if (r < 0) {
                /* Its exit would never reach us: the service would stay
                 * RUNNING and its pid be reused. Kill it (the reaper counts
                 * it as an orphan) and back off as from a failed start. */
                (void) kill(pid, SIGKILL);
                if (fd >= 0)
                        close(fd);
                console_warning("cannot start %s: %s", spec->name, strerror(-r));
                s->state = SERVICE_RUNNING;
                service_exited(m, 0, &(ChildResult){ .code = CLD_EXITED, .status = 126 }, s);
                return;
        }
        s->pid = pid;
        s->state = SERVICE_RUNNING;
        if (fd >= 0 && service_watch_output(s, fd) < 0)
                console_warning("%s's output is lost", spec->name);
        readiness_watch(s);
        console_milestone("%s started", spec->name);
}

static int on_restart(sd_event_source *es, uint64_t usec, void *userdata) {
        service_start(userdata);
        return 0;
}

static void service_exited(Manager *m, pid_t pid, const ChildResult *res, void *userdata) {
        Service *s = userdata;
        double ran = uptime() - s->started_at, delay;
        int r;

        s->pid = 0;
        s->ready = false;
        s->ready_timer = sd_event_source_disable_unref(s->ready_timer);
        s->ready_poll = sd_event_source_disable_unref(s->ready_poll);
        s->stop_timer = sd_event_source_disable_unref(s->stop_timer);
        if (m->shutting_down || s->state == SERVICE_STOPPING) {
                s->state = SERVICE_STOPPED;
                /* Last: it may remove s. */
                if (!m->shutting_down && s->on_stopped)
                        s->on_stopped(s);
                return;
        }
        if (!service_should_restart(s->spec, s->restarts, res)) {
                s->state = SERVICE_STOPPED;
                console_info("%s %s %d after %.1f s; not restarted (restart %s, %u restarts)", s->spec->name,
                             res->code == CLD_EXITED ? "exited with status" : "was killed by signal",
                             res->status, ran, restart_policy_to_string(s->spec->restart), s->restarts);
                if (s->on_stopped)
                        s->on_stopped(s);
                return;
        }
        delay = backoff_next(&s->backoff, ran);
        s->restarts++;
        s->state = SERVICE_BACKOFF;
        console_info("%s %s %d after %.1f s; restart %u in %.1f s", s->spec->name,
                     res->code == CLD_EXITED ? "exited with status" : "was killed by signal", res->status,
                     ran, s->restarts, delay);
        r = sd_event_add_time(m->event, &s->restart_timer, CLOCK_MONOTONIC,
                              now_usec(m) + (uint64_t) (delay * 1e6), 0, on_restart, s);
        if (r >= 0)
                return;
        /* Without its timer it would stay in BACKOFF forever. Start it now;
         * unless it could not even be started (pid 0), which would loop. */
        if (pid > 0) {
                console_warning("cannot schedule %s's restart: %s; restarting it now", s->spec->name,
                                strerror(-r));
                service_start(s);
        } else {
                console_warning("cannot schedule %s's restart: %s; it stays stopped", s->spec->name,
                                strerror(-r));
                s->state = SERVICE_STOPPED;
        }
}

/* A service still there a grace period after SIGTERM gets SIGKILL, as
 * systemd does when TimeoutStopSec= passes (shutdown has its own wait). */
static int on_stop_timeout(sd_event_source *es, uint64_t usec, void *userdata) {
        Service *s = userdata;

        s->stop_timer = sd_event_source_disable_unref(s->stop_timer);
        if (s->state == SERVICE_STOPPING && s->pid > 0) {
                console_warning("%s still running %u s after SIGTERM: killing it", s->spec->name,
                                service_stop_grace(s->spec));
                (void) kill(s->pid, SIGKILL);
        }
        return 0;
}

int service_stop(Service *s) {
        Manager *m = s->manager;
        int r;

        s->restart_timer = sd_event_source_disable_unref(s->restart_timer);
        if (s->pid <= 0) {
                s->state = SERVICE_STOPPED;
                return 0;
        }
        /* During shutdown the event loop no longer runs (sd-event refuses new
         * sources with ESTALE): shutdown_run() keeps the deadline itself. */
        if (s->state != SERVICE_STOPPING && !m->shutting_down) {
                s->stop_timer = sd_event_source_disable_unref(s->stop_timer);
                r = sd_event_add_time(m->event, &s->stop_timer, CLOCK_MONOTONIC,
                                      now_usec(m) + service_stop_grace(s->spec) * 1000000ULL, 0,
                                      on_stop_timeout, s);
                if (r < 0)
                        console_warning("%s is stopped without a deadline: %s", s->spec->name, strerror(-r));
        }
        s->state = SERVICE_STOPPING;
        if (kill(s->pid, SIGTERM) < 0)
                return -errno;
        /* An interactive shell ignores SIGTERM; a hangup ends it, as a terminal's would. */
        if (s->spec->tty)
                (void) kill(s->pid, SIGHUP);
        (void) kill(s->pid, SIGCONT);
        return 0;
}

bool manager_conditions_met(const Manager *m, unsigned wanted) {
        return (wanted & ~m->conditions) == 0;
}

void manager_condition_met(Manager *m, unsigned condition) {
        m->conditions |= condition;
        for (size_t i = 0; i < m->n_services; i++) {
                Service *s = m->services[i];
                if (s->state == SERVICE_WAITING && (s->spec->wants & condition) &&
                    manager_conditions_met(m, s->spec->wants))
                        service_start(s);
        }
        state_fetch_poll(m);
}

int manager_start_services(Manager *m) {
        for (size_t i = 0; i < m->n_services; i++)
                service_start(m->services[i]);
        manager_network_watch(m);
        return 0;
}

void manager_request_shutdown(Manager *m, int action, const char *why) {
        if (m->shutting_down)
                return;
        m->shutting_down = true;
        m->shutdown_action = action;
        console_milestone("shutdown requested by %s", why);
        (void) sd_event_exit(m->event, 0);
}
