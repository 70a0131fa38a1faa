/* SPDX-License-Identifier: MIT */

/* process-util.c: run_command feeds a child's stdin and captures its
 * stdout without touching the caller's own stdin or working folder. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "process-util.h"
#include "tap.h"

int main(void) {
        struct stat before, after;
        char *out = NULL;
        int r;

        (void) fstat(STDIN_FILENO, &before);

        char *cat[] = { (char *) "cat", NULL };
        RunOptions o = { .stdout_fd = -1,
                         .stderr_fd = -1,
                         .ret_stdout = &out,
                         .stdin_data = "label: gpt\n",
                         .stdin_size = strlen("label: gpt\n") };
        r = run_command(cat, &o);
        ok(r == 0 && out && streq(out, "label: gpt\n"),
           "the child reads the given bytes on stdin (%d, '%s')", r, out ? out : "(null)");
        free(out);
        out = NULL;

        /* More than a pipe holds: nothing waits on the other side. */
        size_t big = 1u << 20;
        char *data = malloc(big);
        if (!data)
                return 1;
        memset(data, 'x', big);
        char *wc[] = { (char *) "wc", (char *) "-c", NULL };
        o.stdin_data = data;
        o.stdin_size = big;
        r = run_command(wc, &o);
        ok(r == 0 && out && atol(out) == (long) big, "a megabyte on stdin arrives whole (%s)",
           out ? out : "(null)");
        free(out);
        out = NULL;
        free(data);

        o.stdin_data = "";
        o.stdin_size = 0;
        r = run_command(cat, &o);
        ok(r == 0 && out && out[0] == 0, "empty stdin is end of file at once");
        free(out);
        out = NULL;

        char *pwd[] = { (char *) "pwd", NULL };
        _cleanup_free_ char *cwd = getcwd(NULL, 0);
        RunOptions p = { .stdout_fd = -1, .stderr_fd = -1, .ret_stdout = &out, .cwd = "/" };
        r = run_command(pwd, &p);
        _cleanup_free_ char *cwd_after = getcwd(NULL, 0);
        ok(r == 0 && out && streq(out, "/\n"), "the child runs in the folder given");
        ok(cwd && cwd_after && streq(cwd, cwd_after), "ours stays where it was");
        free(out);

        ok(fstat(STDIN_FILENO, &after) == 0 && after.st_ino == before.st_ino &&
                   after.st_dev == before.st_dev,
           "our stdin is the same file as before");

        char *missing[] = { (char *) "berth-no-such-program", NULL };
        ok(run_command(missing, NULL) == -ENOENT, "a program that does not exist is -ENOENT");

        /* A working folder that cannot be entered is an error before
         * anything runs, not an exit status (it was 127, as if "not found"). */
        char *touch[] = { (char *) "touch", (char *) "/tmp/test-process-util-ran", NULL };
        RunOptions nowhere = { .stdout_fd = -1, .stderr_fd = -1, .cwd = "/nonexistent-berth-folder" };
        (void) unlink("/tmp/test-process-util-ran");
        r = run_command(touch, &nowhere);
        ok(r == -ENOENT, "a missing working folder is -ENOENT (%d)", r);
        ok(access("/tmp/test-process-util-ran", F_OK) < 0, "and the program did not run");
        nowhere.cwd = "/etc/passwd";
        r = run_command(touch, &nowhere);
        ok(r == -ENOTDIR, "a working folder that is a file is -ENOTDIR (%d)", r);
        (void) unlink("/tmp/test-process-util-ran");

        /* With our stdin closed, the memory file takes fd 0: dup2(0, 0)
         * would leave it close-on-exec and the child without stdin. */
        int saved = dup(STDIN_FILENO);
        RunOptions q = {
                .stdout_fd = -1, .stderr_fd = -1, .ret_stdout = &out, .stdin_data = "hello", .stdin_size = 5
        };
        out = NULL;
        close(STDIN_FILENO);
        r = run_command(cat, &q); /* cat from above */
        ok(r == 0 && out && streq(out, "hello"),
           "with fd 0 closed, the child still reads its stdin (%d, '%s')", r, out ? out : "(null)");
        free(out);
        out = NULL;
        ok(dup2(saved, STDIN_FILENO) == STDIN_FILENO && close(saved) == 0, "our stdin restored");

        /* With our stdout closed, the working folder's fd is 1, which the
         * capture pipe then takes: the child enters the folder first. */
        pid_t pid = fork();
        if (pid == 0) {
                _cleanup_free_ char *captured = NULL;
                RunOptions w = { .stdout_fd = -1, .stderr_fd = -1, .ret_stdout = &captured, .cwd = "/" };
                close(STDOUT_FILENO);
                _exit(run_command(pwd, &w) == 0 && captured && streq(captured, "/\n") ? 0 : 1);
        }
        int status = 0;
        ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "with fd 1 closed, the child still runs in the folder given");
        return tap_done();
}
