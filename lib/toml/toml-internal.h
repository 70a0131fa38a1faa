/* SPDX-License-Identifier: MIT */
#pragma once

/* The TOML parser's inner parts, shared by its files; callers use toml.h. */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "toml.h"

/* How a table came to be; TOML's redefinition rules are decided by these. */
enum {
        TOML_FLAG_IMPLICIT = 1 << 0, /* created as a parent of a [header]; may be defined once later */
        TOML_FLAG_DEFINED = 1 << 1, /* defined by its own [header] or [[header]] */
        TOML_FLAG_DOTTED = 1 << 2, /* created by a dotted key: a.b = 1 */
        TOML_FLAG_INLINE = 1 << 3, /* an inline table or a static array: closed for good */
        TOML_FLAG_AOT = 1 << 4, /* an array of tables made by [[header]] */
};

/* Nesting of arrays and inline tables deeper than this is refused, so a
 * hostile document cannot exhaust the stack. */
#define TOML_MAX_DEPTH 128

typedef struct TomlEntry {
        char *key;
        size_t keylen;
        TomlPos pos;
        TomlValue *value;
} TomlEntry;

struct TomlValue {
        TomlType type;
        unsigned flags;
        TomlPos pos;
        union {
                struct {
                        char *s;
                        size_t len;
                } str;
                int64_t integer;
                double fp;
                bool boolean;
                TomlDatetime dt;
                struct {
                        TomlValue **items;
                        size_t n, cap;
                } arr;
                struct {
                        TomlEntry *entries;
                        size_t n, cap;
                        uint32_t *index; /* open addressing over entries, once a table grows */
                        size_t index_cap;
                } tab;
        };
};

/* value.c */
TomlValue *toml_value_new(TomlType type, TomlPos pos);
TomlEntry *toml_table_find(const TomlValue *t, const char *key, size_t keylen);
/* Adds key (copied) to a table; the value is owned by the table from then on,
 * also on failure. Returns 0 or -ENOMEM. */
int toml_table_add(TomlValue *t, const char *key, size_t keylen, TomlPos pos, TomlValue *v);
int toml_array_add(TomlValue *a, TomlValue *v);

/* The scanner: a cursor over the document with line and column. */
typedef struct TomlScanner {
        const char *p, *end;
        unsigned line, column;
        TomlError *err;
        unsigned depth;
} TomlScanner;

static inline bool sc_eof(const TomlScanner *s) {
        return s->p >= s->end;
}
static inline int sc_peek(const TomlScanner *s) {
        return s->p < s->end ? (unsigned char) *s->p : -1;
}
static inline int sc_peek_at(const TomlScanner *s, size_t i) {
        return s->p + i < s->end ? (unsigned char) s->p[i] : -1;
}
static inline TomlPos sc_pos(const TomlScanner *s) {
        return (TomlPos){ s->line, s->column };
}
/* Moves one byte; a new line starts after '\n'; columns count code points. */
void sc_advance(TomlScanner *s);
void sc_advance_n(TomlScanner *s, size_t n);
/* Skips spaces and tabs. */
void sc_skip_ws(TomlScanner *s);
/* Fills the error at the cursor (or pos); returns -EINVAL. */
int sc_error(TomlScanner *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sc_error_at(TomlScanner *s, TomlPos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Checks the whole document is UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int toml_check_utf8(const char *text, size_t n, TomlError *err);
/* A comment from '#' to the end of the line, checking its characters. */
int sc_skip_comment(TomlScanner *s);
/* Expects the end of a line (after spaces and a comment) or of the document. */
int sc_expect_eol(TomlScanner *s);

/* string.c: *ret is malloc'ed, NUL-terminated, *ret_len its length (may hold NUL). */
int toml_scan_string(TomlScanner *s, bool allow_multiline, char **ret, size_t *ret_len);
/* number.c and datetime.c: a value starting with a digit, sign, 'i' or 'n'. */
int toml_scan_number_or_datetime(TomlScanner *s, TomlValue **ret);
int toml_scan_datetime(TomlScanner *s, TomlValue **ret);
bool toml_looks_like_datetime(const TomlScanner *s);
