/* SPDX-License-Identifier: MIT */
#pragma once

/* The registry of every child PID 1 starts, as systemd's unit_watch_pid():
 * a pid maps to its owner's callback. The reaper (reaper.c) is the only
 * caller of wait*(); it hands each exit to the child's owner, and counts
 * the pids nobody registered (orphans re-parented to PID 1).
 *
 * A helper job is a child with a deadline: a function run in a fork (the
 * kernel-module loader) whose result, exit status or "killed at its
 * deadline", goes to its owner's callback. */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

typedef struct Manager Manager;

typedef struct ChildResult {
        int code; /* CLD_EXITED, CLD_KILLED or CLD_DUMPED */
        int status; /* exit status or signal */
        bool timed_out; /* killed by PID 1 at its deadline */
} ChildResult;

typedef void (*ChildExitedFn)(Manager *m, pid_t pid, const ChildResult *result, void *userdata);

typedef struct Child {
        pid_t pid;
        char name[32];
        ChildExitedFn exited;
        void *userdata;
        sd_event_source *deadline;
        bool timed_out;
        struct Child *next;
} Child;

/* Registers pid (already forked) to its owner. */
int child_watch(Manager *m, pid_t pid, const char *name, ChildExitedFn exited, void *userdata);
/* Forgets pid without waiting for it: its exit will count as an orphan's. */
void child_unwatch(Manager *m, pid_t pid);
Child *child_find(Manager *m, pid_t pid);
size_t children_count(const Manager *m);

/* In a forked child: every signal unblocked and back to its default
 * action, as PID 1 found them (spawn() and job_start() both call it). */
void child_signals_reset(void);

/* Starts a helper job: run(arg) in a forked child, its return value the exit
 * status. It runs with child_signals_reset()'s signals and only fds 0-2
 * of PID 1's. Past timeout_usec (0: none) the job is killed with SIGKILL and
 * its result says timed_out. */
int job_start(Manager *m, const char *name, int (*run)(void *arg), void *arg, uint64_t timeout_usec,
              ChildExitedFn done, void *userdata, pid_t *ret_pid);

/* For the reaper: hands a collected pid to its owner; false when nobody owns it. */
bool child_dispatch(Manager *m, const siginfo_t *si);

/* reaper.c: collects every child that has exited, ours and orphans, and
 * dispatches ours. Returns how many were reaped, or -ECHILD when PID 1 has
 * no child left at all. */
int reap_all(Manager *m);
/* The shutdown's wait, through the same reap_all(): until done(m) is true
 * (true is returned) or the deadline (uptime()) passes (false). Services'
 * output is read meanwhile. */
bool reap_until(Manager *m, bool (*done)(Manager *m), double deadline);
int reaper_install(Manager *m);
