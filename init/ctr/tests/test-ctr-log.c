/* SPDX-License-Identifier: MIT */
/* A container's log file: appended line by line, moved to NAME.log.1 when
 * the next line would take it past the limit, never rotated while empty. */

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../lib/tests/tap.h"
#include "ctr-log.h"
#include "macro.h"
#include "fileio.h"
#include "rm-rf.h"

static long file_size(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 ? (long) st.st_size : -1;
}

int main(void) {
        char dir[] = "/tmp/test-ctr-log.XXXXXX";
        char logs[64], path[128], rotated[128];
        CtrLog l;

        ok(!ctr_log_must_rotate(0, 5000, 100), "an empty file takes a line longer than the limit");
        ok(!ctr_log_must_rotate(50, 50, 100), "a line that just fits is appended");
        ok(ctr_log_must_rotate(50, 51, 100), "a line that does not fit rotates first");

        if (!mkdtemp(dir))
                return 1;
        snprintf(logs, sizeof(logs), "%s/logs", dir);
        snprintf(path, sizeof(path), "%s/web.log", logs);
        snprintf(rotated, sizeof(rotated), "%s/web.log.1", logs);
        int r = ctr_log_open(&l, logs, "web", 100);
        ok(r == 0, "opened, making the folder (r=%d)", r);

        /* 9 bytes a line with its newline: 11 lines fit in 100 (99), the 12th rotates. */
        for (int i = 0; i < 11; i++)
                ctr_log_line(&l, "line 000", 8);
        ok(file_size(path) == 99, "11 lines of 9 bytes: 99 bytes (got %ld)", file_size(path));
        ok(file_size(rotated) == -1, "no rotation yet");
        ctr_log_line(&l, "12th line", 9);
        ok(file_size(rotated) == 99, "the 12th line rotated the file to web.log.1 (got %ld)",
           file_size(rotated));
        ok(file_size(path) == 10, "web.log holds the 12th line alone (got %ld)", file_size(path));
        _cleanup_free_ char *text = NULL;
        ok(read_full_file(path, 0, &text, NULL) >= 0 && streq(text, "12th line\n"),
           "its text, with a newline");
        ctr_log_close(&l);

        r = ctr_log_open(&l, logs, "web", 100);
        ok(r == 0 && l.size == 10, "reopened: appends to the 10 bytes there (size %llu)",
           (unsigned long long) l.size);
        for (int i = 0; i < 10; i++)
                ctr_log_line(&l, "0123456789", 10);
        ok(file_size(rotated) == 98 && file_size(path) == 22,
           "rotated again: 10 + 8 x 11 bytes in .1, 2 lines in .log (%ld, %ld)", file_size(rotated),
           file_size(path));
        snprintf(path, sizeof(path), "%s/web.log.2", logs);
        ok(file_size(path) == -1, "only two files are kept");
        ctr_log_close(&l);
        (void) rm_rf(dir);
        return tap_done();
}
