/* SPDX-License-Identifier: MIT */
/* The containers subtree's pids.max (cgroup-setup.c): containers together
 * never take the PIDs the host needs to fork. */

#include "../../lib/tests/tap.h"
#include "manager.h"

int main(void) {
        ok(cgroup_containers_pids_max(32768) == 32768 - CGROUP_SYSTEM_PIDS_RESERVE,
           "pid_max 32768 (a small machine's): the host keeps %d", CGROUP_SYSTEM_PIDS_RESERVE);
        ok(cgroup_containers_pids_max(4194304) == 4194304 - CGROUP_SYSTEM_PIDS_RESERVE,
           "pid_max 4194304: the host keeps %d", CGROUP_SYSTEM_PIDS_RESERVE);
        ok(cgroup_containers_pids_max(1500) == 750, "a pid_max under twice the reserve: half of it");
        ok(cgroup_containers_pids_max(301) < 301, "never all of them");
        return tap_done();
}
