/* SPDX-License-Identifier: MIT */

/* The child registry and helper jobs (child.h). */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "console.h"
#include "manager.h"
#include "pid1.h"

int child_watch(Manager *m, pid_t pid, const char *name, ChildExitedFn exited, void *userdata) {
        Child *c = calloc(1, sizeof(Child));

        if (!c)
                return -ENOMEM;
        c->pid = pid;
        snprintf(c->name, sizeof(c->name), "%s", name);
        c->exited = exited;
        c->userdata = userdata;
        c->next = m->children;
        m->children = c;
        return 0;
}

static Child *child_take(Manager *m, pid_t pid) {
        for (Child **p = &m->children; *p; p = &(*p)->next)
                if ((*p)->pid == pid) {
                        Child *c = *p;
                        *p = c->next;
                        return c;
                }
        return NULL;
}

static Child *child_free(Child *c) {
        if (c) {
                sd_event_source_disable_unref(c->deadline);
                free(c);
        }
        return NULL;
}

void child_unwatch(Manager *m, pid_t pid) {
        child_free(child_take(m, pid));
}

Child *child_find(Manager *m, pid_t pid) {
        for (Child *c = m->children; c; c = c->next)
                if (c->pid == pid)
                        return c;
        return NULL;
}

size_t children_count(const Manager *m) {
        size_t n = 0;
        for (const Child *c = m->children; c; c = c->next)
                n++;
        return n;
}

bool child_dispatch(Manager *m, const siginfo_t *si) {
        Child *c = child_take(m, si->si_pid);

        if (!c)
                return false;
        ChildResult result = { .code = si->si_code, .status = si->si_status, .timed_out = c->timed_out };
        if (c->exited)
                c->exited(m, c->pid, &result, c->userdata);
        child_free(c);
        return true;
}

static int on_deadline(sd_event_source *es, uint64_t usec, void *userdata) {
        Child *c = userdata;

        c->timed_out = true;
        c->deadline = sd_event_source_disable_unref(c->deadline);
        (void) kill(c->pid, SIGKILL);
        return 0;
}

void child_signals_reset(void) {
        struct sigaction sa = { .sa_handler = SIG_DFL };
        sigset_t none;

        for (int sig = 1; sig < _NSIG; sig++)
                (void) sigaction(sig, &sa, NULL);
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
}

int job_start(Manager *m, const char *name, int (*run)(void *arg), void *arg, uint64_t timeout_usec,
              ChildExitedFn done, void *userdata, pid_t *ret_pid) {
        pid_t pid = fork();
        int r;

        if (pid < 0)
                return -errno;
        if (pid == 0) {
                /* A crash here is the job's own, not a reason to halt the machine. */
                pid1_crash_handler_reset();
                /* Shutdown's SIGTERM must reach it, and a control client
                 * must see EOF when PID 1 closes its connection. */
                child_signals_reset();
                (void) close_range(3, ~0U, 0);
                _exit(run(arg) & 0xff);
        }
        r = child_watch(m, pid, name, done, userdata);
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                return r;
        }
        if (timeout_usec > 0) {
                Child *c = child_find(m, pid);
                uint64_t now = 0;
                (void) sd_event_now(m->event, CLOCK_MONOTONIC, &now);
                r = sd_event_add_time(m->event, &c->deadline, CLOCK_MONOTONIC, now + timeout_usec, 0,
                                      on_deadline, c);
                if (r < 0)
                        console_warning("job %s runs without its deadline: %s", name, strerror(-r));
        }
        if (ret_pid)
                *ret_pid = pid;
        return 0;
}
