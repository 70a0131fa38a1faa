/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "macro.h"
#include "tar.h"

#define BLOCK 512
#define MAX_NAME 4096 /* a GNU long name or a pax path */
#define MAX_PAX (1024 * 1024) /* a pax header's records */

struct TarReader {
        gzFile gz;
        char *path; /* the current file's */
        int64_t left; /* bytes of it not read yet */
        int64_t pad; /* then this many up to the next block */
        char *next_name; /* from a GNU long name or a pax header, for the next entry */
        int64_t next_size; /* from a pax header; -1: none */
};

int tar_open(const char *path, TarReader **ret) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        gzFile gz = gzdopen(fd, "rb");
        if (!gz) {
                close(fd);
                return -ENOMEM;
        }
        (void) gzbuffer(gz, 128 * 1024);
        TarReader *t = calloc(1, sizeof(*t));
        if (!t) {
                gzclose(gz);
                return -ENOMEM;
        }
        t->gz = gz;
        t->next_size = -1;
        *ret = t;
        return 0;
}

TarReader *tar_close(TarReader *t) {
        if (!t)
                return NULL;
        gzclose(t->gz);
        free(t->path);
        free(t->next_name);
        free(t);
        return NULL;
}

/* Exactly n bytes, or -EBADMSG when the file ends first. */
static int read_full(TarReader *t, void *buf, size_t n) {
        size_t done = 0;
        while (done < n) {
                unsigned want = n - done > (1U << 30) ? 1U << 30 : (unsigned) (n - done);
                int k = gzread(t->gz, (char *) buf + done, want);
                if (k < 0)
                        return -EBADMSG; /* damaged gzip data, or the read failed */
                if (k == 0)
                        return -EBADMSG;
                done += (size_t) k;
        }
        return 0;
}

static int skip(TarReader *t, int64_t n) {
        char buf[16384];
        while (n > 0) {
                size_t want = n > (int64_t) sizeof(buf) ? sizeof(buf) : (size_t) n;
                int r = read_full(t, buf, want);
                if (r < 0)
                        return r;
                n -= (int64_t) want;
        }
        return 0;
}

/* A numeric field: octal digits (leading spaces or NULs, ended by a space
 * or NUL), or base-256 (its first byte's high bit set) past 8 GiB. */
static int parse_number(const unsigned char *f, size_t len, int64_t *ret) {
        uint64_t v = 0;
        if (f[0] & 0x80) {
                if (f[0] != 0x80)
                        return -EBADMSG; /* negative, or more than 63 bits */
                for (size_t i = 1; i < len; i++) {
                        if (v >> 55)
                                return -EBADMSG;
                        v = v << 8 | f[i];
                }
                *ret = (int64_t) v;
                return 0;
        }
        size_t i = 0;
        while (i < len && (f[i] == ' ' || f[i] == 0))
                i++;
        for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
                if (v >> 60)
                        return -EBADMSG;
                v = v * 8 + (uint64_t) (f[i] - '0');
        }
        if (i < len && f[i] != ' ' && f[i] != 0)
                return -EBADMSG;
        *ret = (int64_t) v;
        return 0;
}

static bool checksum_ok(const unsigned char *h) {
        int64_t want;
        long sum_u = 0, sum_s = 0;
        if (parse_number(h + 148, 8, &want) < 0)
                return false;
        for (size_t i = 0; i < BLOCK; i++) {
                unsigned char c = i >= 148 && i < 156 ? ' ' : h[i];
                sum_u += c;
                sum_s += (signed char) c;
        }
        return want == sum_u || want == sum_s;
}

/* A pax header's records, "LEN KEY=VALUE\n": path and size are kept. */
static int parse_pax(TarReader *t, const char *p, size_t n) {
        while (n > 0) {
                char *end;
                unsigned long len = strtoul(p, &end, 10);
                if (end == p || *end != ' ' || len <= (size_t) (end - p) + 1 || len > n ||
                    p[len - 1] != '\n')
                        return -EBADMSG;
                const char *key = end + 1, *eq = memchr(key, '=', (size_t) (p + len - 1 - key));
                if (!eq)
                        return -EBADMSG;
                size_t klen = (size_t) (eq - key), vlen = (size_t) (p + len - 1 - (eq + 1));
                if (klen == 4 && memcmp(key, "path", 4) == 0) {
                        if (vlen == 0 || vlen > MAX_NAME)
                                return -EBADMSG;
                        free(t->next_name);
                        if (!(t->next_name = strndup(eq + 1, vlen)))
                                return -ENOMEM;
                } else if (klen == 4 && memcmp(key, "size", 4) == 0) {
                        char num[24];
                        if (vlen == 0 || vlen >= sizeof(num))
                                return -EBADMSG;
                        memcpy(num, eq + 1, vlen);
                        num[vlen] = 0;
                        unsigned long long v = strtoull(num, &end, 10);
                        if (*end || num[0] == '-' || v > INT64_MAX)
                                return -EBADMSG;
                        t->next_size = (int64_t) v;
                }
                p += len;
                n -= len;
        }
        return 0;
}

/* An entry's data read whole into memory (a long name, a pax header). */
static int read_small(TarReader *t, int64_t size, size_t max, char **ret) {
        if (size < 0 || (uint64_t) size > max)
                return -EBADMSG;
        _cleanup_free_ char *d = malloc((size_t) size + 1);
        if (!d)
                return -ENOMEM;
        int r = read_full(t, d, (size_t) size);
        if (r < 0)
                return r;
        d[size] = 0;
        r = skip(t, (BLOCK - size % BLOCK) % BLOCK);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

int tar_next(TarReader *t, const char **ret_path, int64_t *ret_size) {
        unsigned char h[BLOCK];
        int r = skip(t, t->left + t->pad);
        if (r < 0)
                return r;
        t->left = t->pad = 0;

        for (;;) {
                int k = gzread(t->gz, h, BLOCK);
                if (k == 0)
                        return 0; /* no end blocks: tolerated, as GNU tar does */
                if (k != BLOCK)
                        return -EBADMSG;
                bool zero = true;
                for (size_t i = 0; i < BLOCK && zero; i++)
                        zero = h[i] == 0;
                if (zero)
                        return 0;
                if (!checksum_ok(h))
                        return -EBADMSG;
                int64_t size;
                if (parse_number(h + 124, 12, &size) < 0)
                        return -EBADMSG;
                char type = (char) h[156];
                if (type == 'L' || type == 'x') {
                        _cleanup_free_ char *d = NULL;
                        r = read_small(t, size, type == 'L' ? MAX_NAME : MAX_PAX, &d);
                        if (r < 0)
                                return r;
                        if (type == 'x') {
                                r = parse_pax(t, d, (size_t) size);
                                if (r < 0)
                                        return r;
                        } else {
                                free(t->next_name);
                                t->next_name = TAKE_PTR(d);
                        }
                        continue;
                }
                if (t->next_size >= 0)
                        size = t->next_size;
                t->next_size = -1;
                /* No file is that large, and size + its padding must not overflow. */
                if (size > INT64_MAX - BLOCK)
                        return -EBADMSG;
                _cleanup_free_ char *name = TAKE_PTR(t->next_name);
                int64_t pad = (BLOCK - size % BLOCK) % BLOCK;
                if (type != '0' && type != 0 && type != '7') {
                        /* a folder, a link, a device, a global pax header: its
                         * data (usually none) is skipped */
                        r = skip(t, size + pad);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!name) {
                        const char *n = (const char *) h, *prefix = (const char *) h + 345;
                        size_t nlen = strnlen(n, 100),
                               plen = memcmp(h + 257, "ustar", 5) == 0 ? strnlen(prefix, 155) : 0;
                        if (asprintf(&name, "%.*s%s%.*s", (int) plen, prefix, plen ? "/" : "", (int) nlen,
                                     n) < 0) {
                                name = NULL;
                                return -ENOMEM;
                        }
                }
                free(t->path);
                t->path = TAKE_PTR(name);
                t->left = size;
                t->pad = pad;
                *ret_path = t->path;
                *ret_size = size;
                return 1;
        }
}

ssize_t tar_read(TarReader *t, void *buf, size_t n) {
        if ((int64_t) n > t->left)
                n = (size_t) t->left;
        if (n == 0)
                return 0;
        if (n > (1U << 30))
                n = 1U << 30;
        int k = gzread(t->gz, buf, (unsigned) n);
        if (k <= 0)
                return -EBADMSG;
        t->left -= k;
        return k;
}
