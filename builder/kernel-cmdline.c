/* SPDX-License-Identifier: MIT */
#include "kernel-cmdline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-contract.h"
#include "macro.h"
#include "strv.h"

#define KEY_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-."

/* berth writes these itself (builder/stage-deploy.c); a second one would
 * win or confuse berth-init. var and shell have their own recipe keys. */
static const char *const berth_keys[] = {
        BERTH_KARG_ROOT,
        BERTH_KARG_OSTREE,
        BERTH_KARG_VAR,
        BERTH_KARG_SHELL,
};

static int check_word(const char *w, size_t len, char *msg, size_t n) {
        size_t klen = strcspn(w, "=");
        const char *v;
        size_t vlen;

        if (klen > len)
                klen = len;
        if (klen == 0 || strspn(w, KEY_CHARS) < klen) {
                snprintf(msg, n,
                         "kernel argument '%.*s': the name before '=' must be letters, digits, '_', '-' "
                         "or '.'",
                         (int) len, w);
                return -EINVAL;
        }
        for (size_t i = 0; i < ARRAY_SIZE(berth_keys); i++)
                if (strlen(berth_keys[i]) == klen && strncmp(w, berth_keys[i], klen) == 0) {
                        snprintf(msg, n, "kernel argument '%.*s' is set by berth%s", (int) len, w,
                                 streq(berth_keys[i], BERTH_KARG_VAR)     ? ": use image.var"
                                 : streq(berth_keys[i], BERTH_KARG_SHELL) ? ": use image.shell"
                                                                          : "");
                        return -EINVAL;
                }
        if (klen == len)
                return 0;
        v = w + klen + 1;
        vlen = len - klen - 1;
        /* Quotes only around the whole value: key="a b". */
        if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                v++;
                vlen -= 2;
        }
        if (memchr(v, '"', vlen)) {
                snprintf(msg, n, "kernel argument '%.*s': quote a value whole, as key=\"value\"", (int) len,
                         w);
                return -EINVAL;
        }
        return 0;
}

int kernel_cmdline_split(const char *s, char ***ret, char *msg, size_t n) {
        _cleanup_strv_free_ char **l = NULL;

        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < 0x20 || (unsigned char) *p >= 0x7f) {
                        snprintf(msg, n,
                                 "'kernel.cmdline' must be printable ASCII: byte 0x%02x at offset %zu (a "
                                 "control character or non-ASCII)",
                                 (unsigned char) *p, (size_t) (p - s));
                        return -EINVAL;
                }

        for (const char *p = s;;) {
                const char *start;
                bool quoted = false;
                int r;

                p += strspn(p, " ");
                if (!*p)
                        break;
                start = p;
                for (; *p && (quoted || *p != ' '); p++)
                        if (*p == '"')
                                quoted = !quoted;
                if (quoted) {
                        snprintf(msg, n, "kernel argument '%s': a quote is not closed", start);
                        return -EINVAL;
                }
                r = check_word(start, (size_t) (p - start), msg, n);
                if (r < 0)
                        return r;
                _cleanup_free_ char *w = strndup(start, (size_t) (p - start));
                if (!w || strv_extend(&l, w) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}
