/* SPDX-License-Identifier: MIT */

/* berth-init as dhcpcd's hook script (the image has no shell to run
 * dhcpcd-run-hooks): on a new lease, write /etc/resolv.conf from it
 * (atomically) and tell PID 1 the network is up. dhcpcd passes the lease in
 * the environment: reason, interface, new_ip_address, new_domain_name_servers,
 * new_domain_search, new_domain_name. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "macro.h"
#include "fileio.h"
#include "manager.h"
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
        const char *dns = getenv("new_domain_name_servers"), *search = getenv("new_domain_search"),
                   *domain = getenv("new_domain_name");
        char text[2048];
        size_t n = 0;

        if (!dns || !dns[0])
                return;
        n += (size_t) snprintf(text + n, sizeof(text) - n, "# written by berth-init from the DHCP lease\n");
        if ((search && search[0]) || (domain && domain[0]))
                n += (size_t) snprintf(text + n, sizeof(text) - n, "search %s\n",
                                       search && search[0] ? search : domain);
        _cleanup_free_ char *copy = strdup(dns);
        char *save = NULL;
        for (char *a = copy ? strtok_r(copy, " ", &save) : NULL; a && n < sizeof(text) - 64;
             a = strtok_r(NULL, " ", &save))
                n += (size_t) snprintf(text + n, sizeof(text) - n, "nameserver %s\n", a);
        (void) write_file_atomic("/etc/resolv.conf", text, n, 0644);
}

static void notify_pid1(const char *address) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = NOTIFY_SOCKET_PATH };
        char msg[128];
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return;
        snprintf(msg, sizeof(msg), "BERTH_NETWORK_UP=%s", address);
        (void) sendto(fd, msg, strlen(msg), 0, (struct sockaddr *) &sa, sizeof(sa));
        close(fd);
}

int dhcpcd_hook_main(void) {
        const char *reason = getenv("reason"), *ip = getenv("new_ip_address"), *ifname = getenv("interface");
        char address[96];

        if (!bound(reason))
                return 0;
        write_resolv_conf();
        snprintf(address, sizeof(address), "%s %s", ifname ? ifname : "?", ip ? ip : "(ipv6)");
        notify_pid1(address);
        return 0;
}
