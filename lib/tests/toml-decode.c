/* SPDX-License-Identifier: MIT */

/* The toml-test decoder: TOML on stdin, tagged JSON on stdout (exit 0), or
 * "line:column: message" on stderr (exit 1) for an invalid document. */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "toml/toml.h"

static void json_string(const char *s, size_t n) {
        putchar('"');
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                switch (c) {
                case '"':
                        fputs("\\\"", stdout);
                        break;
                case '\\':
                        fputs("\\\\", stdout);
                        break;
                case '\n':
                        fputs("\\n", stdout);
                        break;
                case '\t':
                        fputs("\\t", stdout);
                        break;
                case '\r':
                        fputs("\\r", stdout);
                        break;
                case '\b':
                        fputs("\\b", stdout);
                        break;
                case '\f':
                        fputs("\\f", stdout);
                        break;
                default:
                        if (c < 0x20 || c == 0x7F)
                                printf("\\u%04x", c);
                        else
                                putchar(c);
                }
        }
        putchar('"');
}

static void scalar(const char *type, const char *value) {
        printf("{\"type\": \"%s\", \"value\": ", type);
        json_string(value, strlen(value));
        putchar('}');
}

static void datetime(const TomlValue *v) {
        const TomlDatetime *d = toml_datetime(v);
        char buf[80], frac[16] = "";
        int n = 0;

        if (d->nanosecond) {
                snprintf(frac, sizeof(frac), ".%09d", d->nanosecond);
                for (size_t l = strlen(frac); frac[l - 1] == '0'; l--)
                        frac[l - 1] = 0;
        }
        switch (toml_type(v)) {
        case TOML_LOCAL_DATE:
                snprintf(buf, sizeof(buf), "%04d-%02d-%02d", d->year, d->month, d->day);
                scalar("date-local", buf);
                return;
        case TOML_LOCAL_TIME:
                snprintf(buf, sizeof(buf), "%02d:%02d:%02d%s", d->hour, d->minute, d->second, frac);
                scalar("time-local", buf);
                return;
        default:
                n = snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%s", d->year, d->month, d->day,
                             d->hour, d->minute, d->second, frac);
                if (toml_type(v) == TOML_LOCAL_DATETIME) {
                        scalar("datetime-local", buf);
                        return;
                }
                if (d->offset_minutes == 0)
                        snprintf(buf + n, sizeof(buf) - (size_t) n, "Z");
                else
                        snprintf(buf + n, sizeof(buf) - (size_t) n, "%c%02d:%02d",
                                 d->offset_minutes < 0 ? '-' : '+', abs(d->offset_minutes) / 60,
                                 abs(d->offset_minutes) % 60);
                scalar("datetime", buf);
        }
}

static void emit(const TomlValue *v) {
        char buf[64];

        switch (toml_type(v)) {
        case TOML_TABLE:
                putchar('{');
                for (size_t i = 0; i < toml_table_size(v); i++) {
                        const char *key;
                        const TomlValue *child = toml_table_entry(v, i, &key, NULL);
                        if (i)
                                fputs(", ", stdout);
                        json_string(key, toml_table_entry_key_length(v, i));
                        fputs(": ", stdout);
                        emit(child);
                }
                putchar('}');
                break;
        case TOML_ARRAY:
                putchar('[');
                for (size_t i = 0; i < toml_array_size(v); i++) {
                        if (i)
                                fputs(", ", stdout);
                        emit(toml_array_at(v, i));
                }
                putchar(']');
                break;
        case TOML_STRING: {
                size_t n;
                const char *s = toml_string(v, &n);
                fputs("{\"type\": \"string\", \"value\": ", stdout);
                json_string(s, n);
                putchar('}');
                break;
        }
        case TOML_INTEGER:
                snprintf(buf, sizeof(buf), "%lld", (long long) toml_integer(v));
                scalar("integer", buf);
                break;
        case TOML_FLOAT: {
                double d = toml_float(v);
                if (isnan(d))
                        snprintf(buf, sizeof(buf), "nan");
                else if (isinf(d))
                        snprintf(buf, sizeof(buf), "%sinf", d < 0 ? "-" : "");
                else
                        snprintf(buf, sizeof(buf), "%.17g", d);
                scalar("float", buf);
                break;
        }
        case TOML_BOOLEAN:
                scalar("bool", toml_boolean(v) ? "true" : "false");
                break;
        default:
                datetime(v);
        }
}

int main(void) {
        _cleanup_(toml_freep) TomlValue *root = NULL;
        _cleanup_free_ char *text = NULL;
        size_t n = 0, cap = 0;
        TomlError err;

        for (;;) {
                if (cap - n < 4096) {
                        char *p = realloc(text, cap ? cap * 2 : 65536);
                        if (!p)
                                return 2;
                        text = p;
                        cap = cap ? cap * 2 : 65536;
                }
                ssize_t k = read(STDIN_FILENO, text + n, cap - n);
                if (k < 0)
                        return 2;
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        if (toml_parse(text ? text : "", n, &root, &err) < 0) {
                fprintf(stderr, "%u:%u: %s\n", err.line, err.column, err.msg);
                return 1;
        }
        emit(root);
        putchar('\n');
        return 0;
}
