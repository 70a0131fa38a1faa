/* SPDX-License-Identifier: MIT */

/* berth-init as dhcpcd's hook script (the image has no shell to run
 * dhcpcd-run-hooks): on a new lease, write /etc/resolv.conf from it
 * (atomically) and tell PID 1 the network is up, over the control socket. dhcpcd passes the lease in
 * the environment: reason, interface, new_ip_address, new_domain_name_servers,
 * new_domain_search, new_domain_name. */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "fileio.h"
#include "control-client.h"
#include "resolv-conf.h"
#include "stage2.h"

static bool bound(const char *reason) {
        static const char *const reasons[] = { "BOUND",  "RENEW",  "REBIND", "REBOOT",
                                               "STATIC", "BOUND6", "REBOOT6" };
        for (size_t i = 0; reason && i < ARRAY_SIZE(reasons); i++)
                if (streq(reason, reasons[i]))
                        return true;
        return false;
}

static void write_resolv_conf(void) {
        char text[2048];
        size_t n;

        if (resolv_conf_format(getenv("new_domain_name_servers"), getenv("new_domain_search"),
                               getenv("new_domain_name"), text, sizeof(text), &n) < 0)
                return;
        (void) write_file_atomic("/etc/resolv.conf", text, n, 0644);
}

/* Over the control socket: PID 1 takes "network up" from root only. */
static int tell_pid1(const char *interface, const char *address) {
        json_object *req = json_object_new_object(), *reply = NULL, *err;
        int r;

        json_object_object_add(req, "method", json_object_new_string("network-up"));
        json_object_object_add(req, "interface", json_object_new_string(interface));
        json_object_object_add(req, "address", json_object_new_string(address));
        r = control_call(req, 5000, &reply);
        json_object_put(req);
        if (r < 0) {
                fprintf(stderr, "dhcpcd-hook: cannot tell PID 1 the network is up: %s\n", strerror(-r));
                return r;
        }
        if (json_object_object_get_ex(reply, "error", &err)) {
                fprintf(stderr, "dhcpcd-hook: PID 1 said: %s\n", json_object_get_string(err));
                r = -EINVAL;
        }
        json_object_put(reply);
        return r;
}

int dhcpcd_hook_main(void) {
        const char *reason = getenv("reason"), *ip = getenv("new_ip_address"), *ifname = getenv("interface");
        if (!bound(reason))
                return 0;
        write_resolv_conf();
        return tell_pid1(ifname && ifname[0] ? ifname : "?", ip && ip[0] ? ip : "(ipv6)") < 0 ? 1 : 0;
}
