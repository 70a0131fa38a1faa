/* SPDX-License-Identifier: MIT */

/* epoch.c and stale-output.c: the odd inputs that crashed build-image or
 * made it read out of bounds (issue: crashes and wrap-arounds). */

#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "../../lib/tests/tap.h"
#include "epoch.h"
#include "stale-output.h"

static void epoch_ok(const char *s, int64_t want) {
        int64_t v = -1;
        int r = epoch_parse(s, &v);
        ok(r == 0 && v == want, "SOURCE_DATE_EPOCH='%s' is %lld (%d)", s, (long long) want, r);
}

static void epoch_bad(const char *s, int want) {
        int64_t v = 0;
        int r = epoch_parse(s, &v);
        ok(r == want, "SOURCE_DATE_EPOCH='%s' is refused with %d (%d)", s, want, r);
}

int main(void) {
        struct tm tm;
        time_t t = (time_t) EPOCH_MAX;
        pid_t pid = 0;

        epoch_ok("0", 0);
        epoch_ok("1700000000", 1700000000);
        epoch_ok("253402300799", EPOCH_MAX);
        epoch_bad("253402300800", -ERANGE);
        epoch_bad("99999999999999999", -ERANGE);
        epoch_bad("99999999999999999999999", -ERANGE);
        epoch_bad("-1", -EINVAL);
        epoch_bad("", -EINVAL);
        epoch_bad(" 1", -EINVAL);
        epoch_bad("12abc", -EINVAL);
        ok(gmtime_r(&t, &tm) && tm.tm_year == 9999 - 1900,
           "the last date accepted is one gmtime_r() expresses");
        ok(!epoch_valid(INT64_MAX) && !epoch_valid(-1) && epoch_valid(0), "epoch_valid() bounds");

        ok(stale_output_pid("minimal", "minimal.tmp-123", &pid) == 0 && pid == 123,
           "OUTDIR.tmp-PID is stale");
        ok(stale_output_pid("[a]", "[a].tmp-7", &pid) == 0 && pid == 7,
           "a name with glob characters is literal");
        ok(stale_output_pid("[a]", "a.tmp-7", &pid) == -ENOENT, "a glob is never matched: [a] is not a");
        ok(stale_output_pid("x*", "xyz.tmp-7", &pid) == -ENOENT, "nor is x*");
        ok(stale_output_pid("minimal", "min", &pid) == -ENOENT, "a shorter name is no match");
        ok(stale_output_pid("minimal", "minimal", &pid) == -ENOENT, "the output itself is no match");
        ok(stale_output_pid("minimal", "minimal.tmp-", &pid) == -ENOENT, "no pid, no match");
        ok(stale_output_pid("minimal", "minimal.tmp-12x", &pid) == -ENOENT, "a pid with letters, no match");
        ok(stale_output_pid("minimal", "minimal.tmp-0", &pid) == -ENOENT, "pid 0, no match");
        ok(stale_output_pid("minimal", "minimal.tmp-99999999999999999999", &pid) == -ENOENT,
           "a pid out of range, no match");
        return tap_done();
}
