/* SPDX-License-Identifier: MIT */
#pragma once

/* A document as it arrives, with a size limit: a declared size (an HTTP
 * Content-Length, a file's size) past the limit is refused before a byte
 * is read, and bytes are counted as they come, for sources that declare
 * nothing or lie. */

#include <stdbool.h>
#include <stddef.h>

typedef struct FetchBuffer {
        char *data; /* NUL-terminated; NULL until the first byte */
        size_t size, allocated;
        size_t limit; /* bytes; more is -EFBIG */
        bool too_big; /* the limit was hit */
} FetchBuffer;

/* Appends n bytes; -EFBIG (and too_big) when the total passes the limit,
 * -ENOMEM. */
int fetch_buffer_append(FetchBuffer *b, const void *p, size_t n);
/* True when a declared size (negative: none declared) is past the limit. */
bool fetch_size_too_big(long long declared, size_t limit);
/* Empties the buffer, keeping its limit. */
void fetch_buffer_reset(FetchBuffer *b);
