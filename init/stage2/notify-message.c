/* SPDX-License-Identifier: MIT */
#include "notify-message.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

bool notify_has_line(const char *text, size_t n, const char *line) {
        size_t len = strlen(line);

        for (size_t i = 0; i < n;) {
                const char *nl = memchr(text + i, '\n', n - i);
                size_t end = nl ? (size_t) (nl - text) : n;

                if (end - i == len && memcmp(text + i, line, len) == 0)
                        return true;
                i = end + 1;
        }
        return false;
}

int notify_message_parse(const char *text, size_t n, NotifyMessage *ret) {
        *ret = (NotifyMessage){};
        if (n == 0 || memchr(text, 0, n))
                return -EBADMSG;
        ret->ready = notify_has_line(text, n, "READY=1");
        ret->stopping = notify_has_line(text, n, "STOPPING=1");
        for (size_t i = 0; i < n;) {
                const char *nl = memchr(text + i, '\n', n - i);
                size_t end = nl ? (size_t) (nl - text) : n;

                if (end - i >= 7 && memcmp(text + i, "STATUS=", 7) == 0)
                        snprintf(ret->status, sizeof(ret->status), "%.*s", (int) (end - i - 7),
                                 text + i + 7);
                i = end + 1;
        }
        return 0;
}
