/* SPDX-License-Identifier: MIT */
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t strv_length(char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

bool strv_contains(char *const *l, const char *s) {
        for (size_t i = 0; l && l[i]; i++)
                if (streq(l[i], s))
                        return true;
        return false;
}

int strv_push(char ***l, char *s) {
        size_t n = strv_length(*l);
        char **p = realloc(*l, sizeof(char *) * (n + 2));
        if (!p)
                return -ENOMEM;
        p[n] = s;
        p[n + 1] = NULL;
        *l = p;
        return 0;
}

int strv_extend(char ***l, const char *s) {
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        if (strv_push(l, c) < 0) {
                free(c);
                return -ENOMEM;
        }
        return 0;
}

char *strv_join(char *const *l, const char *sep) {
        size_t len = 0, seplen = strlen(sep), n = strv_length(l);
        char *r, *p;

        for (size_t i = 0; i < n; i++)
                len += strlen(l[i]) + (i ? seplen : 0);
        r = p = malloc(len + 1);
        if (!r)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (i)
                        p = stpcpy(p, sep);
                p = stpcpy(p, l[i]);
        }
        *p = 0;
        return r;
}
