/* SPDX-License-Identifier: MIT */
/* Restart policies: always, on-failure up to max_restarts, never. */

#include <string.h>
#include <sys/wait.h>

#include "../../lib/tests/tap.h"
#include "child.h"
#include "macro.h"
#include "service.h"

int main(void) {
        ServiceSpec always = { .restart = RESTART_ALWAYS }, never = { .restart = RESTART_NEVER },
                    on_failure = { .restart = RESTART_ON_FAILURE, .max_restarts = 2 };
        ChildResult ok0 = { .code = CLD_EXITED, .status = 0 }, fail1 = { .code = CLD_EXITED, .status = 1 },
                    oom = { .code = CLD_EXITED, .status = 137 },
                    killed = { .code = CLD_KILLED, .status = 9 };

        ok(service_should_restart(&always, 0, &ok0), "always: restarted after status 0");
        ok(service_should_restart(&always, 1000, &killed), "always: after any number of restarts");
        ok(!service_should_restart(&never, 0, &fail1), "never: not even after a failure");
        ok(!service_should_restart(&on_failure, 0, &ok0), "on-failure: not after status 0");
        ok(service_should_restart(&on_failure, 0, &fail1), "on-failure: after status 1");
        ok(service_should_restart(&on_failure, 1, &oom), "on-failure: after 137 (an OOM kill of the task)");
        ok(service_should_restart(&on_failure, 0, &killed), "on-failure: after a signal");
        ok(!service_should_restart(&on_failure, 2, &fail1),
           "on-failure: not once max_restarts (2) were made");
        ok(streq(restart_policy_to_string(RESTART_ON_FAILURE), "on-failure") &&
                   streq(restart_policy_to_string(RESTART_NEVER), "never") &&
                   streq(restart_policy_to_string(RESTART_ALWAYS), "always"),
           "their names, as host state spells them");
        return tap_done();
}
