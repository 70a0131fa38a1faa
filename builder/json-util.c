/* SPDX-License-Identifier: MIT */
#include "json-util.h"

#include <string.h>

#include "fileio.h"
#include "manifest.h"

const char *json_text(json_object *o) {
        return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
}

int json_write_file(const char *path, json_object *o) {
        const char *text = json_text(o);
        size_t len = strlen(text);
        _cleanup_free_ char *withnl = malloc(len + 2);

        if (!withnl)
                return -ENOMEM;
        memcpy(withnl, text, len);
        withnl[len] = '\n';
        withnl[len + 1] = 0;
        return write_file_atomic(path, withnl, len + 1, 0644);
}
