/* SPDX-License-Identifier: MIT */
/* Converging on host state's containers, the pure parts: the plan from the
 * containers running now and the new state (start, stop, restart, keep),
 * berth-ctr's command line, and the copy PID 1 keeps of a definition. */

#include <stdlib.h>
#include <string.h>

#include "../../lib/tests/tap.h"
#include "containers.h"
#include "strv.h"

static HostState *parse(const char *text) {
        HostState *s = NULL;
        TomlError e = {};
        if (host_state_parse(text, strlen(text), &s, &e) < 0) {
                printf("# parse: %u:%u: %s\n", e.line, e.column, e.msg);
                return NULL;
        }
        return s;
}

static const char *OLD = "version = 1\n"
                         "[[containers]]\nname = \"keep\"\nimage = \"reg.example/a:1\"\n"
                         "[[containers]]\nname = \"gone\"\nimage = \"reg.example/b:1\"\n"
                         "[[containers]]\nname = \"changed\"\nimage = \"reg.example/c:1\"\n"
                         "resources = { memory_max = \"64M\" }\n";
static const char *NEW = "version = 1\n"
                         "[[containers]]\nname = \"changed\"\nimage = \"reg.example/c:1\"\n"
                         "resources = { memory_max = \"32M\" }\n"
                         "[[containers]]\nname = \"keep\"\nimage = \"reg.example/a:1\"\n"
                         "[[containers]]\nname = \"new\"\nimage = \"reg.example/d:1\"\n";

static const char *step_of(const ContainerStep *steps, size_t n, const char *name, size_t *at) {
        for (size_t i = 0; i < n; i++)
                if (streq(steps[i].name, name)) {
                        *at = i;
                        return container_action_to_string(steps[i].action);
                }
        return "absent";
}

static void test_plan(void) {
        _cleanup_(host_state_freep) HostState *old = parse(OLD), *new = parse(NEW);
        _cleanup_free_ ContainerStep *steps = NULL;
        const HostStateContainer *running[3];
        size_t n = 0, at = 0;

        if (!ok(old && new, "the two documents parse"))
                return;
        for (size_t i = 0; i < old->n_containers; i++)
                running[i] = &old->containers[i];
        int r = containers_plan(running, old->n_containers, new, &steps, &n);
        ok(r == 0 && n == 4, "4 steps (got %zu)", n);
        ok(streq(step_of(steps, n, "gone", &at), "stop") && at == 0,
           "a container the state dropped stops, first");
        ok(streq(step_of(steps, n, "changed", &at), "restart"), "one whose memory.max changed restarts");
        ok(streq(step_of(steps, n, "keep", &at), "keep"), "an unchanged one is kept");
        ok(streq(step_of(steps, n, "new", &at), "start"), "a new one starts");
        free(steps);
        steps = NULL;

        ok(containers_plan(NULL, 0, new, &steps, &n) == 0 && n == 3 && steps[0].action == CONTAINER_START &&
                   steps[1].action == CONTAINER_START && steps[2].action == CONTAINER_START,
           "the first state: every container starts, in the document's order");
        free(steps);
        steps = NULL;
        ok(containers_plan(running, old->n_containers, NULL, &steps, &n) == 0 && n == 3 &&
                   steps[0].action == CONTAINER_STOP && steps[2].action == CONTAINER_STOP,
           "no state (none of its containers): all stop");
        free(steps);
        steps = NULL;

        ok(container_plan_one(NULL, NULL) == CONTAINER_KEEP, "nothing before or after: nothing to do");
        ok(container_plan_one(&old->containers[0], &new->containers[1]) == CONTAINER_KEEP,
           "the same definition in two documents is equal");
}

static void test_argv(void) {
        _cleanup_(host_state_freep) HostState *s = parse(
                "version = 1\n[[containers]]\nname = \"web\"\nimage = \"10.0.2.2:5000/web:1\"\n"
                "command = [\"/bin/sh\"]\nargs = [\"-c\", \"echo a b\"]\nenv = { A = \"1\", B = \"x=y\" }\n"
                "host_network = true\nrestart = \"on-failure\"\nmax_restarts = 2\n"
                "resources = { memory_max = \"32M\", pids_max = 20, cpu_max = \"50000 100000\", cpu_weight "
                "= 50 }\n"
                "[[containers.mounts]]\nsource = \"/var/lib/web\"\ntarget = \"/data\"\nread_only = true\n"
                "[[containers]]\nname = \"bare\"\nimage = \"busybox:1\"\ncommand = []\n");
        _cleanup_strv_free_ char **argv = NULL, **bare = NULL;
        _cleanup_free_ char *joined = NULL, *joined_bare = NULL;

        if (!ok(s != NULL, "a container with every option parses"))
                return;
        ok(container_argv(&s->containers[0], &argv) == 0, "berth-ctr's command line is made");
        joined = strv_join(argv, "|");
        ok(streq(joined, "/usr/lib/berth/berth-ctr|run|web|--image|10.0.2.2:5000/web:1|--memory|33554432|"
                         "--pids|20|--cpu-max|50000 100000|--cpu-weight|50|--env|A=1|--env|B=x=y|"
                         "--mount|/var/lib/web|--to|/data|--ro|--host-network|--command|/bin/sh|"
                         "--arg|-c|--arg|echo a b"),
           "every field on it: %s", joined);
        ok(container_argv(&s->containers[1], &bare) == 0, "a bare one too");
        joined_bare = strv_join(bare, "|");
        ok(streq(joined_bare, "/usr/lib/berth/berth-ctr|run|bare|--image|busybox:1|--no-command"),
           "command = [] is --no-command, not the image's entrypoint: %s", joined_bare);

        HostStateContainer *copy = container_dup(&s->containers[0]);
        ok(copy && host_state_container_equal(copy, &s->containers[0]), "a copy is equal to its original");
        ok(copy && copy->env != s->containers[0].env && copy->mounts != s->containers[0].mounts,
           "and shares none of its memory");
        container_free(copy);

        _cleanup_(host_state_freep) HostState *a =
                parse("version = 1\n[[containers]]\nname = \"offline\"\nargs = [\"x\"]\n"
                      "archive = { url = \"http://10.0.2.2:8080/app.oci.tar\", sha256 = "
                      "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\" }\n");
        _cleanup_strv_free_ char **archive = NULL;
        _cleanup_free_ char *joined_archive = NULL;
        if (!ok(a != NULL, "a container from an OCI archive parses"))
                return;
        ok(container_argv(&a->containers[0], &archive) == 0, "its command line is made");
        joined_archive = strv_join(archive, "|");
        ok(streq(joined_archive, "/usr/lib/berth/berth-ctr|run|offline|--archive-url|"
                                 "http://10.0.2.2:8080/app.oci.tar|--archive-sha256|"
                                 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef|--arg|x"),
           "an OCI archive is its URL and pin, no --image: %s", joined_archive);

        HostStateContainer neither = { .name = (char *) "neither" };
        char **none = NULL;
        ok(container_argv(&neither, &none) == -EINVAL && !none, "neither an image nor an archive: refused");
}

int main(void) {
        test_plan();
        test_argv();
        return tap_done();
}
