/* SPDX-License-Identifier: MIT */
#pragma once

/* SHA-256 for cache keys and manifests (GLib's GChecksum underneath; no GLib
 * type leaks through this header). */

#include <stddef.h>

typedef struct Hasher Hasher;

Hasher *hasher_new(void);
Hasher *hasher_free(Hasher *h);
static inline void hasher_freep(Hasher **h) {
        if (*h)
                *h = hasher_free(*h);
}
void hasher_add(Hasher *h, const void *data, size_t size);
/* Adds a string and its terminating NUL, so ("ab","c") and ("a","bc") differ. */
void hasher_add_str(Hasher *h, const char *s);
/* Writes 64 hex digits and a NUL into out. */
void hasher_hex(Hasher *h, char out[static 65]);

/* SHA-256 of a whole file, as 64 hex digits. Returns 0 or -errno. */
int sha256_file(const char *path, char out[static 65]);
void sha256_data(const void *data, size_t size, char out[static 65]);
