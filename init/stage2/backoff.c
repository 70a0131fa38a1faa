/* SPDX-License-Identifier: MIT */
#include "macro.h"
#include "backoff.h"

double backoff_next(Backoff *b, double ran) {
        if (ran >= BACKOFF_RESET_AFTER || b->delay <= 0)
                b->delay = BACKOFF_MIN;
        else {
                b->delay *= 2;
                if (b->delay > BACKOFF_MAX)
                        b->delay = BACKOFF_MAX;
        }
        return b->delay;
}
