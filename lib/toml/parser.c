/* SPDX-License-Identifier: MIT */

/* The document: key/value pairs, dotted keys, [tables], [[arrays of
 * tables]], inline tables and arrays, and TOML's rules on defining a key or
 * a table twice (see the flags in toml-internal.h). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml-internal.h"

typedef struct Key {
        char *s;
        size_t len;
        TomlPos pos;
} Key;

typedef struct KeyPath {
        Key *parts;
        size_t n;
} KeyPath;

static void keypath_free(KeyPath *k) {
        for (size_t i = 0; i < k->n; i++)
                free(k->parts[i].s);
        free(k->parts);
        *k = (KeyPath){ 0 };
}

static bool bare_key_char(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-';
}

/* A printable rendering of a key for messages (a key may hold anything). */
static const char *key_display(const Key *k) {
        static char buf[64];
        size_t j = 0;
        for (size_t i = 0; i < k->len && j < sizeof(buf) - 4; i++)
                buf[j++] = (k->s[i] >= 0x20 && k->s[i] != 0x7F) ? k->s[i] : '?';
        if (k->len > j)
                buf[j++] = '.', buf[j++] = '.', buf[j++] = '.';
        buf[j] = 0;
        return buf;
}

static int scan_key(TomlScanner *s, KeyPath *ret) {
        KeyPath kp = { 0 };
        int r;

        for (;;) {
                Key k = { .pos = sc_pos(s) };
                int c;

                sc_skip_ws(s);
                k.pos = sc_pos(s);
                c = sc_peek(s);
                if (c == '"' || c == '\'') {
                        r = toml_scan_string(s, false, &k.s, &k.len);
                        if (r < 0)
                                goto fail;
                } else if (bare_key_char(c)) {
                        const char *start = s->p;
                        while (bare_key_char(sc_peek(s)))
                                sc_advance(s);
                        k.len = (size_t) (s->p - start);
                        k.s = strndup(start, k.len);
                        if (!k.s) {
                                r = -ENOMEM;
                                goto fail;
                        }
                } else {
                        r = c < 0 || c == '\n' || c == '\r' ? sc_error(s, "expected a key")
                                                            : sc_error(s, "'%c' cannot start a key",
                                                                       c >= 0x20 && c < 0x7F ? c : '?');
                        goto fail;
                }
                Key *parts = realloc(kp.parts, (kp.n + 1) * sizeof(Key));
                if (!parts) {
                        free(k.s);
                        r = -ENOMEM;
                        goto fail;
                }
                kp.parts = parts;
                kp.parts[kp.n++] = k;

                sc_skip_ws(s);
                if (sc_peek(s) != '.')
                        break;
                sc_advance(s);
        }
        *ret = kp;
        return 0;
fail:
        keypath_free(&kp);
        return r;
}

static int scan_value(TomlScanner *s, TomlValue **ret);

/* Inside an array: spaces, newlines and comments may stand anywhere between values. */
static int skip_blank_lines(TomlScanner *s) {
        for (;;) {
                int r;

                sc_skip_ws(s);
                r = sc_skip_comment(s);
                if (r < 0)
                        return r;
                if (sc_peek(s) == '\n')
                        sc_advance(s);
                else if (sc_peek(s) == '\r' && sc_peek_at(s, 1) == '\n')
                        sc_advance_n(s, 2);
                else
                        return 0;
        }
}

static int scan_array(TomlScanner *s, TomlValue **ret) {
        TomlValue *a = toml_value_new(TOML_ARRAY, sc_pos(s));
        int r;

        if (!a)
                return -ENOMEM;
        a->flags = TOML_FLAG_INLINE;
        sc_advance(s); /* [ */
        for (;;) {
                r = skip_blank_lines(s);
                if (r < 0)
                        goto fail;
                if (sc_peek(s) == ']') {
                        sc_advance(s);
                        *ret = a;
                        return 0;
                }
                TomlValue *v;
                r = scan_value(s, &v);
                if (r < 0)
                        goto fail;
                r = toml_array_add(a, v);
                if (r < 0)
                        goto fail;
                r = skip_blank_lines(s);
                if (r < 0)
                        goto fail;
                if (sc_peek(s) == ',') {
                        sc_advance(s);
                        continue;
                }
                if (sc_peek(s) == ']')
                        continue;
                r = sc_error(s, sc_eof(s) ? "unterminated array" : "expected ',' or ']' in an array");
                goto fail;
        }
fail:
        toml_free(a);
        return r;
}

/* Sets key = value in table, walking (and making) the tables of a dotted key. */
static int assign(TomlScanner *s, TomlValue *table, KeyPath *kp, TomlValue *value) {
        TomlValue *cur = table;

        for (size_t i = 0; i + 1 < kp->n; i++) {
                Key *k = &kp->parts[i];
                TomlEntry *e = toml_table_find(cur, k->s, k->len);

                if (!e) {
                        TomlValue *t = toml_value_new(TOML_TABLE, k->pos);
                        if (!t)
                                goto oom;
                        t->flags = TOML_FLAG_DOTTED;
                        if (toml_table_add(cur, k->s, k->len, k->pos, t) < 0)
                                goto oom;
                        cur = t;
                        continue;
                }
                /* Dotted keys extend only tables that dotted keys made, here. */
                if (e->value->type != TOML_TABLE || !(e->value->flags & TOML_FLAG_DOTTED) ||
                    (e->value->flags & TOML_FLAG_INLINE)) {
                        toml_free(value);
                        return sc_error_at(s, k->pos, "key '%s' is already defined and cannot be extended",
                                           key_display(k));
                }
                cur = e->value;
        }
        Key *last = &kp->parts[kp->n - 1];
        if (toml_table_find(cur, last->s, last->len)) {
                toml_free(value);
                return sc_error_at(s, last->pos, "duplicate key '%s'", key_display(last));
        }
        return toml_table_add(cur, last->s, last->len, last->pos, value);
oom:
        toml_free(value);
        return -ENOMEM;
}

static void mark_inline(TomlValue *v) {
        v->flags |= TOML_FLAG_INLINE;
        if (v->type == TOML_TABLE)
                for (size_t i = 0; i < v->tab.n; i++)
                        mark_inline(v->tab.entries[i].value);
}

static int scan_inline_table(TomlScanner *s, TomlValue **ret) {
        TomlValue *t = toml_value_new(TOML_TABLE, sc_pos(s));
        int r;

        if (!t)
                return -ENOMEM;
        sc_advance(s); /* { */
        sc_skip_ws(s);
        if (sc_peek(s) == '}') {
                sc_advance(s);
                t->flags = TOML_FLAG_INLINE;
                *ret = t;
                return 0;
        }
        for (;;) {
                KeyPath kp;
                TomlValue *v;

                r = scan_key(s, &kp);
                if (r < 0)
                        goto fail;
                if (sc_peek(s) != '=') {
                        keypath_free(&kp);
                        r = sc_error(s, "expected '=' after a key");
                        goto fail;
                }
                sc_advance(s);
                sc_skip_ws(s);
                r = scan_value(s, &v);
                if (r < 0) {
                        keypath_free(&kp);
                        goto fail;
                }
                r = assign(s, t, &kp, v);
                keypath_free(&kp);
                if (r < 0)
                        goto fail;
                sc_skip_ws(s);
                if (sc_peek(s) == ',') {
                        sc_advance(s);
                        sc_skip_ws(s);
                        if (sc_peek(s) == '}') {
                                r = sc_error(s, "a trailing comma is not allowed in an inline table");
                                goto fail;
                        }
                        continue;
                }
                if (sc_peek(s) == '}') {
                        sc_advance(s);
                        mark_inline(t);
                        *ret = t;
                        return 0;
                }
                r = sc_error(s, sc_peek(s) == '\n' || sc_peek(s) == '\r'
                                        ? "an inline table must be on one line"
                                        : "expected ',' or '}' in an inline table");
                goto fail;
        }
fail:
        toml_free(t);
        return r;
}

static bool word_is(const TomlScanner *s, const char *w) {
        size_t n = strlen(w);
        return (size_t) (s->end - s->p) >= n && memcmp(s->p, w, n) == 0;
}

static int scan_value(TomlScanner *s, TomlValue **ret) {
        TomlPos pos = sc_pos(s);
        int c = sc_peek(s), r;

        if (s->depth >= TOML_MAX_DEPTH)
                return sc_error(s, "arrays and inline tables nested deeper than %d", TOML_MAX_DEPTH);

        if (c == '"' || c == '\'') {
                TomlValue *v = toml_value_new(TOML_STRING, pos);
                if (!v)
                        return -ENOMEM;
                r = toml_scan_string(s, true, &v->str.s, &v->str.len);
                if (r < 0) {
                        toml_free(v);
                        return r;
                }
                *ret = v;
                return 0;
        }
        if (c == '[' || c == '{') {
                s->depth++;
                r = c == '[' ? scan_array(s, ret) : scan_inline_table(s, ret);
                s->depth--;
                return r;
        }
        if (word_is(s, "true") || word_is(s, "false")) {
                bool b = c == 't';
                TomlValue *v;
                sc_advance_n(s, b ? 4 : 5);
                if (bare_key_char(sc_peek(s)))
                        return sc_error_at(s, pos, "invalid value");
                v = toml_value_new(TOML_BOOLEAN, pos);
                if (!v)
                        return -ENOMEM;
                v->boolean = b;
                *ret = v;
                return 0;
        }
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'i' || c == 'n') {
                r = toml_scan_number_or_datetime(s, ret);
                if (r < 0)
                        return r;
                /* A value ends at whitespace, a comment, a comma, a bracket or the line's end. */
                c = sc_peek(s);
                if (!(c < 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '#' || c == ',' ||
                      c == ']' || c == '}')) {
                        *ret = toml_free(*ret);
                        return sc_error_at(s, pos, "invalid value");
                }
                return 0;
        }
        if (c < 0 || c == '\n' || c == '\r')
                return sc_error(s, "expected a value");
        return sc_error(s, "invalid value");
}

/* [a.b.c] or [[a.b.c]]: walks to the parent table, making what is missing. */
static int header_parent(TomlScanner *s, TomlValue *root, KeyPath *kp, TomlValue **ret) {
        TomlValue *cur = root;

        for (size_t i = 0; i + 1 < kp->n; i++) {
                Key *k = &kp->parts[i];
                TomlEntry *e = toml_table_find(cur, k->s, k->len);

                if (!e) {
                        TomlValue *t = toml_value_new(TOML_TABLE, k->pos);
                        if (!t || toml_table_add(cur, k->s, k->len, k->pos, t) < 0)
                                return -ENOMEM;
                        t->flags = TOML_FLAG_IMPLICIT;
                        cur = t;
                        continue;
                }
                TomlValue *v = e->value;
                if (v->type == TOML_ARRAY && (v->flags & TOML_FLAG_AOT) && v->arr.n > 0)
                        v = v->arr.items[v->arr.n - 1];
                if (v->type != TOML_TABLE || (v->flags & TOML_FLAG_INLINE))
                        return sc_error_at(s, k->pos, "key '%s' is already defined and is not a table",
                                           key_display(k));
                cur = v;
        }
        *ret = cur;
        return 0;
}

static int scan_header(TomlScanner *s, TomlValue *root, TomlValue **ret_current) {
        bool aot = sc_peek_at(s, 1) == '[';
        TomlPos pos = sc_pos(s);
        KeyPath kp = { 0 };
        TomlValue *parent = NULL, *t;
        int r;

        sc_advance_n(s, aot ? 2 : 1);
        r = scan_key(s, &kp);
        if (r < 0)
                return r;
        if (sc_peek(s) != ']' || (aot && sc_peek_at(s, 1) != ']')) {
                r = sc_error(s, aot ? "expected ']]' to end the table header"
                                    : "expected ']' to end the table header");
                goto done;
        }
        sc_advance_n(s, aot ? 2 : 1);
        r = sc_expect_eol(s);
        if (r < 0)
                goto done;

        r = header_parent(s, root, &kp, &parent);
        if (r < 0)
                goto done;

        Key *last = &kp.parts[kp.n - 1];
        TomlEntry *e = toml_table_find(parent, last->s, last->len);
        if (aot) {
                TomlValue *arr;
                if (!e) {
                        arr = toml_value_new(TOML_ARRAY, pos);
                        if (!arr || toml_table_add(parent, last->s, last->len, last->pos, arr) < 0) {
                                r = -ENOMEM;
                                goto done;
                        }
                        arr->flags = TOML_FLAG_AOT;
                } else if (e->value->type == TOML_ARRAY && (e->value->flags & TOML_FLAG_AOT))
                        arr = e->value;
                else {
                        r = sc_error_at(s, last->pos,
                                        "key '%s' is already defined and is not an array of tables",
                                        key_display(last));
                        goto done;
                }
                t = toml_value_new(TOML_TABLE, pos);
                if (!t || toml_array_add(arr, t) < 0) {
                        r = -ENOMEM;
                        goto done;
                }
                t->flags = TOML_FLAG_DEFINED;
        } else if (!e) {
                t = toml_value_new(TOML_TABLE, pos);
                if (!t || toml_table_add(parent, last->s, last->len, last->pos, t) < 0) {
                        r = -ENOMEM;
                        goto done;
                }
                t->flags = TOML_FLAG_DEFINED;
        } else {
                t = e->value;
                /* A table made implicitly by an earlier header may be defined once. */
                if (t->type != TOML_TABLE || t->flags != TOML_FLAG_IMPLICIT) {
                        r = sc_error_at(s, last->pos, "table '%s' is already defined", key_display(last));
                        goto done;
                }
                t->flags = TOML_FLAG_DEFINED;
                t->pos = pos;
        }
        *ret_current = t;
        r = 0;
done:
        keypath_free(&kp);
        return r;
}

int toml_parse(const char *text, size_t n, TomlValue **ret, TomlError *reterr) {
        TomlError scratch;
        TomlScanner s = { .p = text, .end = text + n, .line = 1, .column = 1, .err = reterr ?: &scratch };
        TomlValue *root, *current;
        int r;

        *s.err = (TomlError){ 0 };
        r = toml_check_utf8(text, n, s.err);
        if (r < 0)
                return r;
        root = current = toml_value_new(TOML_TABLE, (TomlPos){ 1, 1 });
        if (!root)
                return -ENOMEM;
        /* A byte order mark at the start is allowed and ignored. */
        if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
                s.p += 3;

        while (!sc_eof(&s)) {
                int c;

                sc_skip_ws(&s);
                c = sc_peek(&s);
                if (c == '#' || c == '\n' || c == '\r' || c < 0) {
                        r = sc_expect_eol(&s);
                } else if (c == '[') {
                        r = scan_header(&s, root, &current);
                } else {
                        KeyPath kp;
                        TomlValue *v;

                        r = scan_key(&s, &kp);
                        if (r < 0)
                                goto fail;
                        if (sc_peek(&s) != '=') {
                                keypath_free(&kp);
                                r = sc_error(&s, "expected '=' after a key");
                                goto fail;
                        }
                        sc_advance(&s);
                        sc_skip_ws(&s);
                        r = scan_value(&s, &v);
                        if (r >= 0)
                                r = assign(&s, current, &kp, v);
                        keypath_free(&kp);
                        if (r >= 0)
                                r = sc_expect_eol(&s);
                }
                if (r < 0)
                        goto fail;
        }
        *ret = root;
        return 0;
fail:
        if (r == -ENOMEM)
                snprintf(s.err->msg, sizeof(s.err->msg), "out of memory");
        toml_free(root);
        return r;
}
