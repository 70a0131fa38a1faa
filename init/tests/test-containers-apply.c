/* SPDX-License-Identifier: MIT */
/* containers_apply() on a Manager without containerd: the services it adds,
 * keeps, replaces and removes (berth-ctr is not installed on a build host,
 * so no runner starts: every service is stopped, which converging handles
 * at once), and when "berth: healthy" is printed. */

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/tests/tap.h"
#include "console.h"
#include "containers.h"
#include "macro.h"
#include "strv.h"

static HostState *parse(const char *text) {
        HostState *s = NULL;
        TomlError e = {};
        return host_state_parse(text, strlen(text), &s, &e) < 0 ? NULL : s;
}

static bool healthy_printed(void) {
        size_t n;
        const Milestone *ms = console_milestones(&n);
        for (size_t i = 0; i < n; i++)
                if (streq(ms[i].name, "healthy"))
                        return true;
        return false;
}

static bool argv_has(const Service *s, const char *a, const char *b) {
        for (const char *const *p = s->spec->argv; *p; p++)
                if (streq(p[0], a) && p[1] && streq(p[1], b))
                        return true;
        return false;
}

int main(void) {
        Manager m = { .notify_fd = -1 };
        _cleanup_(host_state_freep) HostState *one =
                parse("version = 1\n"
                      "[[containers]]\nname = \"keep\"\nimage = \"reg.example/a:1\"\n"
                      "[[containers]]\nname = \"gone\"\nimage = \"reg.example/b:1\"\n"
                      "[[containers]]\nname = \"changed\"\nimage = \"reg.example/c:1\"\n"
                      "resources = { memory_max = \"64M\" }\n");
        _cleanup_(host_state_freep) HostState *two =
                parse("version = 1\n"
                      "[[containers]]\nname = \"changed\"\nimage = \"reg.example/c:1\"\n"
                      "resources = { memory_max = \"32M\" }\n"
                      "[[containers]]\nname = \"keep\"\nimage = \"reg.example/a:1\"\n"
                      "[[containers]]\nname = \"new\"\nimage = \"reg.example/d:1\"\n");
        _cleanup_(host_state_freep) HostState *batch =
                parse("version = 1\n[[containers]]\nname = \"batch\"\nimage = \"reg.example/e:1\"\nrestart "
                      "= \"never\"\n");

        if (!ok(one && two && batch, "the documents parse") ||
            !ok(sd_event_new(&m.event) >= 0, "an event loop"))
                return tap_done();

        ok(containers_apply(&m, one) == 0 && m.n_services == 3,
           "the first state: a service a container (%zu)", m.n_services);
        Service *keep = service_find(&m, "keep"), *changed = service_find(&m, "changed");
        ok(keep && changed && service_find(&m, "gone"), "named after the containers");
        ok(keep && streq(keep->spec->argv[0], "/usr/lib/berth/berth-ctr") && argv_has(keep, "run", "keep") &&
                   keep->spec->wants == (CONDITION_CONTAINERD | CONDITION_NETWORK) && keep->spec->stop_first,
           "each runs berth-ctr run NAME, waits for containerd and the network, stops first");
        ok(changed && argv_has(changed, "--memory", "67108864"), "with its limits");
        ok(!healthy_printed(), "not healthy before containerd is ready");

        /* A mark a new service would not have (its address may be reused). */
        if (keep)
                keep->restarts = 42;
        ok(containers_apply(&m, two) == 0, "the second state is applied");
        ok(!service_find(&m, "gone"), "the dropped container's service is gone");
        ok(service_find(&m, "keep") == keep && keep->restarts == 42,
           "the unchanged one is the same service");
        changed = service_find(&m, "changed");
        ok(changed && argv_has(changed, "--memory", "33554432"), "the changed one runs its new definition");
        ok(service_find(&m, "new") != NULL, "the new one is added");
        ok(m.n_services == 3, "three services (%zu)", m.n_services);

        m.conditions |= CONDITION_CONTAINERD;
        containers_check_healthy(&m);
        ok(!healthy_printed(), "containerd ready, but restart=always containers do not run: not healthy");
        ok(containers_apply(&m, batch) == 0 && m.n_services == 1 && service_find(&m, "batch"),
           "a state with one restart=never container");
        ok(healthy_printed(), "healthy: containerd ready, a state applied, no always container left");

        ok(containers_apply(&m, NULL) == 0 && m.n_services == 0, "no state: nothing runs");
        containers_free(&m);
        free(m.services);
        sd_event_unref(m.event);
        return tap_done();
}
