/* SPDX-License-Identifier: MIT */
#pragma once

/* Table-driven validation of a parsed TOML document into a C struct, shared
 * by recipes (builder/recipe.c) and the host state (lib/host-state.c). A
 * schema is a tree of SchemaTables; each field names its key, its kind, and
 * where in the struct its value goes. A key the schema does not list is an
 * error, so a typo is reported instead of silently ignored, and every error
 * carries the line and column of the key or value at fault (TomlError), for
 * `SOURCE:LINE:COL: message`.
 *
 * schema_load() makes three passes over the document: it loads every value
 * (types, per-value checks, limits), then looks for missing required keys,
 * then runs each table's finish() hook (cross-key rules such as "one of a
 * and b"), innermost tables first. It stops at the first error. On error the
 * struct may hold part of the document: the caller frees it as usual. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "toml/toml.h"

typedef enum SchemaKind {
        SCHEMA_STRING, /* char *; check() on it */
        SCHEMA_STRING_LIST, /* char ** (strv); check() on each item; an item twice is refused
                             * unless SCHEMA_REPEATS */
        SCHEMA_INTEGER, /* int64_t, within min..max */
        SCHEMA_BOOLEAN, /* bool */
        SCHEMA_STRING_MAP, /* char **: name, value, name, value, ..., NULL (document order);
                            * key_check() on names, check() on values */
        SCHEMA_TABLE, /* a sub-table; its fields' offsets are relative to this field's */
        SCHEMA_TABLE_ARRAY, /* an array of tables: a calloc()ed array of item_size items at
                             * offset, their number (size_t) at count_offset */
        SCHEMA_VALUE, /* any TOML type: parse() converts it and stores it at offset */
} SchemaKind;

enum {
        SCHEMA_REQUIRED = 1 << 0,
        /* Strings may hold control characters (a newline, a tab); never U+0000. */
        SCHEMA_MULTILINE = 1 << 1,
        /* SCHEMA_STRING_MAP: integer values are accepted, stored in decimal. */
        SCHEMA_MAP_INTEGERS = 1 << 2,
        /* SCHEMA_STRING_MAP: nested tables are flattened, names joined with '.'
         * (so `net.ipv4.ip_forward = 1`, a dotted key, names one entry). */
        SCHEMA_MAP_DOTTED = 1 << 3,
        /* SCHEMA_TABLE: the table's required keys are required only when the
         * table is written; without this flag an absent table is checked as
         * an empty one (a recipe without [image] misses 'image.name'). */
        SCHEMA_IF_PRESENT = 1 << 4,
        /* SCHEMA_STRING_LIST: an item may repeat (arguments). */
        SCHEMA_REPEATS = 1 << 5,
};

/* SchemaField.offset when nothing is stored by the schema code (store() does it). */
#define SCHEMA_NO_OFFSET SIZE_MAX

typedef struct SchemaTable SchemaTable;

/* Checks one string (a value, a list item, a map value); fills msg and
 * returns false when bad. */
typedef bool (*SchemaCheck)(const char *value, char *msg, size_t msg_size);

typedef struct SchemaField {
        const char *key;
        SchemaKind kind;
        unsigned flags;
        size_t offset; /* in the struct of the table holding the field */
        SchemaCheck check;
        SchemaCheck key_check; /* SCHEMA_STRING_MAP: the names */
        /* SCHEMA_STRING, SCHEMA_STRING_LIST: stores a checked value instead of
         * the schema code (which still refuses an item listed twice unless
         * offset is SCHEMA_NO_OFFSET). base is the table's struct. */
        int (*store)(void *base, const char *value, TomlPos pos, TomlError *e);
        /* SCHEMA_VALUE: converts v into *slot (at offset); name is the key's
         * dotted path, for messages. Returns 0, or schema_fail(). */
        int (*parse)(void *slot, const TomlValue *v, const char *name, TomlError *e);
        int64_t min, max; /* SCHEMA_INTEGER */
        size_t max_len; /* strings (each item, each map value): bytes; 0 for no limit */
        size_t max_items; /* lists, maps, table arrays; 0 for no limit */
        const SchemaTable *table; /* SCHEMA_TABLE, SCHEMA_TABLE_ARRAY */
        size_t item_size, count_offset; /* SCHEMA_TABLE_ARRAY */
} SchemaField;

struct SchemaTable {
        const SchemaField *fields;
        size_t n_fields;
        /* Called after the whole document is loaded and its required keys are
         * there; table is NULL when the document has no such table. */
        int (*finish)(void *base, const TomlValue *table, TomlError *e);
};

#define SCHEMA_TABLE_OF(f, fin) \
        { .fields = (f), .n_fields = ARRAY_SIZE(f), .finish = (fin) }

/* Validates doc (a parsed document's root table) against root, storing into
 * base. Returns 0, -EINVAL with *e filled, or -ENOMEM. */
int schema_load(const SchemaTable *root, void *base, const TomlValue *doc, TomlError *e);

/* Fills e (position and message) and returns -EINVAL. */
int schema_fail(TomlError *e, TomlPos pos, const char *fmt, ...) _printf_(3, 4);
/* "'NAME' must be WANT, not a TYPE" at v. */
int schema_fail_type(TomlError *e, const TomlValue *v, const char *name, const char *want);

/* true when s holds a byte below 0x20 or 0x7f (a newline, a tab, an escape). */
bool schema_has_control(const char *s);
