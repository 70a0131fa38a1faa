/* SPDX-License-Identifier: MIT */

/* Restart policies, as docker's --restart has them: always, on-failure
 * with a limit of restarts, never. A service stopped on purpose (reload,
 * shutdown) is never restarted whatever its policy: supervisor.c does not
 * ask then. */

#include <sys/wait.h>

#include "child.h"
#include "service.h"

const char *restart_policy_to_string(RestartPolicy p) {
        switch (p) {
        case RESTART_ON_FAILURE:
                return "on-failure";
        case RESTART_NEVER:
                return "never";
        default:
                return "always";
        }
}

bool service_should_restart(const ServiceSpec *spec, unsigned restarts, const ChildResult *res) {
        switch (spec->restart) {
        case RESTART_NEVER:
                return false;
        case RESTART_ON_FAILURE:
                return (res->code != CLD_EXITED || res->status != 0) && restarts < spec->max_restarts;
        default:
                return true;
        }
}
