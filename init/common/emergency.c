/* SPDX-License-Identifier: MIT */
#include "macro.h"
#include "emergency.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "console.h"

void emergency(const char *what, const char *fmt, ...) {
        char why[512];
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        console_failed(what, "%s", why);
        console_info("the system is halted; fix the problem above and restart it.");
        sync();
        if (getpid() == 1)
                (void) reboot(RB_HALT_SYSTEM);
        for (;;)
                pause();
}
