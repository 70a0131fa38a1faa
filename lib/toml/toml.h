/* SPDX-License-Identifier: MIT */
#pragma once

/* A complete TOML 1.0.0 parser. Debian 12 packages no C TOML library, so
 * berth carries its own (see docs/architecture.md). The parser builds an
 * immutable tree of TomlValue nodes; every node remembers where it was
 * written, so callers that validate a document (recipes, host state) can
 * report `file:line:col: message` for any key or value. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum TomlType {
        TOML_TABLE,
        TOML_ARRAY,
        TOML_STRING,
        TOML_INTEGER,
        TOML_FLOAT,
        TOML_BOOLEAN,
        TOML_OFFSET_DATETIME, /* 1979-05-27T07:32:00Z, 1979-05-27 07:32:00-07:00 */
        TOML_LOCAL_DATETIME, /* 1979-05-27T07:32:00 */
        TOML_LOCAL_DATE, /* 1979-05-27 */
        TOML_LOCAL_TIME, /* 07:32:00.999 */
        _TOML_TYPE_MAX,
} TomlType;

/* 1-based line and column (column counts Unicode code points, not bytes). */
typedef struct TomlPos {
        unsigned line, column;
} TomlPos;

typedef struct TomlError {
        unsigned line, column; /* 0 when the error has no position (e.g. out of memory) */
        char msg[160];
} TomlError;

typedef struct TomlDatetime {
        int year, month, day; /* valid for datetimes and dates */
        int hour, minute, second; /* valid for datetimes and times */
        int nanosecond; /* fractional seconds, truncated to ns */
        int offset_minutes; /* TOML_OFFSET_DATETIME only; Z is 0 */
} TomlDatetime;

typedef struct TomlValue TomlValue;

/* Parses `n` bytes of `text` (need not be NUL-terminated). On success returns
 * 0 and the root table in *ret. On failure returns -EINVAL (bad TOML, with
 * *reterr filled) or -ENOMEM. reterr may be NULL. */
int toml_parse(const char *text, size_t n, TomlValue **ret, TomlError *reterr);

/* Frees a tree returned by toml_parse(); accepts NULL, returns NULL. */
TomlValue *toml_free(TomlValue *v);

static inline void toml_freep(TomlValue **v) {
        if (*v)
                *v = toml_free(*v);
}

TomlType toml_type(const TomlValue *v);
const char *toml_type_name(TomlType t); /* "table", "array", "string", "integer", "float",
                                           "boolean", "offset date-time", "local date-time",
                                           "local date", "local time" */
/* Where the value starts in the document (for tables: their header or first key). */
TomlPos toml_value_pos(const TomlValue *v);

/* Tables keep keys in document order. */
size_t toml_table_size(const TomlValue *table);
/* The i-th entry: returns its value and sets *ret_key (NUL-terminated; a key
 * holding U+0000 is cut there) and *ret_key_pos (where the key was written),
 * either may be NULL. */
const TomlValue *toml_table_entry(const TomlValue *table, size_t i, const char **ret_key,
                                  TomlPos *ret_key_pos);
/* The length of the i-th entry's key, for keys that hold U+0000. */
size_t toml_table_entry_key_length(const TomlValue *table, size_t i);
/* Looks up one key (no dot splitting); NULL if absent or table isn't a table. */
const TomlValue *toml_table_get(const TomlValue *table, const char *key);

size_t toml_array_size(const TomlValue *array);
const TomlValue *toml_array_at(const TomlValue *array, size_t i);

/* Scalar getters; the caller checks toml_type() first. Strings are UTF-8,
 * NUL-terminated, and may contain U+0000 (hence the optional length). */
const char *toml_string(const TomlValue *v, size_t *ret_len);
int64_t toml_integer(const TomlValue *v);
double toml_float(const TomlValue *v);
bool toml_boolean(const TomlValue *v);
const TomlDatetime *toml_datetime(const TomlValue *v);

/* Typed lookups by a dotted key path ("image.name": each part is a bare key).
 * Return 0 and the value, -ENOENT when a part is missing (*ret untouched,
 * reterr filled with "missing key 'image.name'" and the position of the
 * table searched), or -EINVAL when the value (or a parent) has another type
 * (reterr: "'image.name' must be a string, not an integer" at the value). */
int toml_get(const TomlValue *table, const char *path, const TomlValue **ret, TomlError *reterr);
int toml_get_string(const TomlValue *table, const char *path, const char **ret, TomlError *reterr);
int toml_get_integer(const TomlValue *table, const char *path, int64_t *ret, TomlError *reterr);
int toml_get_boolean(const TomlValue *table, const char *path, bool *ret, TomlError *reterr);
int toml_get_array(const TomlValue *table, const char *path, const TomlValue **ret, TomlError *reterr);
int toml_get_table(const TomlValue *table, const char *path, const TomlValue **ret, TomlError *reterr);
