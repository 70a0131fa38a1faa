/* SPDX-License-Identifier: MIT */

/* The TOML API beyond what toml-test covers: positions, order, typed lookups
 * and their messages, error positions, limits. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tap.h"
#include "toml/toml.h"

static TomlValue *parse(const char *text, TomlError *err) {
        TomlValue *v = NULL;
        if (toml_parse(text, strlen(text), &v, err) < 0)
                return NULL;
        return v;
}

static void test_positions(void) {
        _cleanup_(toml_freep) TomlValue *doc =
                parse("# c\n[image]\nname = \"x\"\n  version =  \"1\"\n", NULL);
        const TomlValue *image = toml_table_get(doc, "image");
        const char *key;
        TomlPos kpos, vpos;

        ok(doc && image, "parse a small document");
        const TomlValue *v = toml_table_entry(image, 1, &key, &kpos);
        vpos = toml_value_pos(v);
        ok(v && streq(key, "version") && kpos.line == 4 && kpos.column == 3, "key position 4:3 (%u:%u)",
           kpos.line, kpos.column);
        ok(vpos.line == 4 && vpos.column == 14, "value position 4:14 (%u:%u)", vpos.line, vpos.column);
        ok(toml_value_pos(image).line == 2, "a table's position is its header's line");
}

static void test_order(void) {
        _cleanup_(toml_freep) TomlValue *doc = parse("z = 1\na = 2\nm = 3\n", NULL);
        const char *k0, *k1, *k2;

        toml_table_entry(doc, 0, &k0, NULL);
        toml_table_entry(doc, 1, &k1, NULL);
        toml_table_entry(doc, 2, &k2, NULL);
        ok(streq(k0, "z") && streq(k1, "a") && streq(k2, "m"), "entries keep document order");
        ok(toml_table_entry(doc, 3, NULL, NULL) == NULL, "out of range entry is NULL");
}

static void test_get(void) {
        _cleanup_(toml_freep) TomlValue *doc = parse(
                "[image]\nname = \"berth\"\nversion = 1\nlist = [1, 2]\nflag = true\n[a.b]\nc = 5\n", NULL);
        const char *s = NULL;
        int64_t i = 0;
        bool b = false;
        const TomlValue *arr = NULL;
        TomlError err;

        ok(toml_get_string(doc, "image.name", &s, &err) == 0 && streq(s, "berth"), "get string by path");
        ok(toml_get_integer(doc, "a.b.c", &i, &err) == 0 && i == 5, "get integer through implicit tables");
        ok(toml_get_boolean(doc, "image.flag", &b, &err) == 0 && b, "get boolean");
        ok(toml_get_array(doc, "image.list", &arr, &err) == 0 && toml_array_size(arr) == 2, "get array");
        int r = toml_get_string(doc, "image.version", &s, &err);
        ok(r == -EINVAL && streq(err.msg, "'image.version' must be a string, not an integer") &&
                   err.line == 3 && err.column == 11,
           "wrong type: %s at %u:%u", err.msg, err.line, err.column);
        ok(toml_get_string(doc, "image.missing", &s, &err) == -ENOENT &&
                   streq(err.msg, "missing key 'image.missing'"),
           "missing key: %s", err.msg);
        ok(toml_get_string(doc, "image.name.x", &s, &err) == -EINVAL,
           "a path through a string is a type error");
}

/* Parses text expecting a failure; returns true when it failed. */
static bool fails(const char *text, TomlError *err) {
        TomlValue *v = parse(text, err);
        if (v) {
                toml_free(v);
                return false;
        }
        return true;
}

static void test_errors(void) {
        TomlError err;
        bool f;

        f = fails("[packages]\ninclude = []\ninclude = [1]\n", &err);
        ok(f && err.line == 3 && err.column == 1 && strstr(err.msg, "duplicate key 'include'"),
           "duplicate key at 3:1 (%u:%u %s)", err.line, err.column, err.msg);
        f = fails("a = 9223372036854775808\n", &err);
        ok(f && strstr(err.msg, "64 bits"), "integer overflow: %s", err.msg);
        _cleanup_(toml_freep) TomlValue *min = parse("a = -9223372036854775808\n", NULL);
        ok(min && toml_integer(toml_table_get(min, "a")) == INT64_MIN, "INT64_MIN parses");
        f = fails("a = \"x\n", &err);
        ok(f && err.line == 1 && err.column == 5, "unterminated string at 1:5 (%u:%u)", err.line,
           err.column);
        f = fails("a = 1\n\xff = 2\n", &err);
        ok(f && err.line == 2 && strstr(err.msg, "UTF-8"), "bad UTF-8 names its line (%u)", err.line);
        f = fails("[a]\n[a]\n", &err);
        ok(f && err.line == 2 && strstr(err.msg, "already defined"), "table defined twice: %s", err.msg);
}

static void test_nul_and_depth(void) {
        _cleanup_(toml_freep) TomlValue *doc = parse("s = \"a\\u0000b\"\n", NULL);
        size_t n = 0;
        const char *s = toml_string(toml_table_get(doc, "s"), &n);
        ok(s && n == 3 && s[1] == 0 && s[2] == 'b', "a string holding U+0000 keeps its length");

        char deep[400] = "a = ";
        memset(deep + 4, '[', 300);
        strcpy(deep + 304, "\n");
        TomlError err;
        bool f = fails(deep, &err);
        ok(f && strstr(err.msg, "nested deeper"), "deep nesting refused: %s", err.msg);
}

static void test_big_table(void) {
        char *text = malloc(200000), *p = text;
        for (int i = 0; i < 5000; i++)
                p += sprintf(p, "k%d = %d\n", i, i);
        _cleanup_(toml_freep) TomlValue *doc = parse(text, NULL);
        free(text);
        ok(doc && toml_table_size(doc) == 5000 && toml_integer(toml_table_get(doc, "k4321")) == 4321,
           "5000 keys, found by the index");
}

int main(void) {
        test_positions();
        test_order();
        test_get();
        test_errors();
        test_nul_and_depth();
        test_big_table();
        return tap_done();
}
