/* SPDX-License-Identifier: MIT */
#pragma once

/* Restart back-off: 0.1 s, doubling to 30 s; a service that ran for 10 s
 * before it died starts again from 0.1 s. */

typedef struct Backoff {
        double delay; /* seconds before the next restart; 0 before the first */
} Backoff;

#define BACKOFF_MIN 0.1
#define BACKOFF_MAX 30.0
#define BACKOFF_RESET_AFTER 10.0

/* The delay before restarting a service that ran for `ran` seconds. */
double backoff_next(Backoff *b, double ran);
