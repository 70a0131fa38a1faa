/* SPDX-License-Identifier: MIT */

/* The sd_notify(3) message parser of the notify socket (readiness.c). */

#include <errno.h>
#include <string.h>

#include "macro.h"
#include "../../lib/tests/tap.h"
#include "notify-message.h"

static bool has(const char *text, const char *line) {
        return notify_has_line(text, strlen(text), line);
}

static int parse(const char *text, NotifyMessage *m) {
        return notify_message_parse(text, strlen(text), m);
}

int main(void) {
        NotifyMessage m;

        ok(has("READY=1", "READY=1"), "one line, no newline");
        ok(has("READY=1\n", "READY=1"), "one line with its newline");
        ok(has("STATUS=starting\nREADY=1\n", "READY=1"), "the second line");
        ok(has("READY=1\nSTATUS=x", "READY=1"), "the first of two");
        ok(!has("READY=10", "READY=1"), "a longer value is not the line");
        ok(!has("XREADY=1", "READY=1"), "a longer key is not the line");
        ok(!has("STATUS=READY=1", "READY=1"), "the line inside another's value");
        ok(!has("", "READY=1"), "an empty message");
        ok(!has("READY=", "READY=1"), "a shorter line");
        ok(!notify_has_line("READY=1", 5, "READY=1"), "only n bytes are read");

        ok(parse("READY=1\nSTATUS=serving\n", &m) == 0 && m.ready && streq(m.status, "serving") &&
                   !m.stopping,
           "READY and STATUS");
        ok(parse("STOPPING=1", &m) == 0 && !m.ready && m.stopping && m.status[0] == 0, "STOPPING alone");
        ok(parse("", &m) == -EBADMSG, "an empty message is refused");
        ok(notify_message_parse("READY=1\0x", 9, &m) == -EBADMSG, "a NUL byte is refused");
        char big[400];
        memset(big, 'a', sizeof(big));
        memcpy(big, "STATUS=", 7);
        ok(notify_message_parse(big, sizeof(big), &m) == 0 && strlen(m.status) == sizeof(m.status) - 1,
           "a long STATUS is cut to fit");
        return tap_done();
}
