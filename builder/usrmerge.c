/* SPDX-License-Identifier: MIT */
#include "usrmerge.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

/* "/./bin//x/" -> "bin/x": libarchive resolves "." and empty segments when it
 * writes, so the prefix test must see the path as it will: "/./bin/x" is a
 * /bin path, and left as is it would replace the tree's bin -> usr/bin link
 * with a folder. Sets *ret to "" for the root; -EPERM for a ".." segment. */
static int normalize(const char *name, char **ret, size_t *ret_components) {
        _cleanup_free_ char *out = malloc(strlen(name) + 1);
        size_t len = 0, n = 0;

        if (!out)
                return -ENOMEM;
        for (const char *p = name; *p;) {
                size_t l = strcspn(p, "/");

                if (l == 2 && p[0] == '.' && p[1] == '.')
                        return -EPERM;
                if (l > 0 && !(l == 1 && p[0] == '.')) {
                        if (len > 0)
                                out[len++] = '/';
                        memcpy(out + len, p, l);
                        len += l;
                        n++;
                }
                p += l;
                p += strspn(p, "/");
        }
        out[len] = 0;
        *ret = TAKE_PTR(out);
        *ret_components = n;
        return 0;
}

int usrmerge_path(const char *name, char **ret) {
        static const char *const merged[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };
        _cleanup_free_ char *p = NULL;
        size_t n;
        int r;

        r = normalize(name, &p, &n);
        if (r < 0)
                return r;
        if (n == 0) {
                *ret = NULL;
                return 0;
        }
        if (n > USRMERGE_MAX_COMPONENTS)
                return -ENAMETOOLONG;

        for (size_t i = 0; i < ARRAY_SIZE(merged); i++) {
                size_t l = strlen(merged[i]);
                if (strncmp(p, merged[i], l) == 0 && (p[l] == 0 || p[l] == '/'))
                        return asprintf(ret, "usr/%s", p) < 0 ? -ENOMEM : 0;
        }
        *ret = TAKE_PTR(p);
        return 0;
}
