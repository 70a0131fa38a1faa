/* SPDX-License-Identifier: MIT */
#pragma once

/* A container's log file, /var/log/berth/NAME.log, rotated by size: a line
 * that would take the file past `max_bytes` first moves it to NAME.log.1
 * (replacing the previous one), so at most about 2 x max_bytes are kept. */

#include <stddef.h>
#include <stdint.h>

#define CTR_LOG_DIR "/var/log/berth"
#define CTR_LOG_MAX_BYTES (1024u * 1024u)

typedef struct CtrLog {
        int fd;
        uint64_t size; /* of the current file */
        uint64_t max_bytes;
        char *path, *rotated; /* DIR/NAME.log, DIR/NAME.log.1 */
} CtrLog;

/* Opens (appends to) DIR/NAME.log, making DIR if need be. */
int ctr_log_open(CtrLog *l, const char *dir, const char *name, uint64_t max_bytes);
/* Appends one line (a newline is added); rotates first when it would not fit. */
int ctr_log_line(CtrLog *l, const char *line, size_t len);
void ctr_log_close(CtrLog *l);

/* The pure rule: rotate before writing `add` bytes to a file of `size`?
 * Never for an empty file (a line longer than the limit still gets written). */
static inline int ctr_log_must_rotate(uint64_t size, uint64_t add, uint64_t max_bytes) {
        return size > 0 && size + add > max_bytes;
}
