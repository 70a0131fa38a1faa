/* SPDX-License-Identifier: MIT */

/* The one way stage 2 starts a process: in the child, restore the signal
 * mask and dispositions PID 1 changed, start a new session, wire stdout and
 * stderr to the console prefixer (or a terminal for the debug shell), and
 * exec; 127/126 tell "not found" from "not allowed", as shells do. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "macro.h"
#include "manager.h"

static void child_signals_reset(void) {
        struct sigaction sa = { .sa_handler = SIG_DFL };
        sigset_t none;

        for (int sig = 1; sig < _NSIG; sig++)
                (void) sigaction(sig, &sa, NULL);
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
}

static void child_terminal(const char *tty) {
        char path[64];
        int fd;

        snprintf(path, sizeof(path), "/dev/%s", tty);
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                _exit(126);
        (void) ioctl(fd, TIOCSCTTY, 1);
        for (int i = 0; i < 3; i++)
                (void) dup2(fd, i);
}

pid_t spawn(Service *s, int *ret_output_fd) {
        int pipefd[2] = { -1, -1 };
        pid_t pid;

        if (!s->tty && pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                if (pipefd[0] >= 0) {
                        close(pipefd[0]);
                        close(pipefd[1]);
                }
                return r;
        }
        if (pid == 0) {
                child_signals_reset();
                (void) setsid();
                if (s->tty)
                        child_terminal(s->tty);
                else {
                        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                        if (null >= 0)
                                (void) dup2(null, STDIN_FILENO);
                        (void) dup2(pipefd[1], STDOUT_FILENO);
                        (void) dup2(pipefd[1], STDERR_FILENO);
                }
                for (char **e = s->env; e && *e; e++)
                        (void) putenv(*e);
                execv(s->argv[0], s->argv);
                _exit(errno == ENOENT ? 127 : 126);
        }
        if (pipefd[1] >= 0)
                close(pipefd[1]);
        *ret_output_fd = pipefd[0];
        return pid;
}
