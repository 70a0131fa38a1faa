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
