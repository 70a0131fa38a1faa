/* SPDX-License-Identifier: MIT */
#include "pid1.h"

#include <signal.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "console.h"

/* Only async-signal-safe calls in here: the process state is unknown. */
static void on_crash(int sig) {
        console_crashed(sig);
        sync();
        (void) reboot(RB_HALT_SYSTEM);
        for (;;)
                pause();
}

static const int crashes[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS };

void pid1_crash_handler_reset(void) {
        for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
                (void) signal(crashes[i], SIG_DFL);
}

void pid1_sigset_del_faults(sigset_t *set) {
        for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
                sigdelset(set, crashes[i]);
        sigdelset(set, SIGTRAP);
}

void pid1_early_setup(void) {
        struct sigaction sa = { .sa_handler = on_crash, .sa_flags = SA_NODEFER };
        sigset_t handled;

        sigemptyset(&handled);
        sigaddset(&handled, SIGTERM);
        sigaddset(&handled, SIGINT);
        sigaddset(&handled, SIGUSR1);
        sigaddset(&handled, SIGUSR2);
        sigaddset(&handled, SIGCHLD);
        (void) sigprocmask(SIG_BLOCK, &handled, NULL);
        (void) reboot(RB_DISABLE_CAD);

        sigfillset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
                (void) sigaction(crashes[i], &sa, NULL);
}
