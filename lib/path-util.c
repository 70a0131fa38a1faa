/* SPDX-License-Identifier: MIT */
#include "path-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"

char *path_join(const char *a, const char *b) {
        size_t la = strlen(a);
        char *r;

        while (la > 1 && a[la - 1] == '/')
                la--;
        while (*b == '/')
                b++;
        if (asprintf(&r, "%.*s%s%s", (int) la, a, la > 0 && a[la - 1] == '/' ? "" : "/", b) < 0)
                return NULL;
        return r;
}

char *path_dirname_absolute(const char *path) {
        _cleanup_free_ char *cwd = NULL, *copy = NULL;
        const char *slash = strrchr(path, '/');

        if (slash == path)
                return strdup("/");
        if (path[0] == '/')
                return strndup(path, (size_t) (slash - path));

        cwd = getcwd(NULL, 0);
        if (!cwd)
                return NULL;
        if (!slash)
                return TAKE_PTR(cwd);
        copy = strndup(path, (size_t) (slash - path));
        if (!copy)
                return NULL;
        return path_join(cwd, copy);
}

char *path_absolute_lexical(const char *path) {
        _cleanup_free_ char *cwd = NULL, *joined = NULL;
        char *out, *o;

        if (path[0] != '/') {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return NULL;
                joined = path_join(cwd, path);
        } else
                joined = strdup(path);
        if (!joined)
                return NULL;
        out = malloc(strlen(joined) + 2);
        if (!out)
                return NULL;
        o = out;
        for (const char *s = joined; *s;) {
                const char *e = strchrnul(s, '/');
                size_t n = (size_t) (e - s);

                if (n == 0 || (n == 1 && s[0] == '.')) {
                } else if (n == 2 && s[0] == '.' && s[1] == '.') {
                        while (o > out && *--o != '/')
                                ;
                } else {
                        *o++ = '/';
                        memcpy(o, s, n);
                        o += n;
                }
                s = *e ? e + 1 : e;
        }
        if (o == out)
                *o++ = '/';
        *o = 0;
        return out;
}
