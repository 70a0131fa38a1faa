/* SPDX-License-Identifier: MIT */
#pragma once

/* Host state's containers, each a service PID 1 supervises: berth-ctr run
 * NAME ..., which speaks to containerd (docs/host-state.md, "How containers
 * run"). containers_apply() converges on a validated state: containers it
 * adds start, those it drops stop (TERM, grace, KILL, delete), those that
 * changed are stopped and started again, and the others are not touched. */

#include <stddef.h>

#include "host-state.h"
#include "manager.h"

/* Where a container's runner sits; its task is in containers/NAME. */
#define CONTAINER_RUNNER_CGROUP "system/berth-ctr"
/* berth-ctr's own grace (TERM to KILL of the task) and the supervisor's
 * (TERM to KILL of berth-ctr): the runner has time to delete the task. */
#define CONTAINER_STOP_GRACE 10
#define CONTAINER_RUNNER_STOP_GRACE (CONTAINER_STOP_GRACE + 5)
/* A pull under emulation can take minutes: readiness (the task started) may
 * take this long before the runner is restarted. */
#define CONTAINER_READY_TIMEOUT 1800

int containers_apply(Manager *m, const HostState *state);

/* At the end of the boot (tests): every record freed; services left as they are. */
void containers_free(Manager *m);

/* ---- the pure parts (tests/test-containers.c) ---- */

typedef enum ContainerAction {
        CONTAINER_KEEP,
        CONTAINER_START,
        CONTAINER_STOP,
        CONTAINER_RESTART,
} ContainerAction;

const char *container_action_to_string(ContainerAction a);
/* What converging does with one name: old (running now) or NULL, new (in
 * the state) or NULL. */
ContainerAction container_plan_one(const HostStateContainer *old, const HostStateContainer *new);

typedef struct ContainerStep {
        const char *name; /* borrowed from old or new */
        ContainerAction action;
} ContainerStep;

/* Every old container not in new is stopped (first, in old's order), then
 * each of new's, in its order, is started, restarted or kept. */
int containers_plan(const HostStateContainer *const *old, size_t n_old, const HostState *new,
                    ContainerStep **ret, size_t *ret_n);

/* berth-ctr's command line for c. */
int container_argv(const HostStateContainer *c, char ***ret);

/* A deep copy (the state is the caller's and may be freed after apply). */
HostStateContainer *container_dup(const HostStateContainer *c);
HostStateContainer *container_free(HostStateContainer *c);

/* The i-th container (berthctl status): false past the last. */
bool containers_each(Manager *m, size_t i, const HostStateContainer **def, Service **service);
