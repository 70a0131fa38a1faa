/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

static inline void json_object_putp(json_object **o) {
        if (*o)
                *o = (json_object_put(*o), NULL);
}
#define _cleanup_json_ __attribute__((cleanup(json_object_putp)))

/* Writes o as pretty JSON to path atomically (temporary + rename). */
int json_write_file(const char *path, json_object *o);
