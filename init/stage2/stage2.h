/* SPDX-License-Identifier: MIT */
#pragma once

/* Stage 2: PID 1 in the real root. Returns only if it cannot even start. */
int stage2_main(void);

/* berth-init --dhcpcd-hook: run by dhcpcd on lease events; writes
 * /etc/resolv.conf from the lease and tells PID 1 the network is up. */
int dhcpcd_hook_main(void);
