/* SPDX-License-Identifier: MIT */

/* berthctl status [--json]: what PID 1 says of the services, the network
 * and the boot's milestones; --json prints PID 1's answer as it is. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "berthctl.h"
#include "stage2/control-client.h"

static const char *str(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "-";
}

static void print_human(json_object *reply) {
        json_object *services, *milestones, *network, *jobs, *up;

        printf("%-12s %-9s %7s %8s %9s %-5s %s\n", "SERVICE", "STATE", "PID", "RESTARTS", "UPTIME", "READY",
               "READINESS");
        if (json_object_object_get_ex(reply, "services", &services))
                for (size_t i = 0; i < json_object_array_length(services); i++) {
                        json_object *s = json_object_array_get_idx(services, i), *v;
                        char uptime[32] = "-";

                        if (json_object_object_get_ex(s, "uptime", &v) && v)
                                snprintf(uptime, sizeof(uptime), "%.1fs", json_object_get_double(v));
                        json_object_object_get_ex(s, "ready", &v);
                        printf("%-12s %-9s %7s %8s %9s %-5s %s\n", str(s, "name"), str(s, "state"),
                               streq(str(s, "pid"), "0") ? "-" : str(s, "pid"), str(s, "restarts"), uptime,
                               json_object_get_boolean(v) ? "yes" : "no", str(s, "readiness"));
                }
        json_object *containers;
        if (json_object_object_get_ex(reply, "containers", &containers) &&
            json_object_array_length(containers)) {
                printf("\n%-16s %-9s %8s %-10s %10s %10s %-14s %10s %10s\n", "CONTAINER", "STATE",
                       "RESTARTS", "RESTART", "MEMORY.MAX", "PIDS.MAX", "CPU.MAX", "MEMORY", "CPU");
                for (size_t i = 0; i < json_object_array_length(containers); i++) {
                        json_object *c = json_object_array_get_idx(containers, i), *limits = NULL, *v;
                        char memory[32] = "-", cpu[32] = "-";

                        json_object_object_get_ex(c, "limits", &limits);
                        if (json_object_object_get_ex(c, "memory_current", &v) && v)
                                snprintf(memory, sizeof(memory), "%.1fM",
                                         (double) json_object_get_int64(v) / (1024.0 * 1024.0));
                        if (json_object_object_get_ex(c, "cpu_usage_usec", &v) && v)
                                snprintf(cpu, sizeof(cpu), "%.2fs", (double) json_object_get_int64(v) / 1e6);
                        printf("%-16s %-9s %8s %-10s %10s %10s %-14s %10s %10s\n", str(c, "name"),
                               str(c, "state"), str(c, "restarts"), str(c, "restart"),
                               limits ? str(limits, "memory_max") : "-",
                               limits ? str(limits, "pids_max") : "-", limits ? str(limits, "cpu_max") : "-",
                               memory, cpu);
                }
        }
        if (json_object_object_get_ex(reply, "network", &network)) {
                json_object_object_get_ex(network, "up", &up);
                printf("\nnetwork: %s\n", json_object_get_boolean(up) ? str(network, "address") : "not up");
        }
        json_object *state;
        if (json_object_object_get_ex(reply, "state", &state) && state)
                printf("state: %s sha256:%s applied at %s s%s\n", str(state, "source"), str(state, "sha256"),
                       str(state, "applied"),
                       json_object_get_boolean(json_object_object_get(state, "last_good")) ? " (last good)"
                                                                                           : "");
        else
                printf("state: none\n");
        if (json_object_object_get_ex(reply, "jobs", &jobs))
                for (size_t i = 0; i < json_object_array_length(jobs); i++) {
                        json_object *j = json_object_array_get_idx(jobs, i);
                        printf("job: %s (pid %s)\n", str(j, "name"), str(j, "pid"));
                }
        if (json_object_object_get_ex(reply, "milestones", &milestones)) {
                printf("\n%-28s %s\n", "MILESTONE", "TIME");
                for (size_t i = 0; i < json_object_array_length(milestones); i++) {
                        json_object *ms = json_object_array_get_idx(milestones, i);
                        printf("%-28s %s\n", str(ms, "name"), str(ms, "time"));
                }
        }
        printf("\nuptime %s s, orphans reaped %s\n", str(reply, "uptime"), str(reply, "orphans_reaped"));
}

int berthctl_status(int argc, char *argv[]) {
        bool json = false;
        json_object *reply = NULL;

        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--json"))
                        json = true;
                else {
                        fprintf(stderr, "berthctl status: unknown option '%s'\n", argv[i]);
                        return 2;
                }
        }
        if (berthctl_call("status", &reply) != 0)
                return 1;
        if (json)
                printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY |
                                                                             JSON_C_TO_STRING_SPACED));
        else
                print_human(reply);
        json_object_put(reply);
        return 0;
}
