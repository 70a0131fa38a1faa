/* SPDX-License-Identifier: MIT */
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"

Hasher *hasher_new(void) {
        return (Hasher *) g_checksum_new(G_CHECKSUM_SHA256);
}

Hasher *hasher_free(Hasher *h) {
        if (h)
                g_checksum_free((GChecksum *) h);
        return NULL;
}

void hasher_add(Hasher *h, const void *data, size_t size) {
        g_checksum_update((GChecksum *) h, data, (gssize) size);
}

void hasher_add_str(Hasher *h, const char *s) {
        hasher_add(h, s, strlen(s) + 1);
}

void hasher_hex(Hasher *h, char out[static 65]) {
        memcpy(out, g_checksum_get_string((GChecksum *) h), 64);
        out[64] = 0;
}

void sha256_data(const void *data, size_t size, char out[static 65]) {
        _cleanup_(hasher_freep) Hasher *h = hasher_new();
        hasher_add(h, data, size);
        hasher_hex(h, out);
}

int sha256_file(const char *path, char out[static 65]) {
        _cleanup_(hasher_freep) Hasher *h = hasher_new();
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        char buf[64 * 1024];

        if (fd < 0)
                return -errno;
        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                hasher_add(h, buf, (size_t) n);
        }
        hasher_hex(h, out);
        return 0;
}
