/* SPDX-License-Identifier: MIT */

/* The two text formats a .deb carries that berth reads: the control paragraph
 * and, for the SBOM, a DEP-5 (machine-readable) copyright file. */

#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "deb.h"
#include "strv.h"

DebControl *deb_control_free(DebControl *c) {
        if (!c)
                return NULL;
        free(c->package);
        free(c->version);
        free(c->architecture);
        free(c->source);
        free(c->license);
        free(c);
        return NULL;
}

/* Calls fn for each "Field: value" line at the start of a paragraph line
 * (continuation lines are ignored: berth reads only one-line fields). */
typedef int (*FieldFn)(const char *name, size_t name_len, const char *value, size_t value_len,
                       void *userdata);

static int foreach_field(const char *text, size_t size, FieldFn fn, void *userdata) {
        const char *p = text, *end = text + size;

        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t) (end - p)) ?: end;
                const char *colon = memchr(p, ':', (size_t) (eol - p));

                if (colon && p[0] != ' ' && p[0] != '\t' && p[0] != '#') {
                        const char *v = colon + 1, *ve = eol;
                        while (v < ve && (*v == ' ' || *v == '\t'))
                                v++;
                        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
                                ve--;
                        int r = fn(p, (size_t) (colon - p), v, (size_t) (ve - v), userdata);
                        if (r != 0)
                                return r;
                }
                p = eol + 1;
        }
        return 0;
}

static bool field_is(const char *name, size_t len, const char *want) {
        return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

static int control_field(const char *name, size_t nlen, const char *v, size_t vlen, void *userdata) {
        DebControl *c = userdata;
        char **slot = NULL;

        if (field_is(name, nlen, "Package"))
                slot = &c->package;
        else if (field_is(name, nlen, "Version"))
                slot = &c->version;
        else if (field_is(name, nlen, "Architecture"))
                slot = &c->architecture;
        else if (field_is(name, nlen, "Source")) {
                /* "Source: name (version)" when the versions differ */
                const char *sp = memchr(v, ' ', vlen);
                if (sp)
                        vlen = (size_t) (sp - v);
                slot = &c->source;
        }
        if (!slot || *slot)
                return 0;
        *slot = strndup(v, vlen);
        return *slot ? 0 : -ENOMEM;
}

int deb_control_parse(const char *text, size_t size, DebControl **ret) {
        _cleanup_(deb_control_freep) DebControl *c = calloc(1, sizeof(DebControl));
        int r;

        if (!c)
                return -ENOMEM;
        r = foreach_field(text, size, control_field, c);
        if (r < 0)
                return r;
        if (!c->package || !c->version || !c->architecture)
                return -EBADMSG;
        if (!c->source && !(c->source = strdup(c->package)))
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

typedef struct LicenseScan {
        bool dep5;
        char **names;
} LicenseScan;

static int license_field(const char *name, size_t nlen, const char *v, size_t vlen, void *userdata) {
        LicenseScan *s = userdata;
        _cleanup_free_ char *value = NULL;

        if (field_is(name, nlen, "Format") && vlen > 0 && memmem(v, vlen, "copyright-format", 16))
                s->dep5 = true;
        if (!field_is(name, nlen, "License") || vlen == 0)
                return 0;
        /* "GPL-2+ or Artistic" stays one choice when joined with others by AND. */
        if (memmem(v, vlen, " or ", 4) || memmem(v, vlen, " and ", 5) || memmem(v, vlen, " with ", 6)) {
                if (asprintf(&value, "(%.*s)", (int) vlen, v) < 0)
                        return -ENOMEM;
        } else if (!(value = strndup(v, vlen)))
                return -ENOMEM;
        if (strv_contains(s->names, value))
                return 0;
        return strv_push(&s->names, TAKE_PTR(value));
}

int deb_copyright_licenses(const char *text, size_t size, char **ret) {
        _cleanup_strv_free_ char **names = NULL;
        LicenseScan s = { 0 };
        int r;

        r = foreach_field(text, size, license_field, &s);
        names = s.names;
        if (r < 0)
                return r;
        if (!s.dep5 || !names) {
                *ret = NULL;
                return 0;
        }
        *ret = strv_join(names, " AND ");
        return *ret ? 0 : -ENOMEM;
}
