/* SPDX-License-Identifier: MIT */
#include "process-util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"

static int read_all(int fd, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;

        for (;;) {
                if (allocated - size < 4096) {
                        char *p = realloc(buf, allocated ? allocated * 2 : 16384);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        allocated = allocated ? allocated * 2 : 16384;
                }
                ssize_t n = read(fd, buf + size, allocated - size - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* The bytes a child reads on stdin: a memory file, written whole before the
 * child starts, so neither side waits on the other. */
static int stdin_file(const char *data, size_t size) {
        _cleanup_close_ int fd = memfd_create("stdin", MFD_CLOEXEC);

        if (fd < 0)
                return -errno;
        for (size_t done = 0; done < size;) {
                ssize_t n = write(fd, data + done, size - done);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                done += (size_t) n;
        }
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        return TAKE_FD(fd);
}

/* dup2(from, to) in the child, where from == to must lose O_CLOEXEC too:
 * dup2 of an fd onto itself does nothing, and the exec would close it
 * (a memfd that got fd 0 because our stdin was closed, say). */
static void move_fd(int from, int to) {
        if (from == to)
                (void) fcntl(to, F_SETFD, 0);
        else
                (void) dup2(from, to);
}

int run_command(char *const argv[], const RunOptions *opts) {
        static const RunOptions none = { .stdout_fd = -1, .stderr_fd = -1 };
        int pipefd[2] = { -1, -1 }, errpipe[2] = { -1, -1 };
        _cleanup_close_ int in = -EBADF, cwd_fd = -EBADF;
        _cleanup_free_ char *out = NULL;
        int status, r = 0, child_errno = 0;
        pid_t pid;

        if (!opts)
                opts = &none;
        if (opts->stdin_data) {
                in = stdin_file(opts->stdin_data, opts->stdin_size);
                if (in < 0)
                        return in;
        }
        /* The working folder is opened here, so a missing one is an error
         * before anything runs, and not an exit status of the child's. */
        if (opts->cwd) {
                cwd_fd = open(opts->cwd, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (cwd_fd < 0)
                        return -errno;
        }
        if (opts->ret_stdout && pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        /* The child reports a failed exec through this pipe, so "no such
         * program" is an error and not an exit status. */
        if (pipe2(errpipe, O_CLOEXEC) < 0) {
                r = -errno;
                goto finish;
        }

        pid = fork();
        if (pid < 0) {
                r = -errno;
                goto finish;
        }
        if (pid == 0) {
                sigset_t all;
                (void) sigemptyset(&all);
                (void) sigprocmask(SIG_SETMASK, &all, NULL);
                int e;

                /* First, before the dup2()s below may reuse its number
                 * (cwd_fd is 1 when our stdout was closed). */
                if (cwd_fd >= 0 && fchdir(cwd_fd) < 0)
                        goto fail;
                if (in >= 0)
                        move_fd(in, STDIN_FILENO);
                if (opts->ret_stdout)
                        move_fd(pipefd[1], STDOUT_FILENO);
                else if (opts->stdout_fd >= 0)
                        move_fd(opts->stdout_fd, STDOUT_FILENO);
                if (opts->stderr_fd >= 0)
                        move_fd(opts->stderr_fd, STDERR_FILENO);
                for (char *const *v = opts->env_extra; v && *v; v++)
                        (void) putenv(*v);
                execvp(argv[0], argv);
fail:
                /* A failed fchdir or exec reaches the parent through errpipe
                 * as an errno, never as an exit status. */
                e = errno;
                (void) !write(errpipe[1], &e, sizeof(e));
                _exit(127);
        }

        errpipe[1] = safe_close(errpipe[1]);
        if (opts->ret_stdout) {
                pipefd[1] = safe_close(pipefd[1]);
                r = read_all(pipefd[0], &out);
        }
        while (read(errpipe[0], &child_errno, sizeof(child_errno)) < 0 && errno == EINTR)
                ;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        r = -errno;
                        goto finish;
                }
        if (r < 0)
                goto finish;
        if (child_errno > 0) {
                r = -child_errno;
                goto finish;
        }
        r = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (opts->ret_stdout)
                *opts->ret_stdout = TAKE_PTR(out);

finish:
        for (int i = 0; i < 2; i++) {
                (void) safe_close(pipefd[i]);
                (void) safe_close(errpipe[i]);
        }
        return r;
}

int run_tool(char *const argv[], const RunOptions *opts, const char *what) {
        int r = run_command(argv, opts);

        if (r < 0)
                return log_error_errno(r, "Cannot run %s: %m (make deps installs it)", argv[0]);
        if (r != 0)
                return log_error_errno(EIO, "%s failed (status %d).", what, r);
        return 0;
}
