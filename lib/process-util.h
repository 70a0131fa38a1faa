/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

typedef struct RunOptions {
        char *const *env_extra; /* "KEY=value" added to (or replacing in) the environment */
        int stdout_fd; /* where the child's stdout goes; -1: inherit (ignored when capturing) */
        int stderr_fd; /* -1: inherit */
        char **ret_stdout; /* if set, stdout is captured into a NUL-terminated buffer */
        const char *cwd; /* the child's working folder; NULL: ours (ours never changes) */
        const char *stdin_data; /* if set, the child reads these bytes on stdin, then end of file; */
        size_t stdin_size; /*   NULL: it inherits our stdin */
} RunOptions;

/* Runs argv[0] (looked up in PATH) and waits. Returns its exit status
 * (0-255; 128+N when killed by signal N), or -errno when it could not be run:
 * -ENOENT when the program does not exist, and opening opts->cwd's errno
 * (-ENOENT, -ENOTDIR, ...) when the working folder cannot be entered, which
 * is checked before anything runs. So an exit status (127 included) is
 * always the program's own. opts may be NULL. */
int run_command(char *const argv[], const RunOptions *opts);

/* run_command() for a tool of the build host that must succeed: logs a
 * message naming argv[0] when it cannot be run (with make deps' hint) or
 * `what` with its status when it fails (-EIO). 0 only for exit status 0. */
int run_tool(char *const argv[], const RunOptions *opts, const char *what);
