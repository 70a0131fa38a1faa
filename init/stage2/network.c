/* SPDX-License-Identifier: MIT */

/* The network condition. The DHCP client's hook tells PID 1 of a lease over
 * the control socket ("network up"); services that want the network start
 * then. A host without a lease still runs its local containers: past
 * berth.network_timeout the condition is given up on, loudly, and what waits
 * for it starts; a lease that comes later still brings "network up". */

#include <stdio.h>

#include "macro.h"
#include "console.h"
#include "manager.h"

void manager_network_up(Manager *m, const char *interface, const char *address) {
        if (m->network_up)
                return;
        m->network_up = true;
        snprintf(m->network_address, sizeof(m->network_address), "%s%s%s", strempty(interface),
                 interface ? " " : "", address);
        m->network_timer = sd_event_source_disable_unref(m->network_timer);
        console_milestone("network up");
        console_info("address %s", m->network_address);
        manager_condition_met(m, CONDITION_NETWORK);
}

static int on_network_timeout(sd_event_source *es, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        m->network_timer = sd_event_source_disable_unref(m->network_timer);
        if (m->network_up)
                return 0;
        console_failed("network", "no DHCP lease within %u s; going on without it", m->network_timeout);
        manager_condition_met(m, CONDITION_NETWORK);
        return 0;
}

/* Without a service that provides the network nothing would ever say it is
 * up: it is as up as it will get. */
void manager_network_watch(Manager *m) {
        bool provided = false;

        for (size_t i = 0; i < m->n_services; i++)
                if ((m->services[i]->spec->provides & CONDITION_NETWORK) &&
                    m->services[i]->state != SERVICE_STOPPED)
                        provided = true;
        if (!provided)
                manager_network_up(m, NULL, "(no DHCP client)");
        else if (m->network_timeout > 0 && !m->network_up) {
                uint64_t now = 0;
                (void) sd_event_now(m->event, CLOCK_MONOTONIC, &now);
                (void) sd_event_add_time(m->event, &m->network_timer, CLOCK_MONOTONIC,
                                         now + m->network_timeout * 1000000ULL, 0, on_network_timeout, m);
        }
}
