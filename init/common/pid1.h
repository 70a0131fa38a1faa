/* SPDX-License-Identifier: MIT */
#pragma once

#include <signal.h>

/* What PID 1 does before anything else, in both stages:
 *  - blocks the signals stage 2 handles (SIGTERM, SIGINT, SIGUSR1, SIGUSR2,
 *    SIGCHLD), so one that arrives during stage 1 or early stage 2 stays
 *    pending across execve() until stage 2's signalfd reads it;
 *  - asks the kernel for SIGINT on ctrl-alt-del instead of an immediate
 *    reset without sync;
 *  - installs a crash handler: a fault in PID 1 prints
 *    "berth: FAILED berth-init: crashed (...)" and halts, instead of the
 *    kernel's "Attempted to kill init!" panic. */
void pid1_early_setup(void);

/* In a child of PID 1 that does not exec: a crash there is the child's own,
 * not a reason to halt the machine. */
void pid1_crash_handler_reset(void);

/* Takes the fault signals out of a mask: they must reach the crash handler
 * (and SIGTRAP a debugger), whatever else PID 1 blocks. */
void pid1_sigset_del_faults(sigset_t *set);
