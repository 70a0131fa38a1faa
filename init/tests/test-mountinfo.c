/* SPDX-License-Identifier: MIT */
/* mountinfo's octal escapes in paths. */

#include <string.h>

#include "../../lib/tests/tap.h"
#include "mountinfo.h"

static void check(const char *in, const char *want, const char *what) {
        char buf[256];

        snprintf(buf, sizeof(buf), "%s", in);
        mountinfo_unescape(buf);
        if (!ok(strcmp(buf, want) == 0, "%s", what))
                printf("# got \"%s\", want \"%s\"\n", buf, want);
}

int main(void) {
        check("/mnt/a\\040b", "/mnt/a b", "\\040 is a space");
        check("/mnt/a\\011b", "/mnt/a\tb", "\\011 is a tab");
        check("/mnt/a\\012b", "/mnt/a\nb", "\\012 is a newline");
        check("/mnt/a\\134b", "/mnt/a\\b", "\\134 is a backslash");
        check("/mnt/a\\134040", "/mnt/a\\040", "a decoded backslash does not start another escape");
        check("\\040\\040", "  ", "escapes side by side, at the start");
        check("/plain/path", "/plain/path", "a path without escapes is unchanged");
        check("", "", "the empty string");
        check("/mnt/a\\04", "/mnt/a\\04", "an escape cut short at the end stays");
        check("/mnt/a\\0", "/mnt/a\\0", "one digit at the end stays");
        check("/mnt/a\\", "/mnt/a\\", "a backslash at the end stays");
        check("/mnt/a\\089", "/mnt/a\\089", "8 and 9 are not octal digits");
        check("/mnt/a\\04x/b", "/mnt/a\\04x/b", "a letter in the digits");
        check("/mnt/a\\400", "/mnt/a\\400", "\\400 is more than a byte");
        check("/mnt/a\\377", "/mnt/a\377", "\\377 is the largest byte");
        return tap_done();
}
