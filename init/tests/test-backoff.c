/* SPDX-License-Identifier: MIT */
/* The restart back-off: 0.1 s first, doubling, capped at 30 s, and from
 * 0.1 s again after a service ran for 10 s. */

#include "../../lib/tests/tap.h"
#include "stage2/backoff.h"

static bool near(double a, double b) {
        return a - b < 1e-9 && b - a < 1e-9;
}

int main(void) {
        Backoff b = {};
        double d;

        d = backoff_next(&b, 0.0);
        ok(near(d, BACKOFF_MIN), "the first delay is %g s (got %g)", BACKOFF_MIN, d);
        ok(near(BACKOFF_MIN, 0.1) && near(BACKOFF_MAX, 30.0) && near(BACKOFF_RESET_AFTER, 10.0),
           "the documented figures: 0.1 s, 30 s, 10 s");

        b = (Backoff){};
        double want = BACKOFF_MIN;
        bool doubling = near(backoff_next(&b, 1.0), want);
        for (int i = 0; i < 6; i++) {
                want *= 2;
                doubling = doubling && near(backoff_next(&b, 1.0), want);
        }
        ok(doubling, "each quick death doubles the delay: 0.1 0.2 0.4 ... 6.4 (last %g)", b.delay);

        for (int i = 0; i < 20; i++)
                d = backoff_next(&b, 0.5);
        ok(near(d, BACKOFF_MAX), "the delay stops at %g s (got %g)", BACKOFF_MAX, d);
        d = backoff_next(&b, 0.5);
        ok(near(d, BACKOFF_MAX), "and stays there (got %g)", d);

        d = backoff_next(&b, BACKOFF_RESET_AFTER);
        ok(near(d, BACKOFF_MIN), "a service that ran %g s starts again from %g s (got %g)",
           BACKOFF_RESET_AFTER, BACKOFF_MIN, d);
        backoff_next(&b, 0.0);
        backoff_next(&b, 0.0);
        d = backoff_next(&b, BACKOFF_RESET_AFTER - 0.01);
        ok(near(d, 0.8), "a run just short of %g s still doubles (got %g)", BACKOFF_RESET_AFTER, d);
        d = backoff_next(&b, 3600.0);
        ok(near(d, BACKOFF_MIN), "a long run resets from the cap's side too (got %g)", d);

        return tap_done();
}
