/* SPDX-License-Identifier: MIT */

/* kernel-cmdline.c and os-release.c: recipe strings that reach the kernel's
 * command line and os-release keep the syntax around them. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/tests/tap.h"
#include "kernel-cmdline.h"
#include "os-release.h"
#include "strv.h"

static void words(const char *cmdline, const char *want_joined) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *joined = NULL;
        char msg[160] = "";
        int r = kernel_cmdline_split(cmdline, &l, msg, sizeof(msg));

        joined = strv_join(l, "|");
        ok(r == 0 && streq(joined ?: "", want_joined), "'%s' -> '%s' (%d, '%s', %s)", cmdline, want_joined,
           r, joined ?: "", msg);
}

static void refused(const char *cmdline, const char *why) {
        _cleanup_strv_free_ char **l = NULL;
        char msg[160] = "";
        int r = kernel_cmdline_split(cmdline, &l, msg, sizeof(msg));

        ok(r == -EINVAL && strstr(msg, why) && !l, "'%s' refused: %s",
           strpbrk(cmdline, "\n\t") ? "(control)" : cmdline, msg);
}

static void quoted(const char *s, const char *want) {
        _cleanup_free_ char *q = os_release_quote(s);
        ok(q && streq(q, want), "os-release: %s -> %s (%s)", s, want, q ?: "NULL");
}

int main(void) {
        words("", "");
        words("   ", "");
        words("console=ttyS0 quiet", "console=ttyS0|quiet");
        words("  console=ttyS0,115200n8   quiet  ", "console=ttyS0,115200n8|quiet");
        words("dyndbg=\"file foo.c +p\" loglevel=7", "dyndbg=\"file foo.c +p\"|loglevel=7");
        words("virtio_net.napi_tx=1 berth.root_timeout=30", "virtio_net.napi_tx=1|berth.root_timeout=30");
        words("key= x=\"\"", "key=|x=\"\"");

        refused("quiet\ninit=/bin/sh", "printable ASCII");
        refused("quiet\tdebug", "printable ASCII");
        refused("caf\xc3\xa9=1", "printable ASCII");
        refused("a=\"b c", "not closed");
        refused("a=b\"c\"", "quote a value whole");
        refused("a=\"b\"c\"d\"", "quote a value whole");
        refused("\"a=b c\"", "name before");
        refused("=x", "name before");
        refused("a/b=1", "name before");
        refused("root=/dev/sda", "set by berth");
        refused("ostree=/x", "set by berth");
        refused("berth.var=tmpfs", "use image.var");
        refused("berth.shell=ttyS0", "use image.shell");

        quoted("0.1.0", "\"0.1.0\"");
        quoted("a b", "\"a b\"");
        quoted("$(reboot)`x`\"\\", "\"\\$(reboot)\\`x\\`\\\"\\\\\"");
        errno = 0;
        ok(!os_release_quote("1\nID=evil") && errno == EINVAL, "os-release: a newline cannot be quoted");
        return tap_done();
}
