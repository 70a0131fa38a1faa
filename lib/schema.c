/* SPDX-License-Identifier: MIT */
#include "schema.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

/* Dotted paths ("containers.resources.cpu_weight") name keys in messages;
 * a message is at most sizeof(TomlError.msg) anyway. */
#define NAME_MAX_LEN 256

int schema_fail(TomlError *e, TomlPos pos, const char *fmt, ...) {
        va_list ap;

        e->line = pos.line;
        e->column = pos.column;
        va_start(ap, fmt);
        (void) vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static const char *article(TomlType t) {
        return strchr("aeiou", toml_type_name(t)[0]) ? "an" : "a";
}

int schema_fail_type(TomlError *e, const TomlValue *v, const char *name, const char *want) {
        TomlType t = toml_type(v);
        return schema_fail(e, toml_value_pos(v), "'%s' must be %s, not %s %s", name, want, article(t),
                           toml_type_name(t));
}

bool schema_has_control(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || (unsigned char) *s == 0x7f)
                        return true;
        return false;
}

/* parent.key into buf (NAME_MAX_LEN bytes), cut when longer. */
static void name_join(char *buf, const char *parent, const char *key) {
        size_t n = strnlen(parent, NAME_MAX_LEN - 1);

        memcpy(buf, parent, n);
        if (n && n < NAME_MAX_LEN - 1)
                buf[n++] = '.';
        for (; n < NAME_MAX_LEN - 1 && *key; key++)
                buf[n++] = *key;
        buf[n] = 0;
}

static void *slot_of(void *base, const SchemaField *f) {
        return (char *) base + f->offset;
}

static const SchemaField *field_find(const SchemaTable *t, const char *key) {
        for (size_t i = 0; i < t->n_fields; i++)
                if (streq(t->fields[i].key, key))
                        return &t->fields[i];
        return NULL;
}

/* A string value (a scalar, a list item or a map value): its type, U+0000,
 * control characters, length, and the field's check(). */
static int string_value(const SchemaField *f, const TomlValue *v, const char *name, const char *want,
                        const char **ret, TomlError *e) {
        char msg[sizeof(e->msg)];
        size_t len;
        const char *s;

        if (toml_type(v) != TOML_STRING)
                return schema_fail_type(e, v, name, want);
        s = toml_string(v, &len);
        if (strlen(s) != len)
                return schema_fail(e, toml_value_pos(v), "'%s' must not contain NUL", name);
        if (!(f->flags & SCHEMA_MULTILINE) && schema_has_control(s))
                return schema_fail(e, toml_value_pos(v), "'%s' must not contain control characters", name);
        if (f->max_len && len > f->max_len)
                return schema_fail(e, toml_value_pos(v), "'%s' must be at most %zu bytes long", name,
                                   f->max_len);
        if (f->check && !f->check(s, msg, sizeof(msg)))
                return schema_fail(e, toml_value_pos(v), "%s", msg);
        *ret = s;
        return 0;
}

static int load_string(void *base, const SchemaField *f, const TomlValue *v, const char *name,
                       TomlError *e) {
        char **slot = slot_of(base, f);
        const char *s;
        int k;

        k = string_value(f, v, name, "a string", &s, e);
        if (k < 0)
                return k;
        if (f->store)
                return f->store(base, s, toml_value_pos(v), e);
        free(*slot);
        *slot = strdup(s);
        return *slot ? 0 : -ENOMEM;
}

static int load_string_list(void *base, const SchemaField *f, const TomlValue *v, const char *name,
                            TomlError *e) {
        if (toml_type(v) != TOML_ARRAY)
                return schema_fail_type(e, v, name, "an array of strings");
        if (f->max_items && toml_array_size(v) > f->max_items)
                return schema_fail(e, toml_value_pos(v), "'%s' must hold at most %zu items", name,
                                   f->max_items);
        for (size_t i = 0; i < toml_array_size(v); i++) {
                const TomlValue *item = toml_array_at(v, i);
                TomlType t = toml_type(item);
                const char *s;
                int k;

                if (t != TOML_STRING)
                        return schema_fail(e, toml_value_pos(item), "'%s' must hold only strings, not %s %s",
                                           name, article(t), toml_type_name(t));
                k = string_value(f, item, name, "a string", &s, e);
                if (k < 0)
                        return k;
                if (f->offset != SCHEMA_NO_OFFSET && !(f->flags & SCHEMA_REPEATS) &&
                    strv_contains(*(char ***) slot_of(base, f), s))
                        return schema_fail(e, toml_value_pos(item), "'%s' is listed twice in '%s'", s, name);
                if (f->store)
                        k = f->store(base, s, toml_value_pos(item), e);
                else
                        k = strv_extend(slot_of(base, f), s);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int map_add(const SchemaField *f, char ***map, const char *key, TomlPos kpos, const TomlValue *v,
                   const char *name, TomlError *e) {
        char msg[sizeof(e->msg)], num[32];
        const char *s;
        int k;

        if (f->key_check && !f->key_check(key, msg, sizeof(msg)))
                return schema_fail(e, kpos, "%s", msg);
        for (char **p = *map; p && *p; p += 2)
                if (streq(*p, key))
                        return schema_fail(e, kpos, "'%s' is set twice in '%s'", key, name);
        if (f->max_items && strv_length(*map) / 2 >= f->max_items)
                return schema_fail(e, kpos, "'%s' must hold at most %zu entries", name, f->max_items);
        if ((f->flags & SCHEMA_MAP_INTEGERS) && toml_type(v) == TOML_INTEGER) {
                (void) snprintf(num, sizeof(num), "%" PRId64, toml_integer(v));
                s = num;
                if (f->check && !f->check(s, msg, sizeof(msg)))
                        return schema_fail(e, toml_value_pos(v), "%s", msg);
        } else {
                char vname[NAME_MAX_LEN];
                name_join(vname, name, key);
                k = string_value(f, v, vname,
                                 f->flags & SCHEMA_MAP_INTEGERS ? "a string or an integer" : "a string", &s,
                                 e);
                if (k < 0)
                        return k;
        }
        k = strv_extend(map, key);
        if (k >= 0)
                k = strv_extend(map, s);
        return k;
}

/* Entries of table, their names prefixed with prefix ("" at the top). */
static int load_map_entries(const SchemaField *f, char ***map, const TomlValue *table, const char *prefix,
                            const char *name, TomlError *e) {
        for (size_t i = 0; i < toml_table_size(table); i++) {
                char key[NAME_MAX_LEN];
                const char *k;
                TomlPos kpos;
                const TomlValue *v = toml_table_entry(table, i, &k, &kpos);
                int r;

                if (strlen(k) != toml_table_entry_key_length(table, i))
                        return schema_fail(e, kpos, "a name in '%s' must not contain NUL", name);
                if (strlen(prefix) + (prefix[0] ? 1 : 0) + strlen(k) >= sizeof(key))
                        return schema_fail(e, kpos, "a name in '%s' is too long", name);
                name_join(key, prefix, k);
                if ((f->flags & SCHEMA_MAP_DOTTED) && toml_type(v) == TOML_TABLE)
                        r = load_map_entries(f, map, v, key, name, e);
                else
                        r = map_add(f, map, key, kpos, v, name, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_table(const SchemaTable *t, void *base, const TomlValue *table, const char *path, bool array,
                      TomlError *e);

static int load_table_array(void *base, const SchemaField *f, const TomlValue *v, TomlPos kpos,
                            const char *name, TomlError *e) {
        void **items = slot_of(base, f);
        size_t *count = (size_t *) ((char *) base + f->count_offset);
        size_t n = toml_array_size(v);

        if (toml_type(v) != TOML_ARRAY)
                return schema_fail(e, kpos, "'%s' must be an array of tables ([[%s]])", name, name);
        if (f->max_items && n > f->max_items)
                return schema_fail(e, toml_value_pos(v), "'%s' must hold at most %zu tables", name,
                                   f->max_items);
        if (n == 0)
                return 0;
        free(*items);
        *count = 0;
        *items = calloc(n, f->item_size);
        if (!*items)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const TomlValue *item = toml_array_at(v, i);
                int k;

                if (toml_type(item) != TOML_TABLE)
                        return schema_fail(e, toml_value_pos(item),
                                           "'%s' must be an array of tables ([[%s]])", name, name);
                /* Counted before it is loaded, so that the caller frees what
                 * a failed item already holds. */
                (*count)++;
                k = load_table(f->table, (char *) *items + i * f->item_size, item, name, true, e);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int load_field(void *base, const SchemaField *f, const TomlValue *v, TomlPos kpos, const char *name,
                      TomlError *e) {
        switch (f->kind) {
        case SCHEMA_STRING:
                return load_string(base, f, v, name, e);
        case SCHEMA_STRING_LIST:
                return load_string_list(base, f, v, name, e);
        case SCHEMA_INTEGER: {
                int64_t n;
                if (toml_type(v) != TOML_INTEGER)
                        return schema_fail_type(e, v, name, "an integer");
                n = toml_integer(v);
                if (n < f->min || n > f->max)
                        return schema_fail(e, toml_value_pos(v),
                                           "'%s' must be between %" PRId64 " and %" PRId64, name, f->min,
                                           f->max);
                *(int64_t *) slot_of(base, f) = n;
                return 0;
        }
        case SCHEMA_BOOLEAN:
                if (toml_type(v) != TOML_BOOLEAN)
                        return schema_fail_type(e, v, name, "a boolean (true or false)");
                *(bool *) slot_of(base, f) = toml_boolean(v);
                return 0;
        case SCHEMA_STRING_MAP:
                if (toml_type(v) != TOML_TABLE)
                        return schema_fail_type(e, v, name, "a table");
                return load_map_entries(f, slot_of(base, f), v, "", name, e);
        case SCHEMA_TABLE:
                if (toml_type(v) != TOML_TABLE)
                        return schema_fail(e, kpos, "'%s' must be a table ([%s])", name, name);
                return load_table(f->table, slot_of(base, f), v, name, false, e);
        case SCHEMA_TABLE_ARRAY:
                return load_table_array(base, f, v, kpos, name, e);
        case SCHEMA_VALUE:
                return f->parse(slot_of(base, f), v, name, e);
        }
        return -EINVAL;
}

static void known_keys(const SchemaTable *t, char *buf, size_t size) {
        size_t used = 0;

        buf[0] = 0;
        for (size_t i = 0; i < t->n_fields && used < size; i++)
                used += snprintf(buf + used, size - used, "%s%s", i ? ", " : "", t->fields[i].key);
}

static int unknown_key(const SchemaTable *t, const char *key, TomlPos kpos, const char *path, bool array,
                       TomlError *e) {
        char known[sizeof(e->msg)];
        bool sections = true;

        if (path[0])
                return schema_fail(e, kpos, "unknown key '%s' in %s%s%s", key, array ? "[[" : "[", path,
                                   array ? "]]" : "]");
        /* At the top of a document whose every key is a table (a recipe), they are sections. */
        for (size_t i = 0; i < t->n_fields; i++)
                sections = sections && t->fields[i].kind == SCHEMA_TABLE;
        known_keys(t, known, sizeof(known));
        return schema_fail(e, kpos, "unknown %s '%s' (known: %s)", sections ? "section" : "key", key, known);
}

static int load_table(const SchemaTable *t, void *base, const TomlValue *table, const char *path, bool array,
                      TomlError *e) {
        for (size_t i = 0; i < toml_table_size(table); i++) {
                char name[NAME_MAX_LEN];
                const char *key;
                TomlPos kpos;
                const TomlValue *v = toml_table_entry(table, i, &key, &kpos);
                const SchemaField *f = field_find(t, key);
                int k;

                if (!f || strlen(key) != toml_table_entry_key_length(table, i))
                        return unknown_key(t, key, kpos, path, array, e);
                name_join(name, path, key);
                k = load_field(base, f, v, kpos, name, e);
                if (k < 0)
                        return k;
        }
        return 0;
}

/* table may be NULL (absent); pos is where a missing key is reported: the
 * table's own position, or its nearest ancestor's. */
static int check_required(const SchemaTable *t, void *base, const TomlValue *table, TomlPos pos,
                          const char *path, TomlError *e) {
        for (size_t i = 0; i < t->n_fields; i++) {
                const SchemaField *f = &t->fields[i];
                const TomlValue *v = toml_table_get(table, f->key);
                char name[NAME_MAX_LEN];
                int k = 0;

                name_join(name, path, f->key);
                if ((f->flags & SCHEMA_REQUIRED) && !v)
                        return schema_fail(e, pos, "missing required key '%s'", name);
                if (f->kind == SCHEMA_TABLE && (v || !(f->flags & SCHEMA_IF_PRESENT)))
                        k = check_required(f->table, slot_of(base, f), v, v ? toml_value_pos(v) : pos, name,
                                           e);
                else if (f->kind == SCHEMA_TABLE_ARRAY)
                        for (size_t j = 0; k >= 0 && j < toml_array_size(v); j++) {
                                const TomlValue *item = toml_array_at(v, j);
                                void *items = *(void **) slot_of(base, f);
                                k = check_required(f->table, (char *) items + j * f->item_size, item,
                                                   toml_value_pos(item), name, e);
                        }
                if (k < 0)
                        return k;
        }
        return 0;
}

static int finish(const SchemaTable *t, void *base, const TomlValue *table, TomlError *e) {
        for (size_t i = 0; i < t->n_fields; i++) {
                const SchemaField *f = &t->fields[i];
                const TomlValue *v = toml_table_get(table, f->key);
                int k = 0;

                if (f->kind == SCHEMA_TABLE)
                        k = finish(f->table, slot_of(base, f), v, e);
                else if (f->kind == SCHEMA_TABLE_ARRAY)
                        for (size_t j = 0; k >= 0 && j < toml_array_size(v); j++) {
                                void *items = *(void **) slot_of(base, f);
                                k = finish(f->table, (char *) items + j * f->item_size, toml_array_at(v, j),
                                           e);
                        }
                if (k < 0)
                        return k;
        }
        return t->finish ? t->finish(base, table, e) : 0;
}

int schema_load(const SchemaTable *root, void *base, const TomlValue *doc, TomlError *e) {
        int k;

        k = load_table(root, base, doc, "", false, e);
        if (k < 0)
                return k;
        k = check_required(root, base, doc, (TomlPos){ 1, 1 }, "", e);
        if (k < 0)
                return k;
        return finish(root, base, doc, e);
}
