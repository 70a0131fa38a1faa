/* SPDX-License-Identifier: MIT */
/* tar.c, the reader of OCI archives: names from ustar's name and prefix,
 * GNU long names and pax headers (with a pax size), files after links and
 * folders, a gzip-compressed archive, partial reads, and a damaged header
 * or a file cut short refused. The archives are made here, block by block. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../../../lib/tests/tap.h"
#include "macro.h"
#include "tar.h"

typedef struct {
        unsigned char *data;
        size_t size;
} Buf;

static void put(Buf *b, const void *p, size_t n) {
        b->data = realloc(b->data, b->size + n);
        memcpy(b->data + b->size, p, n);
        b->size += n;
}

static void header(Buf *b, const char *name, const char *prefix, char type, size_t size) {
        unsigned char h[512] = {};
        unsigned sum = 0;
        snprintf((char *) h, 100, "%s", name);
        snprintf((char *) h + 100, 8, "0000644");
        char num[24];
        snprintf(num, sizeof(num), "%011o", (unsigned) size);
        memcpy(h + 124, num, 12);
        h[156] = (unsigned char) type;
        memcpy(h + 257,
               "ustar\0"
               "00",
               8);
        if (prefix)
                snprintf((char *) h + 345, 155, "%s", prefix);
        memset(h + 148, ' ', 8);
        for (size_t i = 0; i < 512; i++)
                sum += h[i];
        snprintf((char *) h + 148, 8, "%06o", sum);
        put(b, h, 512);
}

static void data(Buf *b, const char *p, size_t n) {
        static const char zero[512];
        put(b, p, n);
        put(b, zero, (512 - n % 512) % 512);
}

static void entry(Buf *b, const char *name, const char *prefix, char type, const char *content) {
        header(b, name, prefix, type, strlen(content));
        data(b, content, strlen(content));
}

static void end(Buf *b) {
        static const char zero[1024];
        put(b, zero, sizeof(zero));
}

static char *write_temp(const Buf *b, bool gzip) {
        char *path = strdup("/tmp/test-tar.XXXXXX");
        int fd = mkstemp(path);
        if (gzip) {
                gzFile gz = gzdopen(fd, "wb");
                gzwrite(gz, b->data, (unsigned) b->size);
                gzclose(gz);
        } else {
                (void) !write(fd, b->data, b->size);
                close(fd);
        }
        return path;
}

/* Every file of the archive as "NAME=CONTENT;", or "error N" where it failed. */
static char *list(const Buf *b, bool gzip) {
        _cleanup_free_ char *path = write_temp(b, gzip);
        TarReader *t = NULL;
        char *out = calloc(1, 1);
        size_t len = 0;
        int r = tar_open(path, &t);
        const char *name;
        int64_t size;
        while (r >= 0 && (r = tar_next(t, &name, &size)) > 0) {
                char buf[7]; /* small, so files are read in pieces */
                out = realloc(out, len + strlen(name) + 2 + (size_t) size + 1);
                len += (size_t) sprintf(out + len, "%s=", name);
                ssize_t n;
                while ((n = tar_read(t, buf, sizeof(buf))) > 0) {
                        memcpy(out + len, buf, (size_t) n);
                        len += (size_t) n;
                }
                out[len++] = ';';
                out[len] = 0;
                if (n < 0)
                        r = (int) n;
        }
        if (r < 0) {
                out = realloc(out, len + 32);
                sprintf(out + len, "error %d", -r);
        }
        tar_close(t);
        unlink(path);
        return out;
}

int main(void) {
        Buf b = {};
        char *s;

        entry(&b, "oci-layout", NULL, '0', "{\"imageLayoutVersion\": \"1.0.0\"}");
        header(&b, "blobs/", NULL, '5', 0);
        entry(&b, "link", NULL, '2', "");
        entry(&b, "index.json", NULL, 0, "{}");
        entry(&b, "b.txt", "blobs/sha256", '0', "in a prefix");
        entry(&b, "././@LongLink", NULL, 'L',
              "blobs/sha256/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-long-name");
        entry(&b, "short", NULL, '0', "gnu");
        entry(&b, "PaxHeaders/x", NULL, 'x', "30 path=pax/the/real/name.txt\n12 size=600\n");
        header(&b, "x", NULL, '0', 0); /* the header's size is 0, the pax size 600 */
        char big[600];
        memset(big, 'z', sizeof(big));
        data(&b, big, sizeof(big));
        entry(&b, "empty", NULL, '0', "");
        end(&b);

        char want[2048];
        snprintf(want, sizeof(want),
                 "oci-layout={\"imageLayoutVersion\": \"1.0.0\"};index.json={};blobs/sha256/b.txt=in a "
                 "prefix;"
                 "blobs/sha256/"
                 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-long-name=gnu;"
                 "pax/the/real/name.txt=%.600s;empty=;",
                 big);
        s = list(&b, false);
        ok(streq(s, want),
           "ustar names with a prefix, a GNU long name, a pax path and size; links and folders skipped");
        free(s);
        s = list(&b, true);
        ok(streq(s, want), "the same, gzip-compressed");
        free(s);

        /* Without the end blocks: the end of the file ends it, as GNU tar allows. */
        b.size -= 1024;
        s = list(&b, false);
        ok(streq(s, want), "no end blocks: the files are all there");
        free(s);

        /* Cut within the pax file's data. */
        size_t full = b.size;
        b.size -= 512 + 300;
        s = list(&b, false);
        ok(strstr(s, "error 74") != NULL, "a file cut short: -EBADMSG (%s)",
           s + (strlen(s) > 40 ? strlen(s) - 40 : 0));
        free(s);
        b.size = full;

        /* A header whose checksum is wrong. */
        b.data[512 * 2 + 10] ^= 1; /* the folder's name */
        s = list(&b, false);
        ok(streq(s, "oci-layout={\"imageLayoutVersion\": \"1.0.0\"};error 74"),
           "a damaged header: -EBADMSG after the files before it (%s)", s);
        free(s);

        /* A pax size near INT64_MAX, on a folder whose data is skipped: the
         * size and its padding must not overflow into a negative skip. */
        Buf huge = {};
        entry(&huge, "PaxHeaders/d", NULL, 'x', "28 size=9223372036854775807\n");
        header(&huge, "d/", NULL, '5', 0);
        entry(&huge, "after", NULL, '0', "x");
        end(&huge);
        s = list(&huge, false);
        ok(streq(s, "error 74"), "a size past what a file can be: -EBADMSG (%s)", s);
        free(s);
        free(huge.data);

        Buf junk = {};
        put(&junk, "not a tar archive at all, but more than nothing", 48);
        s = list(&junk, false);
        ok(streq(s, "error 74"), "not tar: -EBADMSG (%s)", s);
        free(s);
        free(junk.data);
        free(b.data);
        return tap_done();
}
