/* SPDX-License-Identifier: MIT */
#pragma once

/* A tar archive read in order, from a file that may be gzip-compressed
 * (zlib's gzread() reads a plain file as it is): what an OCI image archive
 * needs of it, its regular files by name. Not libarchive: berth-ctr reads
 * archives on the host, and Debian's libarchive13 brings libxml2 and ICU
 * (some 38 MB) into the image; zlib is there already. Names come from
 * ustar's name and prefix, a pax header's `path` (and its `size`), or a GNU
 * long name; links, folders and devices are skipped; a header whose
 * checksum is wrong, or a file cut short, is -EBADMSG. */

#include <stdint.h>
#include <sys/types.h>

typedef struct TarReader TarReader;

int tar_open(const char *path, TarReader **ret);
TarReader *tar_close(TarReader *t);
static inline void tar_closep(TarReader **t) {
        if (*t)
                *t = tar_close(*t);
}

/* The next regular file: 1 with *ret_path (valid until the next call) and
 * *ret_size; 0 at the archive's end; <0 on an error. What was not read of
 * the previous file is skipped. */
int tar_next(TarReader *t, const char **ret_path, int64_t *ret_size);

/* Up to n bytes of the current file: their number, 0 at its end, or <0
 * (-EBADMSG: the archive ends within the file). */
ssize_t tar_read(TarReader *t, void *buf, size_t n);
