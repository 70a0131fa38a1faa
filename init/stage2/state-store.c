/* SPDX-License-Identifier: MIT */

/* What PID 1 does with a fetched host state (docs/host-state.md): apply it
 * whole or not at all, keep it as the last good one, fall back to that one
 * when a new document does not apply, and fetch again on the document's
 * refresh period. berth-fetch has validated the document already (the
 * TOML tree of a hostile one must not be built in PID 1); it is parsed
 * here a second time, now bounded by the schema's limits. */

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-contract.h"
#include "console.h"
#include "containers.h"
#include "fileio.h"
#include "fs-util.h"
#include "macro.h"
#include "manager.h"
#include "state-apply.h"

static int on_refresh(sd_event_source *es, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        m->state_refresh = sd_event_source_disable_unref(m->state_refresh);
        if (!m->shutting_down)
                (void) state_fetch_again(m);
        return 0;
}

static void refresh_schedule(Manager *m) {
        uint64_t now = 0;
        int r;

        m->state_refresh = sd_event_source_disable_unref(m->state_refresh);
        if (!m->state || m->state->refresh <= 0)
                return;
        (void) sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        r = sd_event_add_time(m->event, &m->state_refresh, CLOCK_MONOTONIC,
                              now + (uint64_t) m->state->refresh * 1000000ULL, 0, on_refresh, m);
        if (r < 0)
                console_warning("the host state's refresh is not scheduled: %s", strerror(-r));
}

/* The host now runs s: it replaces the one kept, and its containers follow. */
static void state_adopt(Manager *m, HostState *s, const char *source, const char *sha256, bool last_good) {
        host_state_free(m->state);
        m->state = s;
        snprintf(m->state_source, sizeof(m->state_source), "%s", source);
        snprintf(m->state_sha256, sizeof(m->state_sha256), "%s", sha256);
        m->state_applied_at = uptime();
        m->state_last_good = last_good;
        /* The TOML tree is gone: its pages go back, PID 1's budget is 3 MiB. */
        (void) malloc_trim(0);
        (void) containers_apply(m, m->state);
        refresh_schedule(m);
}

static int last_good_save(const char *source, const char *sha256) {
        _cleanup_free_ char *text = NULL, *stamp = NULL;
        size_t n;
        int r;

        r = read_full_file(BERTH_STATE_FETCHED_PATH, HOST_STATE_MAX_BYTES, &text, &n);
        if (r < 0)
                return r;
        if (asprintf(&stamp, "%s %s\n", sha256, source) < 0)
                return -ENOMEM;
        r = mkdir_p("/var/lib/berth", 0700);
        if (r < 0)
                return r;
        /* The document first: a stamp never names a document not there. */
        r = write_file_atomic(BERTH_STATE_LAST_GOOD_PATH, text, n, 0600);
        if (r < 0)
                return r;
        return write_file_atomic(BERTH_STATE_LAST_GOOD_SHA256_PATH, stamp, strlen(stamp), 0600);
}

/* The host back on (or up on) the last good document. reapply: the host
 * was changed by a document that failed half-way, so the one kept is
 * applied again to undo it. */
static void fall_back(Manager *m, bool reapply) {
        _cleanup_(host_state_freep) HostState *s = NULL;
        _cleanup_free_ char *stamp = NULL;
        char why[512], sha256[65] = "";
        TomlError e = {};
        bool changed;
        int r;

        if (m->state) {
                /* Applied whole before: it is the last good one. prev NULL: every
                 * sysctl is written again, as the failed one may have changed it. */
                if (reapply && state_apply(NULL, m->state, why, sizeof(why), &changed) < 0)
                        console_failed("state last-good", "%s", why);
                console_info("state last-good sha256:%s", m->state_sha256);
                /* The refresh goes on: the next period may bring a good one. */
                refresh_schedule(m);
                return;
        }
        if (read_full_file(BERTH_STATE_LAST_GOOD_SHA256_PATH, 4096, &stamp, NULL) < 0)
                return; /* never had one: nothing to come up on */
        if (strlen(stamp) < 64 || (stamp[64] != ' ' && stamp[64] != '\n')) {
                console_failed("state last-good", "%s: no sha256", BERTH_STATE_LAST_GOOD_SHA256_PATH);
                return;
        }
        memcpy(sha256, stamp, 64);
        r = host_state_load(BERTH_STATE_LAST_GOOD_PATH, &s, &e);
        if (r < 0) {
                console_failed("state last-good", "%s:%u:%u: %s", BERTH_STATE_LAST_GOOD_PATH, e.line,
                               e.column, e.msg);
                return;
        }
        r = state_apply(NULL, s, why, sizeof(why), &changed);
        if (r < 0) {
                console_failed("state last-good", "%s", why);
                return;
        }
        console_info("state last-good sha256:%s", sha256);
        state_adopt(m, TAKE_PTR(s), "last-good", sha256, true);
}

void state_fetched(Manager *m, const char *line) {
        _cleanup_(host_state_freep) HostState *s = NULL;
        _cleanup_free_ char *source = NULL, *what = NULL;
        const char *sep = strstr(line, " sha256:");
        char why[512], sha256[65] = "";
        TomlError e = {};
        bool changed = false;
        int r;

        if (!sep || strlen(sep + 8) != 64) {
                console_failed("state", "berth-fetch said '%.200s'", line);
                fall_back(m, false);
                return;
        }
        memcpy(sha256, sep + 8, 64);
        source = strndup(line, (size_t) (sep - line));
        if (!source || asprintf(&what, "state %s", source) < 0) {
                console_failed("state", "out of memory");
                fall_back(m, false);
                return;
        }
        r = host_state_load(BERTH_STATE_FETCHED_PATH, &s, &e);
        if (r < 0) {
                if (e.line > 0)
                        console_failed(what, "%u:%u: %s", e.line, e.column, e.msg);
                else
                        console_failed(what, "%s: %s", BERTH_STATE_FETCHED_PATH,
                                       e.msg[0] ? e.msg : strerror(-r));
                fall_back(m, false);
                return;
        }
        r = state_apply(m->state, s, why, sizeof(why), &changed);
        if (r < 0) {
                console_failed(what, "%s", why[0] ? why : strerror(-r));
                fall_back(m, changed);
                return;
        }
        r = last_good_save(source, sha256);
        if (r < 0)
                console_warning("the host state is not kept as the last good one: %s: %s",
                                BERTH_STATE_LAST_GOOD_PATH, strerror(-r));
        /* A milestone's form, but not one of the milestones: a reload prints it again. */
        console_info("state applied %s sha256:%s %.2f", source, sha256, uptime());
        state_adopt(m, TAKE_PTR(s), source, sha256, false);
}

void state_not_fetched(Manager *m) {
        fall_back(m, false);
}
