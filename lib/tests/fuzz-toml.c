/* SPDX-License-Identifier: MIT */

/* libFuzzer harness: parse, walk the whole tree through every accessor,
 * look keys up by path, free. Any crash, leak or hang is a bug. */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "toml/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const TomlValue *v, unsigned depth) {
        size_t n = 1;
        size_t len;

        (void) toml_value_pos(v);
        (void) toml_type_name(toml_type(v));
        switch (toml_type(v)) {
        case TOML_TABLE:
                for (size_t i = 0; i < toml_table_size(v); i++) {
                        const char *key;
                        TomlPos pos;
                        const TomlValue *child = toml_table_entry(v, i, &key, &pos);
                        (void) toml_table_entry_key_length(v, i);
                        /* every key must be found again by lookup */
                        if (strlen(key) == toml_table_entry_key_length(v, i) &&
                            toml_table_get(v, key) != child)
                                __builtin_trap();
                        n += walk(child, depth + 1);
                }
                break;
        case TOML_ARRAY:
                for (size_t i = 0; i < toml_array_size(v); i++)
                        n += walk(toml_array_at(v, i), depth + 1);
                break;
        case TOML_STRING:
                if (strlen(toml_string(v, &len)) > len)
                        __builtin_trap();
                break;
        case TOML_INTEGER:
                (void) toml_integer(v);
                break;
        case TOML_FLOAT:
                (void) toml_float(v);
                break;
        case TOML_BOOLEAN:
                (void) toml_boolean(v);
                break;
        default:
                if (!toml_datetime(v))
                        __builtin_trap();
        }
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        TomlValue *root = NULL;
        TomlError err;
        const TomlValue *out;
        const char *s;
        int64_t i;

        if (toml_parse((const char *) data, size, &root, &err) < 0) {
                if (err.msg[0] == 0)
                        __builtin_trap(); /* every rejection says why */
                return 0;
        }
        (void) walk(root, 0);
        (void) toml_get(root, "a.b.c", &out, &err);
        (void) toml_get_string(root, "image.name", &s, &err);
        (void) toml_get_integer(root, "a", &i, &err);
        toml_free(root);
        return 0;
}
