/* SPDX-License-Identifier: MIT */

/* {"method":"status"}: what berthctl status shows (docs/control.md). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "console.h"
#include "control.h"
#include "containers.h"
#include "fileio.h"
#include "manager.h"

static json_object *seconds(double s) {
        char text[32];

        /* Two decimals, as the console prints them. */
        snprintf(text, sizeof(text), "%.2f", s);
        return json_object_new_double_s(s, text);
}

static json_object *service_status(const Service *s, double now) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(s->spec->name));
        json_object_object_add(o, "state", json_object_new_string(service_state_to_string(s->state)));
        json_object_object_add(o, "pid", json_object_new_int(s->pid));
        json_object_object_add(o, "restarts", json_object_new_int((int) s->restarts));
        json_object_object_add(o, "uptime", s->pid > 0 ? seconds(now - s->started_at) : NULL);
        json_object_object_add(o, "ready", json_object_new_boolean(s->ready));
        json_object_object_add(o, "readiness",
                               json_object_new_string(readiness_to_string(s->spec->readiness)));
        json_object_object_add(o, "cgroup",
                               s->spec->cgroup ? json_object_new_string(s->spec->cgroup) : NULL);
        return o;
}

/* A number from the container's cgroup: the first of FILE, or the value of
 * KEY in a "key value" file (cpu.stat). -1 when it is not there. */
static int64_t cgroup_number(const char *name, const char *file, const char *key) {
        char path[256];
        _cleanup_free_ char *text = NULL;
        const char *p;

        snprintf(path, sizeof(path), "/sys/fs/cgroup/containers/%s/%s", name, file);
        if (read_full_file(path, 64 * 1024, &text, NULL) < 0)
                return -1;
        p = text;
        if (key) {
                size_t n = strlen(key);
                for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                        if (strncmp(p, key, n) == 0 && p[n] == ' ')
                                break;
                if (!p)
                        return -1;
                p += n + 1;
        }
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        return errno || end == p ? -1 : v;
}

static json_object *number_or_null(int64_t v) {
        return v >= 0 ? json_object_new_int64(v) : NULL;
}

static json_object *container_status(const HostStateContainer *def, const Service *s) {
        json_object *o = json_object_new_object(), *limits = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(def->name));
        json_object_object_add(o, "image", def->image ? json_object_new_string(def->image) : NULL);
        json_object_object_add(o, "state",
                               json_object_new_string(s ? service_state_to_string(s->state) : "stopped"));
        json_object_object_add(o, "running", json_object_new_boolean(s && s->ready && s->pid > 0));
        json_object_object_add(o, "restarts", json_object_new_int(s ? (int) s->restarts : 0));
        json_object_object_add(o, "restart",
                               json_object_new_string(host_state_restart_to_string(def->restart)));
        json_object_object_add(o, "runner_pid", json_object_new_int(s ? s->pid : 0));
        json_object_object_add(
                limits, "memory_max",
                number_or_null(def->resources.memory_max ? (int64_t) def->resources.memory_max : -1));
        json_object_object_add(
                limits, "pids_max",
                number_or_null(def->resources.pids_max ? (int64_t) def->resources.pids_max : -1));
        json_object_object_add(limits, "cpu_max",
                               def->resources.cpu_max ? json_object_new_string(def->resources.cpu_max)
                                                      : NULL);
        json_object_object_add(limits, "cpu_weight",
                               number_or_null(def->resources.cpu_weight ? def->resources.cpu_weight : -1));
        json_object_object_add(o, "limits", limits);
        json_object_object_add(o, "memory_current",
                               number_or_null(cgroup_number(def->name, "memory.current", NULL)));
        json_object_object_add(o, "cpu_usage_usec",
                               number_or_null(cgroup_number(def->name, "cpu.stat", "usage_usec")));
        return o;
}

json_object *control_status(Manager *m) {
        json_object *o = json_object_new_object(), *services = json_object_new_array(),
                    *milestones = json_object_new_array(), *jobs = json_object_new_array(),
                    *network = json_object_new_object();
        double now = uptime();
        const Milestone *ms;
        size_t n;

        json_object_object_add(o, "uptime", seconds(now));
        for (size_t i = 0; i < m->n_services; i++)
                json_object_array_add(services, service_status(m->services[i], now));
        json_object_object_add(o, "services", services);

        json_object *containers = json_object_new_array();
        const HostStateContainer *def;
        Service *service;
        for (size_t i = 0; containers_each(m, i, &def, &service); i++)
                json_object_array_add(containers, container_status(def, service));
        json_object_object_add(o, "containers", containers);

        ms = console_milestones(&n);
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_new_object();
                json_object_object_add(e, "name", json_object_new_string(ms[i].name));
                json_object_object_add(e, "time", seconds(ms[i].at));
                json_object_array_add(milestones, e);
        }
        json_object_object_add(o, "milestones", milestones);

        json_object_object_add(network, "up", json_object_new_boolean(m->network_up));
        json_object_object_add(network, "address",
                               m->network_up ? json_object_new_string(m->network_address) : NULL);
        json_object_object_add(o, "network", network);

        /* Helper jobs still running (services' children are listed above). */
        for (const Child *c = m->children; c; c = c->next) {
                bool is_service = false;
                for (size_t i = 0; i < m->n_services; i++)
                        is_service = is_service || m->services[i]->pid == c->pid;
                if (is_service)
                        continue;
                json_object *e = json_object_new_object();
                json_object_object_add(e, "name", json_object_new_string(c->name));
                json_object_object_add(e, "pid", json_object_new_int(c->pid));
                json_object_array_add(jobs, e);
        }
        json_object_object_add(o, "jobs", jobs);

        /* The host state the host runs: null when none. */
        json_object *state = NULL;
        if (m->state) {
                state = json_object_new_object();
                json_object_object_add(state, "source", json_object_new_string(m->state_source));
                json_object_object_add(state, "sha256", json_object_new_string(m->state_sha256));
                json_object_object_add(state, "applied", seconds(m->state_applied_at));
                json_object_object_add(state, "last_good", json_object_new_boolean(m->state_last_good));
                json_object_object_add(state, "refresh", json_object_new_int64(m->state->refresh));
        }
        json_object_object_add(o, "state", state);
        json_object_object_add(o, "orphans_reaped", json_object_new_int64((int64_t) m->orphans_reaped));
        return o;
}
