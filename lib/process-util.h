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
 * (0-255; 128+N when killed by signal N), or -errno when it could not be run
 * (-ENOENT when the program does not exist). opts may be NULL. */
int run_command(char *const argv[], const RunOptions *opts);
