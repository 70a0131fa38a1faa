/* SPDX-License-Identifier: MIT */
#include "control-request.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

typedef struct Field {
        const char *name;
        size_t offset, size; /* where its string goes in ControlRequest */
        bool (*valid)(const char *value);
} Field;

typedef struct MethodSpec {
        const char *name;
        const Field *fields; /* every one required; no other key allowed */
        size_t n_fields;
} MethodSpec;

/* An interface name as the kernel takes it: no '/', no space, not "." or "..". */
static bool valid_interface(const char *v) {
        if (!v[0] || streq(v, ".") || streq(v, ".."))
                return false;
        for (const char *p = v; *p; p++)
                if (*p <= ' ' || *p >= 0x7f || *p == '/' || *p == ':')
                        return false;
        return true;
}

/* An address as dhcpcd hands it (or "(ipv6)"): printable, no space. */
static bool valid_address(const char *v) {
        if (!v[0])
                return false;
        for (const char *p = v; *p; p++)
                if (*p <= ' ' || *p >= 0x7f)
                        return false;
        return true;
}

static const Field network_up_fields[] = {
        { "interface", offsetof(ControlRequest, interface), sizeof(((ControlRequest *) 0)->interface),
          valid_interface },
        { "address", offsetof(ControlRequest, address), sizeof(((ControlRequest *) 0)->address),
          valid_address },
};

static const MethodSpec methods[_CONTROL_METHOD_MAX] = {
        [CONTROL_STATUS] = { "status", NULL, 0 },
        [CONTROL_NETWORK_UP] = { "network-up", network_up_fields, ARRAY_SIZE(network_up_fields) },
        [CONTROL_RELOAD] = { "reload", NULL, 0 },
};

const char *control_method_to_string(ControlMethod m) {
        return m >= 0 && m < _CONTROL_METHOD_MAX ? methods[m].name : NULL;
}

_printf_(3, 4) static int fail(char *reterr, size_t errlen, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(reterr, errlen, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static const Field *field_find(const MethodSpec *ms, const char *key) {
        for (size_t i = 0; i < ms->n_fields; i++)
                if (streq(ms->fields[i].name, key))
                        return &ms->fields[i];
        return NULL;
}

int control_request_parse(const char *line, size_t n, ControlRequest *ret, char *reterr, size_t errlen) {
        json_tokener *tok;
        json_object *obj, *v;
        const MethodSpec *ms = NULL;
        int r = 0;

        *ret = (ControlRequest){};
        if (n >= CONTROL_LINE_MAX)
                return fail(reterr, errlen, "request longer than %d bytes", CONTROL_LINE_MAX - 1);
        if (memchr(line, 0, n))
                return fail(reterr, errlen, "request holds a NUL byte");
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        obj = json_tokener_parse_ex(tok, line, (int) n);
        if (!obj) {
                enum json_tokener_error e = json_tokener_get_error(tok);
                json_tokener_free(tok);
                return fail(reterr, errlen, "not JSON: %s",
                            e == json_tokener_continue ? "incomplete" : json_tokener_error_desc(e));
        }
        /* Nothing but white space after the object. */
        for (size_t i = json_tokener_get_parse_end(tok); i < n; i++)
                if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
                        r = fail(reterr, errlen, "text after the request object");
                        goto out;
                }
        if (!json_object_is_type(obj, json_type_object)) {
                r = fail(reterr, errlen, "a request is a JSON object");
                goto out;
        }
        if (!json_object_object_get_ex(obj, "method", &v) || !json_object_is_type(v, json_type_string)) {
                r = fail(reterr, errlen, "no \"method\" string");
                goto out;
        }
        for (size_t i = 0; i < _CONTROL_METHOD_MAX; i++)
                if (streq(methods[i].name, json_object_get_string(v))) {
                        ms = &methods[i];
                        ret->method = (ControlMethod) i;
                }
        if (!ms) {
                r = fail(reterr, errlen, "unknown method '%.64s'", json_object_get_string(v));
                goto out;
        }
        json_object_object_foreach(obj, key, val) {
                const Field *f;

                if (streq(key, "method"))
                        continue;
                f = field_find(ms, key);
                if (!f) {
                        r = fail(reterr, errlen, "unknown field '%.64s' for method '%s'", key, ms->name);
                        goto out;
                }
                if (!json_object_is_type(val, json_type_string)) {
                        r = fail(reterr, errlen, "'%s' is not a string", key);
                        goto out;
                }
                const char *s = json_object_get_string(val);
                if ((size_t) json_object_get_string_len(val) >= f->size) {
                        r = fail(reterr, errlen, "'%s' is longer than %zu bytes", key, f->size - 1);
                        goto out;
                }
                if (strlen(s) != (size_t) json_object_get_string_len(val) || !f->valid(s)) {
                        r = fail(reterr, errlen, "'%s' is not valid: '%.64s'", key, s);
                        goto out;
                }
                memcpy((char *) ret + f->offset, s, strlen(s) + 1);
        }
        for (size_t i = 0; i < ms->n_fields; i++)
                if (!json_object_object_get_ex(obj, ms->fields[i].name, NULL)) {
                        r = fail(reterr, errlen, "'%s' wants '%s'", ms->name, ms->fields[i].name);
                        goto out;
                }
out:
        json_object_put(obj);
        json_tokener_free(tok);
        if (r < 0)
                *ret = (ControlRequest){};
        return r;
}
