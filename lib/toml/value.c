/* SPDX-License-Identifier: MIT */

/* The tree: nodes, tables with a hash index once they grow, arrays, the
 * public accessors and the typed lookups by dotted path. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml-internal.h"

TomlValue *toml_value_new(TomlType type, TomlPos pos) {
        TomlValue *v = calloc(1, sizeof(TomlValue));
        if (v) {
                v->type = type;
                v->pos = pos;
        }
        return v;
}

TomlValue *toml_free(TomlValue *v) {
        if (!v)
                return NULL;
        switch (v->type) {
        case TOML_STRING:
                free(v->str.s);
                break;
        case TOML_ARRAY:
                for (size_t i = 0; i < v->arr.n; i++)
                        toml_free(v->arr.items[i]);
                free(v->arr.items);
                break;
        case TOML_TABLE:
                for (size_t i = 0; i < v->tab.n; i++) {
                        free(v->tab.entries[i].key);
                        toml_free(v->tab.entries[i].value);
                }
                free(v->tab.entries);
                free(v->tab.index);
                break;
        default:
                break;
        }
        free(v);
        return NULL;
}

static uint32_t hash_key(const char *k, size_t n) {
        uint32_t h = 2166136261u; /* FNV-1a */
        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char) k[i]) * 16777619u;
        return h;
}

#define INDEX_FROM 16 /* tables smaller than this are searched in order */

static void index_insert(TomlValue *t, size_t entry) {
        size_t mask = t->tab.index_cap - 1;
        size_t i = hash_key(t->tab.entries[entry].key, t->tab.entries[entry].keylen) & mask;
        while (t->tab.index[i] != 0)
                i = (i + 1) & mask;
        t->tab.index[i] = (uint32_t) entry + 1;
}

static int index_rebuild(TomlValue *t, size_t cap) {
        uint32_t *idx = calloc(cap, sizeof(uint32_t));
        if (!idx)
                return -ENOMEM;
        free(t->tab.index);
        t->tab.index = idx;
        t->tab.index_cap = cap;
        for (size_t e = 0; e < t->tab.n; e++)
                index_insert(t, e);
        return 0;
}

TomlEntry *toml_table_find(const TomlValue *t, const char *key, size_t keylen) {
        if (!t || t->type != TOML_TABLE)
                return NULL;
        if (t->tab.index) {
                size_t mask = t->tab.index_cap - 1, i = hash_key(key, keylen) & mask;
                for (; t->tab.index[i] != 0; i = (i + 1) & mask) {
                        TomlEntry *e = &t->tab.entries[t->tab.index[i] - 1];
                        if (e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
                                return e;
                }
                return NULL;
        }
        for (size_t i = 0; i < t->tab.n; i++)
                if (t->tab.entries[i].keylen == keylen && memcmp(t->tab.entries[i].key, key, keylen) == 0)
                        return &t->tab.entries[i];
        return NULL;
}

int toml_table_add(TomlValue *t, const char *key, size_t keylen, TomlPos pos, TomlValue *v) {
        char *k;

        if (t->tab.n == t->tab.cap) {
                size_t cap = t->tab.cap ? t->tab.cap * 2 : 4;
                TomlEntry *e = realloc(t->tab.entries, cap * sizeof(TomlEntry));
                if (!e) {
                        toml_free(v);
                        return -ENOMEM;
                }
                t->tab.entries = e;
                t->tab.cap = cap;
        }
        k = malloc(keylen + 1);
        if (!k) {
                toml_free(v);
                return -ENOMEM;
        }
        memcpy(k, key, keylen);
        k[keylen] = 0;
        t->tab.entries[t->tab.n++] = (TomlEntry){ .key = k, .keylen = keylen, .pos = pos, .value = v };

        /* Keep the index at most half full. */
        if (t->tab.n >= INDEX_FROM) {
                if (!t->tab.index || t->tab.n * 2 > t->tab.index_cap) {
                        size_t cap = 64;
                        while (cap < t->tab.n * 4)
                                cap *= 2;
                        if (index_rebuild(t, cap) < 0)
                                return -ENOMEM;
                } else
                        index_insert(t, t->tab.n - 1);
        }
        return 0;
}

int toml_array_add(TomlValue *a, TomlValue *v) {
        if (a->arr.n == a->arr.cap) {
                size_t cap = a->arr.cap ? a->arr.cap * 2 : 4;
                TomlValue **items = realloc(a->arr.items, cap * sizeof(TomlValue *));
                if (!items) {
                        toml_free(v);
                        return -ENOMEM;
                }
                a->arr.items = items;
                a->arr.cap = cap;
        }
        a->arr.items[a->arr.n++] = v;
        return 0;
}

TomlType toml_type(const TomlValue *v) {
        return v ? v->type : _TOML_TYPE_MAX;
}

const char *toml_type_name(TomlType t) {
        static const char *const names[] = {
                [TOML_TABLE] = "table",
                [TOML_ARRAY] = "array",
                [TOML_STRING] = "string",
                [TOML_INTEGER] = "integer",
                [TOML_FLOAT] = "float",
                [TOML_BOOLEAN] = "boolean",
                [TOML_OFFSET_DATETIME] = "offset date-time",
                [TOML_LOCAL_DATETIME] = "local date-time",
                [TOML_LOCAL_DATE] = "local date",
                [TOML_LOCAL_TIME] = "local time",
        };
        return (unsigned) t < _TOML_TYPE_MAX ? names[t] : "nothing";
}

TomlPos toml_value_pos(const TomlValue *v) {
        return v ? v->pos : (TomlPos){ 0, 0 };
}

size_t toml_table_size(const TomlValue *t) {
        return t && t->type == TOML_TABLE ? t->tab.n : 0;
}

const TomlValue *toml_table_entry(const TomlValue *t, size_t i, const char **ret_key, TomlPos *ret_key_pos) {
        if (!t || t->type != TOML_TABLE || i >= t->tab.n)
                return NULL;
        if (ret_key)
                *ret_key = t->tab.entries[i].key;
        if (ret_key_pos)
                *ret_key_pos = t->tab.entries[i].pos;
        return t->tab.entries[i].value;
}

size_t toml_table_entry_key_length(const TomlValue *t, size_t i) {
        if (!t || t->type != TOML_TABLE || i >= t->tab.n)
                return 0;
        return t->tab.entries[i].keylen;
}

const TomlValue *toml_table_get(const TomlValue *t, const char *key) {
        TomlEntry *e = toml_table_find(t, key, strlen(key));
        return e ? e->value : NULL;
}

size_t toml_array_size(const TomlValue *a) {
        return a && a->type == TOML_ARRAY ? a->arr.n : 0;
}

const TomlValue *toml_array_at(const TomlValue *a, size_t i) {
        return a && a->type == TOML_ARRAY && i < a->arr.n ? a->arr.items[i] : NULL;
}

const char *toml_string(const TomlValue *v, size_t *ret_len) {
        if (!v || v->type != TOML_STRING)
                return NULL;
        if (ret_len)
                *ret_len = v->str.len;
        return v->str.s;
}

int64_t toml_integer(const TomlValue *v) {
        return v && v->type == TOML_INTEGER ? v->integer : 0;
}

double toml_float(const TomlValue *v) {
        return v && v->type == TOML_FLOAT ? v->fp : 0.0;
}

bool toml_boolean(const TomlValue *v) {
        return v && v->type == TOML_BOOLEAN && v->boolean;
}

const TomlDatetime *toml_datetime(const TomlValue *v) {
        return v && v->type >= TOML_OFFSET_DATETIME && v->type <= TOML_LOCAL_TIME ? &v->dt : NULL;
}

static void set_error(TomlError *e, TomlPos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_error(TomlError *e, TomlPos pos, const char *fmt, ...) {
        va_list ap;

        if (!e)
                return;
        e->line = pos.line;
        e->column = pos.column;
        va_start(ap, fmt);
        (void) vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
}

static const char *article(TomlType t) {
        return t == TOML_INTEGER || t == TOML_ARRAY || t == TOML_OFFSET_DATETIME ? "an" : "a";
}

int toml_get(const TomlValue *table, const char *path, const TomlValue **ret, TomlError *reterr) {
        const TomlValue *cur = table;
        const char *p = path;

        for (;;) {
                const char *dot = strchr(p, '.');
                size_t len = dot ? (size_t) (dot - p) : strlen(p);
                TomlEntry *e;

                if (!cur || cur->type != TOML_TABLE) {
                        set_error(reterr, toml_value_pos(cur), "'%.*s' must be a table, not %s %s",
                                  (int) (p - path - 1), path, article(toml_type(cur)),
                                  toml_type_name(toml_type(cur)));
                        return -EINVAL;
                }
                e = toml_table_find(cur, p, len);
                if (!e) {
                        set_error(reterr, cur->pos, "missing key '%s'", path);
                        return -ENOENT;
                }
                cur = e->value;
                if (!dot)
                        break;
                p = dot + 1;
        }
        *ret = cur;
        return 0;
}

static int get_typed(const TomlValue *table, const char *path, TomlType want, const char *want_name,
                     const TomlValue **ret, TomlError *reterr) {
        const TomlValue *v;
        int r = toml_get(table, path, &v, reterr);

        if (r < 0)
                return r;
        if (v->type != want) {
                set_error(reterr, v->pos, "'%s' must be %s, not %s %s", path, want_name, article(v->type),
                          toml_type_name(v->type));
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

int toml_get_string(const TomlValue *table, const char *path, const char **ret, TomlError *reterr) {
        const TomlValue *v;
        int r = get_typed(table, path, TOML_STRING, "a string", &v, reterr);
        if (r >= 0)
                *ret = v->str.s;
        return r;
}

int toml_get_integer(const TomlValue *table, const char *path, int64_t *ret, TomlError *reterr) {
        const TomlValue *v;
        int r = get_typed(table, path, TOML_INTEGER, "an integer", &v, reterr);
        if (r >= 0)
                *ret = v->integer;
        return r;
}

int toml_get_boolean(const TomlValue *table, const char *path, bool *ret, TomlError *reterr) {
        const TomlValue *v;
        int r = get_typed(table, path, TOML_BOOLEAN, "a boolean", &v, reterr);
        if (r >= 0)
                *ret = v->boolean;
        return r;
}

int toml_get_array(const TomlValue *table, const char *path, const TomlValue **ret, TomlError *reterr) {
        return get_typed(table, path, TOML_ARRAY, "an array", ret, reterr);
}

int toml_get_table(const TomlValue *table, const char *path, const TomlValue **ret, TomlError *reterr) {
        return get_typed(table, path, TOML_TABLE, "a table", ret, reterr);
}
