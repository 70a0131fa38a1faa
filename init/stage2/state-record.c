/* SPDX-License-Identifier: MIT */
#include "state-record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"

int sysctl_name_to_path(const char *name, char *buf, size_t size) {
        static const char prefix[] = "/proc/sys/";
        size_t n = strlen(prefix), part = 0;

        if (!name[0] || size < sizeof(prefix))
                return name[0] ? -ENAMETOOLONG : -EINVAL;
        memcpy(buf, prefix, n);
        for (const char *p = name;; p++) {
                char c = *p == '.' ? '/' : *p == '/' ? '.' : *p;

                if (*p == '.' || !*p) {
                        /* The part just ended: not empty, not "." or "..". */
                        const char *start = buf + n - part;
                        if (part == 0 || (part == 1 && start[0] == '.') ||
                            (part == 2 && start[0] == '.' && start[1] == '.'))
                                return -EINVAL;
                        part = 0;
                        if (!*p)
                                break;
                } else
                        part++;
                if (n + 1 >= size)
                        return -ENAMETOOLONG;
                buf[n++] = c;
        }
        buf[n] = 0;
        return 0;
}

static int entry_add(char ***l, const char *kind, const char *arg) {
        _cleanup_free_ char *e = NULL;

        if (asprintf(&e, "%s %s", kind, arg) < 0)
                return -ENOMEM;
        if (strv_contains(*l, e))
                return 0;
        return strv_extend(l, e);
}

int state_record_of(const HostState *s, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        for (size_t i = 0; i < s->n_files; i++)
                if (entry_add(&l, "file", s->files[i].path) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < s->n_registries; i++)
                if (entry_add(&l, "registry", s->registries[i].host) < 0)
                        return -ENOMEM;
        if (!l && !(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

const char *state_record_arg(const char *entry, const char *kind) {
        size_t n = strlen(kind);

        if (strncmp(entry, kind, n) != 0 || entry[n] != ' ' || !entry[n + 1])
                return NULL;
        return entry + n + 1;
}

static bool entry_valid(const char *e) {
        const char *a;

        if ((a = state_record_arg(e, "file")))
                /* Only what a document may name: below /etc, normalized. */
                return strncmp(a, "/etc/", 5) == 0 && !strstr(a, "/../") && !strstr(a, "/./") &&
                       !strstr(a, "//") && strcmp(a + strlen(a) - 3, "/..") != 0 &&
                       strcmp(a + strlen(a) - 2, "/.") != 0 && a[strlen(a) - 1] != '/';
        if ((a = state_record_arg(e, "registry")))
                return !strchr(a, '/') && !streq(a, ".") && !streq(a, "..");
        return false;
}

int state_record_parse(const char *text, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        for (const char *p = text; *p;) {
                size_t n = strcspn(p, "\n");
                _cleanup_free_ char *line = strndup(p, n);

                if (!line)
                        return -ENOMEM;
                if (entry_valid(line) && !strv_contains(l, line) && strv_length(l) < STATE_RECORD_MAX &&
                    strv_extend(&l, line) < 0)
                        return -ENOMEM;
                p += n;
                if (*p)
                        p++;
        }
        if (!l && !(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

char *state_record_format(char **entries) {
        size_t n = 1;
        char *text, *p;

        STRV_FOREACH (e, entries)
                n += strlen(*e) + 1;
        p = text = malloc(n);
        if (!text)
                return NULL;
        STRV_FOREACH (e, entries)
                p = stpcpy(stpcpy(p, *e), "\n");
        *p = 0;
        return text;
}

int state_record_merge(char ***l, char **add) {
        STRV_FOREACH (e, add)
                if (!strv_contains(*l, *e) && strv_extend(l, *e) < 0)
                        return -ENOMEM;
        if (!*l && !(*l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        return 0;
}

int state_record_stale(char **old, char **new_, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        STRV_FOREACH (e, old)
                if (!strv_contains(new_, *e) && strv_extend(&l, *e) < 0)
                        return -ENOMEM;
        if (!l && !(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}
