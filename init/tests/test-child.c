/* SPDX-License-Identifier: MIT */

/* The child registry, helper jobs and the reaper (child.c, reaper.c): each
 * exit reaches its owner once, a job past its deadline is killed and says
 * so, a child nobody registered counts as an orphan, and the shutdown's
 * wait goes through the same reaper. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "../../lib/tests/tap.h"
#include "console.h"
#include "manager.h"

typedef struct Seen {
        unsigned calls;
        ChildResult result;
} Seen;

static void record(Manager *m, pid_t pid, const ChildResult *r, void *userdata) {
        Seen *s = userdata;
        s->calls++;
        s->result = *r;
}

static int job_exit7(void *arg) {
        return 7;
}

static int job_sleep(void *arg) {
        sleep(5);
        return 0;
}

/* A job starts as a clean process: nothing blocked or ignored, none of PID
 * 1's descriptors but 0-2. Its exit status tells what was not. */
static int job_inherited(void *arg) {
        int fd = *(int *) arg, r = 0;
        sigset_t blocked;
        struct sigaction sa;

        if (sigprocmask(SIG_SETMASK, NULL, &blocked) < 0 || sigismember(&blocked, SIGTERM) ||
            sigismember(&blocked, SIGCHLD))
                r |= 1;
        if (sigaction(SIGTERM, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
                r |= 2;
        if (fcntl(fd, F_GETFD) >= 0)
                r |= 4;
        return r;
}

static bool all_seen(Seen *seen, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (seen[i].calls == 0)
                        return false;
        return true;
}

static bool nothing_left(Manager *m) {
        return m->children == NULL;
}

int main(void) {
        Manager m = { .notify_fd = -1 };
        Seen seen[2] = {};
        sigset_t mask;
        pid_t pid;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);
        ok(sd_event_new(&m.event) >= 0 && reaper_install(&m) >= 0, "event loop and reaper");

        ok(job_start(&m, "exit7", job_exit7, NULL, 0, record, &seen[0], NULL) == 0, "a job starts");
        ok(job_start(&m, "sleeper", job_sleep, NULL, 200 * 1000, record, &seen[1], &pid) == 0 && pid > 0,
           "a job with a deadline of 0.2 s starts");
        ok(children_count(&m) == 2 && child_find(&m, pid), "both are registered");
        /* A child nobody registered: the reaper counts it as an orphan. */
        pid_t stranger = fork();
        if (stranger == 0)
                _exit(0);

        for (int i = 0; i < 100 && !all_seen(seen, 2); i++)
                (void) sd_event_run(m.event, 100 * 1000);
        ok(seen[0].calls == 1 && seen[0].result.code == CLD_EXITED && seen[0].result.status == 7 &&
                   !seen[0].result.timed_out,
           "the job's exit status reaches its owner");
        ok(seen[1].calls == 1 && seen[1].result.code == CLD_KILLED && seen[1].result.status == SIGKILL &&
                   seen[1].result.timed_out,
           "the job past its deadline is killed and reported as timed out");
        ok(children_count(&m) == 0 && !child_find(&m, pid), "reaped children leave the registry");
        (void) reap_all(&m);
        ok(m.orphans_reaped == 1, "the unregistered child counts as an orphan (%lu)", m.orphans_reaped);
        ok(reap_all(&m) == -ECHILD, "with no child left, the reaper says so");

        /* What PID 1 blocks, ignores and holds open stays with PID 1. */
        Seen clean = {};
        int held = open("/dev/null", O_RDONLY); /* not O_CLOEXEC: a job does not exec anyway */
        (void) signal(SIGTERM, SIG_IGN);
        sigaddset(&mask, SIGTERM);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);
        ok(held > 2 && job_start(&m, "clean", job_inherited, &held, 0, record, &clean, NULL) == 0,
           "a job starts while PID 1 blocks and ignores SIGTERM and holds a descriptor");
        for (int i = 0; i < 100 && clean.calls == 0; i++)
                (void) sd_event_run(m.event, 100 * 1000);
        ok(clean.calls == 1 && clean.result.code == CLD_EXITED && clean.result.status == 0,
           "the job has no signal blocked or ignored and none of PID 1's descriptors (status %d: 1 mask, 2 "
           "disposition, 4 fd)",
           clean.result.status);
        close(held);
        (void) signal(SIGTERM, SIG_DFL);

        /* The shutdown's wait: the same reaper, with a deadline. */
        pid = fork();
        if (pid == 0) {
                usleep(100 * 1000);
                _exit(3);
        }
        Seen late = {};
        ok(child_watch(&m, pid, "late", record, &late) == 0, "a forked child is registered");
        ok(reap_until(&m, nothing_left, uptime() + 5), "reap_until returns once the condition holds");
        ok(late.calls == 1 && late.result.status == 3, "and the owner heard of the exit");

        pid = fork();
        if (pid == 0) {
                sleep(5);
                _exit(0);
        }
        ok(child_watch(&m, pid, "stuck", record, &late) == 0, "a child that will not end");
        double start = uptime();
        ok(!reap_until(&m, nothing_left, uptime() + 0.2), "reap_until gives up at its deadline");
        ok(uptime() - start < 2, "and does not wait beyond it");
        child_unwatch(&m, pid);
        (void) kill(pid, SIGKILL);
        ok(reap_until(&m, nothing_left, uptime() + 5) && children_count(&m) == 0,
           "an unwatched child is forgotten");
        for (int i = 0; i < 50 && reap_all(&m) != -ECHILD; i++)
                usleep(20 * 1000);
        ok(m.orphans_reaped == 2, "and reaped as an orphan (%lu)", m.orphans_reaped);

        sd_event_unref(m.event);
        return tap_done();
}
