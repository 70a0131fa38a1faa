/* SPDX-License-Identifier: MIT */

/* The one way stage 2 starts a process: in the child, restore the signal
 * mask and dispositions PID 1 changed, start a new session, move into the
 * service's cgroup, wire stdout and stderr to the console prefixer (or a
 * terminal for the debug shell), and exec; 127/126 tell "not found" from
 * "not allowed", as shells do. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "macro.h"
#include "child.h"
#include "console.h"
#include "service.h"

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

/* Before exec, so the service's first instruction already counts against
 * its cgroup. Failing that it runs in PID 1's: say so. */
static void child_cgroup(const char *cgroup) {
        char path[256];
        int fd;

        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/cgroup.procs", cgroup);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1)
                console_warning("cannot join cgroup %s: %s", cgroup, strerror(errno));
        if (fd >= 0)
                close(fd);
}

pid_t spawn(const ServiceSpec *spec, const char *notify_socket, int *ret_output_fd) {
        int pipefd[2] = { -1, -1 };
        pid_t pid;

        *ret_output_fd = -1;
        if (!spec->tty && pipe2(pipefd, O_CLOEXEC) < 0)
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
                if (spec->cgroup)
                        child_cgroup(spec->cgroup);
                if (spec->tty)
                        child_terminal(spec->tty);
                else {
                        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                        if (null >= 0)
                                (void) dup2(null, STDIN_FILENO);
                        (void) dup2(pipefd[1], STDOUT_FILENO);
                        (void) dup2(pipefd[1], STDERR_FILENO);
                }
                /* The child's own copy of PID 1's environment: changing it here is safe. */
                for (const char *const *e = spec->env; e && *e; e++)
                        (void) putenv((char *) *e);
                if (notify_socket)
                        (void) setenv("NOTIFY_SOCKET", notify_socket, 1);
                execv(spec->argv[0], (char **) spec->argv);
                _exit(errno == ENOENT ? 127 : 126);
        }
        if (pipefd[1] >= 0)
                close(pipefd[1]);
        *ret_output_fd = pipefd[0];
        return pid;
}
