/* SPDX-License-Identifier: MIT */

/* Host state's containers as services. Each container is a record: its
 * definition (a copy: the state is the caller's), the spec of its service
 * (berth-ctr run NAME ...) and the service itself. Converging compares the
 * definitions (host_state_container_equal()); a changed container is
 * stopped and, once its runner has exited, started with the new one. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-contract.h"
#include "console.h"
#include "containers.h"
#include "macro.h"
#include "strv.h"

typedef struct Container {
        HostStateContainer *def; /* what it runs now */
        HostStateContainer *next; /* a changed definition, started once it stopped */
        char **argv;
        ServiceSpec spec;
        Service *service;
        bool removing; /* dropped from the state: removed once stopped */
} Container;

typedef struct ContainerSet {
        Container **list;
        size_t n;
        bool applied; /* containers_apply() was called */
        bool healthy; /* "berth: healthy" was printed */
} ContainerSet;

static const char *const ctr_env[] = { "PATH=/usr/sbin:/usr/bin", NULL };

/* ---- the pure parts ---- */

const char *container_action_to_string(ContainerAction a) {
        static const char *const names[] = { "keep", "start", "stop", "restart" };
        return a <= CONTAINER_RESTART ? names[a] : "unknown";
}

ContainerAction container_plan_one(const HostStateContainer *old, const HostStateContainer *new) {
        if (!old)
                return new ? CONTAINER_START : CONTAINER_KEEP;
        if (!new)
                return CONTAINER_STOP;
        return host_state_container_equal(old, new) ? CONTAINER_KEEP : CONTAINER_RESTART;
}

int containers_plan(const HostStateContainer *const *old, size_t n_old, const HostState *new,
                    ContainerStep **ret, size_t *ret_n) {
        size_t n_new = new ? new->n_containers : 0, n = 0;
        ContainerStep *steps = calloc(n_old + n_new + 1, sizeof(ContainerStep));

        if (!steps)
                return -ENOMEM;
        for (size_t i = 0; i < n_old; i++)
                if (!host_state_container_find(new, old[i]->name))
                        steps[n++] = (ContainerStep){ old[i]->name, CONTAINER_STOP };
        for (size_t i = 0; i < n_new; i++) {
                const HostStateContainer *c = &new->containers[i], *was = NULL;
                for (size_t j = 0; j < n_old && !was; j++)
                        if (streq(old[j]->name, c->name))
                                was = old[j];
                steps[n++] = (ContainerStep){ c->name, container_plan_one(was, c) };
        }
        *ret = steps;
        *ret_n = n;
        return 0;
}

static int push(char ***l, const char *a, const char *b) {
        if (strv_extend(l, a) < 0 || (b && strv_extend(l, b) < 0))
                return -ENOMEM;
        return 0;
}

static int push_u64(char ***l, const char *opt, uint64_t v) {
        char text[32];
        snprintf(text, sizeof(text), "%llu", (unsigned long long) v);
        return push(l, opt, text);
}

int container_argv(const HostStateContainer *c, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r = 0;

        r = push(&l, BERTH_CTR_PATH, "run");
        r = r ?: push(&l, c->name, NULL);
        if (c->image)
                r = r ?: push(&l, "--image", c->image);
        else if (c->archive.url && c->archive.sha256) {
                /* berth-ctr has berth-fetch download it (BERTH_ARCHIVE_DIR),
                 * then imports it under a name made of the sha256. */
                r = r ?: push(&l, "--archive-url", c->archive.url);
                r = r ?: push(&l, "--archive-sha256", c->archive.sha256);
        } else
                return -EINVAL;
        if (c->resources.memory_max)
                r = r ?: push_u64(&l, "--memory", c->resources.memory_max);
        if (c->resources.pids_max)
                r = r ?: push_u64(&l, "--pids", c->resources.pids_max);
        if (c->resources.cpu_max)
                r = r ?: push(&l, "--cpu-max", c->resources.cpu_max);
        if (c->resources.cpu_weight)
                r = r ?: push_u64(&l, "--cpu-weight", (uint64_t) c->resources.cpu_weight);
        for (char **e = c->env; r == 0 && e && e[0] && e[1]; e += 2) {
                _cleanup_free_ char *kv = NULL;
                if (asprintf(&kv, "%s=%s", e[0], e[1]) < 0)
                        return -ENOMEM;
                r = push(&l, "--env", kv);
        }
        for (size_t i = 0; r == 0 && i < c->n_mounts; i++) {
                r = push(&l, "--mount", c->mounts[i].source);
                r = r ?: push(&l, "--to", c->mounts[i].target);
                if (c->mounts[i].read_only)
                        r = r ?: push(&l, "--ro", NULL);
        }
        if (c->host_network)
                r = r ?: push(&l, "--host-network", NULL);
        if (c->command && !c->command[0])
                r = r ?: push(&l, "--no-command", NULL);
        STRV_FOREACH (a, c->command)
                r = r ?: push(&l, "--command", *a);
        if (c->args && !c->args[0])
                r = r ?: push(&l, "--no-args", NULL);
        STRV_FOREACH (a, c->args)
                r = r ?: push(&l, "--arg", *a);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

static char **strv_copy(char *const *l, bool *failed) {
        char **copy = NULL;
        if (!l)
                return NULL;
        if (!l[0]) {
                copy = calloc(1, sizeof(char *));
                *failed = *failed || !copy;
                return copy;
        }
        for (; *l; l++)
                if (strv_extend(&copy, *l) < 0) {
                        *failed = true;
                        return strv_free(copy);
                }
        return copy;
}

static char *str_copy(const char *s, bool *failed) {
        char *c = s ? strdup(s) : NULL;
        *failed = *failed || (s && !c);
        return c;
}

HostStateContainer *container_free(HostStateContainer *c) {
        if (!c)
                return NULL;
        host_state_container_done(c);
        free(c);
        return NULL;
}

HostStateContainer *container_dup(const HostStateContainer *c) {
        HostStateContainer *d = calloc(1, sizeof(*d));
        bool failed = false;

        if (!d)
                return NULL;
        *d = (HostStateContainer){
                .host_network = c->host_network,
                .restart = c->restart,
                .max_restarts = c->max_restarts,
                .resources = c->resources,
        };
        d->name = str_copy(c->name, &failed);
        d->image = str_copy(c->image, &failed);
        d->archive.url = str_copy(c->archive.url, &failed);
        d->archive.sha256 = str_copy(c->archive.sha256, &failed);
        d->command = strv_copy(c->command, &failed);
        d->args = strv_copy(c->args, &failed);
        d->env = strv_copy(c->env, &failed);
        d->resources.cpu_max = str_copy(c->resources.cpu_max, &failed);
        if (c->n_mounts) {
                d->mounts = calloc(c->n_mounts, sizeof(HostStateMount));
                failed = failed || !d->mounts;
                for (size_t i = 0; d->mounts && i < c->n_mounts; i++) {
                        d->mounts[i].source = str_copy(c->mounts[i].source, &failed);
                        d->mounts[i].target = str_copy(c->mounts[i].target, &failed);
                        d->mounts[i].read_only = c->mounts[i].read_only;
                        d->n_mounts = i + 1;
                }
        }
        return failed ? container_free(d) : d;
}

/* ---- records and their services ---- */

static ContainerSet *set_get(Manager *m) {
        if (!m->containers)
                m->containers = calloc(1, sizeof(ContainerSet));
        return m->containers;
}

static void record_free(Container *c) {
        container_free(c->def);
        container_free(c->next);
        strv_free(c->argv);
        free(c);
}

static void record_drop(Manager *m, Container *c) {
        ContainerSet *set = m->containers;
        for (size_t i = 0; i < set->n; i++)
                if (set->list[i] == c) {
                        memmove(&set->list[i], &set->list[i + 1], (set->n - i - 1) * sizeof(Container *));
                        set->n--;
                        break;
                }
        record_free(c);
}

/* The spec of c->def's service; its argv is c->argv. */
static int record_spec(Container *c) {
        _cleanup_strv_free_ char **argv = NULL;
        int r = container_argv(c->def, &argv);
        if (r < 0)
                return r;
        strv_free(c->argv);
        c->argv = TAKE_PTR(argv);
        c->spec = (ServiceSpec){
                .name = c->def->name,
                .argv = (const char *const *) c->argv,
                .env = ctr_env,
                .readiness = READINESS_NOTIFY,
                /* Pulls need the network; everything needs containerd. */
                .wants = CONDITION_CONTAINERD | CONDITION_NETWORK,
                .cgroup = CONTAINER_RUNNER_CGROUP,
                .restart = c->def->restart == HOST_STATE_RESTART_NEVER        ? RESTART_NEVER
                           : c->def->restart == HOST_STATE_RESTART_ON_FAILURE ? RESTART_ON_FAILURE
                                                                              : RESTART_ALWAYS,
                .max_restarts = c->def->max_restarts > 0 ? (unsigned) c->def->max_restarts : 0,
                .stop_grace = CONTAINER_RUNNER_STOP_GRACE,
                .ready_timeout = CONTAINER_READY_TIMEOUT,
                .ready_milestone = "container %s running",
                .stop_first = true,
        };
        return 0;
}

static void on_stopped(Service *s);

static int record_start(Manager *m, Container *c) {
        int r = record_spec(c);
        if (r < 0)
                return r;
        r = service_add(m, &c->spec, &c->service);
        if (r == -EEXIST) {
                console_warning("container %s: a system service has that name; not started", c->def->name);
                return r;
        }
        if (r < 0)
                return r;
        c->service->on_stopped = on_stopped;
        c->service->userdata = c;
        service_start(c->service);
        return 0;
}

/* Its runner has exited for good: a removed container's record goes, a
 * changed one starts again with its new definition. */
static void on_stopped(Service *s) {
        Container *c = s->userdata;
        Manager *m = s->manager;

        if (!c->removing && !c->next) {
                containers_check_healthy(m);
                return; /* its policy said no more restarts: it stays, stopped */
        }
        c->service = NULL;
        (void) service_remove(s);
        if (c->removing) {
                console_info("container %s removed", c->def->name);
                record_drop(m, c);
                return;
        }
        container_free(c->def);
        c->def = TAKE_PTR(c->next);
        if (record_start(m, c) < 0)
                record_drop(m, c);
}

static Container *record_find(ContainerSet *set, const char *name) {
        for (size_t i = 0; i < set->n; i++)
                if (streq(set->list[i]->def->name, name))
                        return set->list[i];
        return NULL;
}

/* Stops c's runner; on_stopped() follows (now, when it was not running). */
static void record_stop(Container *c) {
        Service *s = c->service;
        if (!s) {
                return;
        }
        if (s->pid > 0 && s->state != SERVICE_STOPPING) {
                (void) service_stop(s);
                return;
        }
        if (s->pid <= 0) {
                (void) service_stop(s);
                on_stopped(s);
        }
}

int containers_apply(Manager *m, const HostState *state) {
        ContainerSet *set = set_get(m);
        _cleanup_free_ const HostStateContainer **old = NULL;
        _cleanup_free_ ContainerStep *steps = NULL;
        size_t n_old = 0, n_steps = 0;
        int r;

        if (!set)
                return -ENOMEM;
        if (m->shutting_down)
                return 0;
        /* What each container will run once what is under way is done. */
        old = calloc(set->n + 1, sizeof(*old));
        if (!old)
                return -ENOMEM;
        for (size_t i = 0; i < set->n; i++)
                if (!set->list[i]->removing)
                        old[n_old++] = set->list[i]->next ?: set->list[i]->def;
        r = containers_plan(old, n_old, state, &steps, &n_steps);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n_steps; i++) {
                const HostStateContainer *want = host_state_container_find(state, steps[i].name);
                Container *c = record_find(set, steps[i].name);

                switch (steps[i].action) {
                case CONTAINER_KEEP:
                        break;
                case CONTAINER_STOP:
                        c->removing = true;
                        c->next = container_free(c->next);
                        record_stop(c);
                        break;
                case CONTAINER_START:
                        if (c) {
                                /* Still stopping from an earlier removal: it comes back. */
                                c->removing = false;
                                container_free(c->next);
                                c->next = container_dup(want);
                                if (!c->next)
                                        return -ENOMEM;
                                record_stop(c);
                                break;
                        }
                        c = calloc(1, sizeof(Container));
                        Container **grown = realloc(set->list, (set->n + 1) * sizeof(Container *));
                        if (!c || !grown) {
                                free(c);
                                if (grown)
                                        set->list = grown;
                                return -ENOMEM;
                        }
                        set->list = grown;
                        c->def = container_dup(want);
                        if (!c->def) {
                                free(c);
                                return -ENOMEM;
                        }
                        set->list[set->n++] = c;
                        if (record_start(m, c) < 0)
                                record_drop(m, c);
                        break;
                case CONTAINER_RESTART:
                        console_info("container %s changed: restarting it", want->name);
                        container_free(c->next);
                        c->next = container_dup(want);
                        if (!c->next)
                                return -ENOMEM;
                        record_stop(c);
                        break;
                }
        }
        set->applied = true;
        containers_check_healthy(m);
        return 0;
}

void containers_check_healthy(Manager *m) {
        ContainerSet *set = m->containers;

        if (!set || set->healthy || !set->applied || !manager_conditions_met(m, CONDITION_CONTAINERD))
                return;
        for (size_t i = 0; i < set->n; i++) {
                Container *c = set->list[i];
                if (c->removing || c->def->restart != HOST_STATE_RESTART_ALWAYS)
                        continue;
                if (!c->service || c->service->state != SERVICE_RUNNING || !c->service->ready)
                        return;
        }
        set->healthy = true;
        console_milestone("healthy");
}

void containers_free(Manager *m) {
        ContainerSet *set = m->containers;
        if (!set)
                return;
        for (size_t i = 0; i < set->n; i++)
                record_free(set->list[i]);
        free(set->list);
        free(set);
        m->containers = NULL;
}

/* ---- what berthctl status shows ---- */

bool containers_each(Manager *m, size_t i, const HostStateContainer **def, Service **service) {
        ContainerSet *set = m->containers;
        if (!set || i >= set->n)
                return false;
        *def = set->list[i]->def;
        *service = set->list[i]->service;
        return true;
}
