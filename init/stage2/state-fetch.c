/* SPDX-License-Identifier: MIT */

/* Fetching the host state document: PID 1 chooses the sources
 * (init/state/state-plan.c: berth.state=, else berth.platform= or the DMI
 * strings) and runs berth-fetch for them as a helper job, so that libcurl
 * is never mapped into PID 1. The job starts once the kernel modules are
 * loaded (the disks and fw_cfg are there) and, when a source is on the
 * network, the network is up (or given up on). berth-fetch writes the
 * document to BERTH_STATE_FETCHED_PATH and one line on its stdout, which
 * becomes the console line; its retries go to a log file under /run/berth.
 * Applying the document is state-store.c's (docs/host-state.md). */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot-contract.h"
#include "console.h"
#include "fileio.h"
#include "fs-util.h"
#include "kernel-args.h"
#include "macro.h"
#include "manager.h"
#include "containers.h"
#include "host-state.h"
#include "state-plan.h"
#include "strv.h"

#define STATE_FETCH_RESULT_PATH "/run/berth/state-fetch.result"
#define STATE_FETCH_LOG_PATH "/run/berth/state-fetch.log"
/* berth-fetch's own deadline is berth.state.timeout (60 s by default);
 * PID 1's for the job is that and a little more. */
#define STATE_FETCH_JOB_GRACE 30

/* berth-fetch's exit codes (init/fetch/fetch.h). */
enum {
        FETCH_OK = 0,
        FETCH_NONE = 3,
        FETCH_FAILED = 4
};

/* The boot's fetch (and each reload's): what it waits for, its command
 * line, whether one runs, and whether another was asked for meanwhile. */
static struct {
        bool started;
        bool running;
        bool again;
        unsigned wants;
        unsigned timeout; /* seconds, berth-fetch's --timeout */
        char **argv;
} fetch;

static void fetch_start(Manager *m);

static int fetch_job(void *arg) {
        char **argv = arg;
        int out = open(STATE_FETCH_RESULT_PATH, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int err = open(STATE_FETCH_LOG_PATH, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        if (out < 0 || dup2(out, STDOUT_FILENO) < 0)
                return 126;
        if (err >= 0)
                (void) dup2(err, STDERR_FILENO);
        execv(BERTH_FETCH_PATH, argv);
        return errno == ENOENT ? 127 : 126;
}

/* "berth: FAILED state <source>: <why>": berth-fetch's "<source>: <why>"
 * split at its first ": " (a source holds no space). */
static void failed_line(const char *line) {
        const char *sep = strstr(line, ": ");
        _cleanup_free_ char *what = NULL;

        if (!sep || asprintf(&what, "state %.*s", (int) (sep - line), line) < 0) {
                console_failed("state", "%s", line);
                return;
        }
        console_failed(what, "%s", sep + 2);
}

static void fetch_done(Manager *m, pid_t pid, const ChildResult *res, void *userdata) {
        _cleanup_free_ char *line = NULL;

        fetch.running = false;
        if (read_full_file(STATE_FETCH_RESULT_PATH, 4096, &line, NULL) >= 0) {
                line[strcspn(line, "\n")] = 0;
                /* Its why may quote a hostile document or server: no escape
                 * sequence of theirs reaches the console. */
                console_scrub(line, strlen(line));
        }
        if (res->code == CLD_EXITED && res->status == FETCH_OK && line && line[0]) {
                console_info("state fetched %s", line);
                state_fetched(m, line);
        } else if (res->timed_out)
                console_failed("state", "berth-fetch still running after %u s: killed",
                               fetch.timeout + STATE_FETCH_JOB_GRACE);
        else if (res->code != CLD_EXITED)
                console_failed("state", "berth-fetch was killed by signal %d", res->status);
        else if (res->status == FETCH_NONE)
                console_info("no host state: %s",
                             line && strncmp(line, "none: ", 6) == 0 ? line + 6 : "none");
        else if (res->status == FETCH_FAILED && line && line[0])
                failed_line(line);
        else
                console_failed("state", "berth-fetch exited with status %d (%s)", res->status,
                               STATE_FETCH_LOG_PATH);
        if (!(res->code == CLD_EXITED && res->status == FETCH_OK && line && line[0]))
                state_not_fetched(m);
        if (fetch.again && !m->shutting_down) {
                fetch.again = false;
                fetch_start(m);
        }
}

static void fetch_start(Manager *m) {
        int r;

        fetch.started = true;
        fetch.running = true;
        r = job_start(m, "berth-fetch", fetch_job, fetch.argv,
                      (fetch.timeout + STATE_FETCH_JOB_GRACE) * 1000000ULL, fetch_done, NULL, NULL);
        if (r < 0) {
                fetch.running = false;
                console_failed("state", "cannot start berth-fetch: %s", strerror(-r));
        }
}

/* berth-fetch's arguments from this boot's kernel arguments and DMI strings. */
static int fetch_argv(char ***ret, unsigned *ret_wants, char *msg, size_t msg_size) {
        _cleanup_strv_free_ char **argv = NULL, **specs = NULL;
        const char *pin = kernel_arg_string(KARG_STATE_SHA256);
        unsigned wants = CONDITION_MODULES;
        char timeout[16];
        DmiStrings dmi;
        int r;

        dmi_read("/sys/class/dmi/id", &dmi);
        r = state_plan(kernel_arg_string(KARG_STATE), (Platform) kernel_arg_unsigned(KARG_PLATFORM), &dmi,
                       &specs);
        if (r < 0)
                return r;
        fetch.timeout = kernel_arg_unsigned(KARG_STATE_TIMEOUT);
        snprintf(timeout, sizeof(timeout), "%u", fetch.timeout);
        if (strv_extend(&argv, BERTH_FETCH_NAME) < 0 || strv_extend(&argv, "--out") < 0 ||
            strv_extend(&argv, BERTH_STATE_FETCHED_PATH) < 0 || strv_extend(&argv, "--timeout") < 0 ||
            strv_extend(&argv, timeout) < 0)
                return -ENOMEM;
        /* A pin that is given is passed on as it is: a bad one fails the state. */
        if (pin && (strv_extend(&argv, "--sha256") < 0 || strv_extend(&argv, pin) < 0))
                return -ENOMEM;
        if (kernel_arg_unsigned(KARG_STATE_HTTP) == STATE_HTTP_ANY &&
            strv_extend(&argv, "--http-unpinned") < 0)
                return -ENOMEM;
        STRV_FOREACH (s, specs) {
                StateSource src;
                /* Only berth.state= can be wrong: a value that is not a URL. */
                if (state_source_parse(*s, &src, msg, msg_size) < 0) {
                        snprintf(msg, msg_size, "%s: not an http:// or https:// URL", *s + strlen("url:"));
                        return -EINVAL;
                }
                if (src.kind == PROVIDER_URL || src.kind == PROVIDER_EC2 || src.kind == PROVIDER_GCE)
                        wants |= CONDITION_NETWORK;
        }
        STRV_FOREACH (s, specs)
                if (strv_extend(&argv, *s) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(argv);
        *ret_wants = wants;
        return 0;
}

void state_fetch_prepare(Manager *m) {
        char msg[300] = "";
        int r = fetch_argv(&fetch.argv, &fetch.wants, msg, sizeof(msg));

        if (r < 0) {
                if (msg[0])
                        failed_line(msg);
                else
                        console_failed("state", "cannot choose its sources: %s", strerror(-r));
                fetch.started = true;
                state_not_fetched(m);
        }
}

void state_fetch_poll(Manager *m) {
        if (!fetch.started && fetch.argv && !m->shutting_down && manager_conditions_met(m, fetch.wants))
                fetch_start(m);
}

int state_fetch_again(Manager *m) {
        if (!fetch.argv)
                return -ENOENT;
        if (fetch.running || !fetch.started) {
                /* The one that runs (or waits for its conditions) sees the new document too,
                 * unless it started before the change: then once more. */
                fetch.again = fetch.running;
                return 0;
        }
        fetch_start(m);
        return 0;
}
