/* SPDX-License-Identifier: MIT */
#include "fetch-buffer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int fetch_buffer_append(FetchBuffer *b, const void *p, size_t n) {
        if (n > b->limit || b->size > b->limit - n) {
                b->too_big = true;
                return -EFBIG;
        }
        if (b->size + n + 1 > b->allocated) {
                size_t want = b->allocated ? b->allocated : 4096;
                while (want < b->size + n + 1)
                        want *= 2;
                char *d = realloc(b->data, want);
                if (!d)
                        return -ENOMEM;
                b->data = d;
                b->allocated = want;
        }
        memcpy(b->data + b->size, p, n);
        b->size += n;
        b->data[b->size] = 0;
        return 0;
}

bool fetch_size_too_big(long long declared, size_t limit) {
        return declared >= 0 && (unsigned long long) declared > limit;
}

void fetch_buffer_reset(FetchBuffer *b) {
        free(b->data);
        *b = (FetchBuffer){ .limit = b->limit };
}
