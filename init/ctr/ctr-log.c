/* SPDX-License-Identifier: MIT */
#include "ctr-log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs-util.h"
#include "macro.h"

static int reopen(CtrLog *l) {
        struct stat st;

        l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
        if (l->fd < 0)
                return -errno;
        l->size = fstat(l->fd, &st) == 0 ? (uint64_t) st.st_size : 0;
        return 0;
}

int ctr_log_open(CtrLog *l, const char *dir, const char *name, uint64_t max_bytes) {
        *l = (CtrLog){ .fd = -1, .max_bytes = max_bytes };
        if (mkdir_p(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        if (asprintf(&l->path, "%s/%s.log", dir, name) < 0 ||
            asprintf(&l->rotated, "%s/%s.log.1", dir, name) < 0) {
                ctr_log_close(l);
                return -ENOMEM;
        }
        int r = reopen(l);
        if (r < 0)
                ctr_log_close(l);
        return r;
}

int ctr_log_line(CtrLog *l, const char *line, size_t len) {
        if (l->fd < 0)
                return -EBADF;
        if (ctr_log_must_rotate(l->size, len + 1, l->max_bytes)) {
                /* rename() first: the file is never missing, only replaced. */
                if (rename(l->path, l->rotated) < 0)
                        return -errno;
                close(l->fd);
                int r = reopen(l);
                if (r < 0)
                        return r;
        }
        struct iovec iov[] = { { (void *) line, len }, { (void *) "\n", 1 } };
        ssize_t n = writev(l->fd, iov, 2);
        if (n < 0)
                return -errno;
        l->size += (uint64_t) n;
        return 0;
}

void ctr_log_close(CtrLog *l) {
        if (l->fd >= 0)
                close(l->fd);
        l->fd = -1;
        free(l->path);
        free(l->rotated);
        l->path = l->rotated = NULL;
}
