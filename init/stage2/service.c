/* SPDX-License-Identifier: MIT */

/* The service table: services added and removed at run time (the system
 * services at boot; host state's later), each a spec and its run-time state. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "manager.h"

static const char *const state_names[_SERVICE_STATE_MAX] = {
        [SERVICE_WAITING] = "waiting",   [SERVICE_RUNNING] = "running", [SERVICE_BACKOFF] = "backoff",
        [SERVICE_STOPPING] = "stopping", [SERVICE_STOPPED] = "stopped",
};

const char *service_state_to_string(ServiceState s) {
        return s >= 0 && s < _SERVICE_STATE_MAX ? state_names[s] : "unknown";
}

const char *readiness_to_string(Readiness r) {
        switch (r) {
        case READINESS_NOTIFY:
                return "notify";
        case READINESS_SOCKET:
                return "socket";
        default:
                return "none";
        }
}

Service *service_find(Manager *m, const char *name) {
        for (size_t i = 0; i < m->n_services; i++)
                if (streq(m->services[i]->spec->name, name))
                        return m->services[i];
        return NULL;
}

Service *service_free(Service *s) {
        if (s) {
                sd_event_source_disable_unref(s->restart_timer);
                sd_event_source_disable_unref(s->stop_timer);
                sd_event_source_disable_unref(s->ready_timer);
                sd_event_source_disable_unref(s->ready_poll);
                sd_event_source_disable_unref(s->output);
                free(s);
        }
        return NULL;
}

int service_add(Manager *m, const ServiceSpec *spec, Service **ret) {
        Service **grown, *s;

        if (!spec->name || !spec->argv || !spec->argv[0] || spec->argv[0][0] != '/')
                return -EINVAL;
        if (service_find(m, spec->name))
                return -EEXIST;
        s = calloc(1, sizeof(Service));
        if (!s)
                return -ENOMEM;
        grown = realloc(m->services, (m->n_services + 1) * sizeof(Service *));
        if (!grown) {
                free(s);
                return -ENOMEM;
        }
        m->services = grown;
        s->spec = spec;
        s->manager = m;
        s->state = SERVICE_WAITING;
        m->services[m->n_services++] = s;
        if (ret)
                *ret = s;
        return 0;
}

/* Only a stopped service leaves the table: nothing may still point at it. */
int service_remove(Service *s) {
        Manager *m = s->manager;

        if (s->pid > 0)
                return -EBUSY;
        for (size_t i = 0; i < m->n_services; i++)
                if (m->services[i] == s) {
                        memmove(&m->services[i], &m->services[i + 1],
                                (m->n_services - i - 1) * sizeof(Service *));
                        m->n_services--;
                        break;
                }
        service_free(s);
        return 0;
}
