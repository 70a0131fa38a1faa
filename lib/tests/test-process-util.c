/* SPDX-License-Identifier: MIT */

/* process-util.c: run_command feeds a child's stdin and captures its
 * stdout without touching the caller's own stdin or working folder. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
        return tap_done();
}
