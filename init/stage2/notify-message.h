/* SPDX-License-Identifier: MIT */
#pragma once

/* sd_notify(3) messages: newline-separated assignments, the last newline
 * optional, no NUL byte. Pure: no I/O (init/tests/test-notify-message.c). */

#include <stdbool.h>
#include <stddef.h>

typedef struct NotifyMessage {
        bool ready; /* READY=1 */
        bool stopping; /* STOPPING=1 */
        char status[128]; /* STATUS=..., cut to fit; "" without one */
} NotifyMessage;

/* The line "line" (no newline) is one of text's lines, exactly. */
bool notify_has_line(const char *text, size_t n, const char *line);
/* 0, or -EBADMSG for an empty message or one holding a NUL byte. */
int notify_message_parse(const char *text, size_t n, NotifyMessage *ret);
