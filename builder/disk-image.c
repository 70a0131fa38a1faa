/* SPDX-License-Identifier: MIT */
#include "disk-image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "macro.h"
#include "process-util.h"

static int run(char *const argv[], const char *what) {
        RunOptions o = { .stdout_fd = STDERR_FILENO, .stderr_fd = -1 };
        return run_tool(argv, &o, what);
}

/* sfdisk's script: one line per partition, sizes in 512-byte sectors. */
static int partition_script(const char *disk_uuid, const DiskPartition *parts, size_t n, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        uint64_t start = DISK_MIB;
        FILE *f = open_memstream(&text, &len);

        if (!f)
                return -ENOMEM;
        fputs("label: gpt\n", f);
        if (disk_uuid)
                fprintf(f, "label-id: %s\n", disk_uuid);
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "start=%llu, size=%llu, type=%s, name=\"%s\"", (unsigned long long) (start / 512),
                        (unsigned long long) (parts[i].size / 512), parts[i].type, parts[i].name);
                if (parts[i].uuid)
                        fprintf(f, ", uuid=%s", parts[i].uuid);
                fputc('\n', f);
                start += parts[i].size;
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}

static int make_ext4(const char *disk, const DiskPartition *p, uint64_t offset) {
        _cleanup_free_ char *offset_opt = NULL, *fs_kib = NULL;

        /* A fixed UUID and directory hash seed when the partition has a GUID. */
        if (asprintf(&offset_opt, "offset=%llu%s%s", (unsigned long long) offset,
                     p->uuid ? ",hash_seed=" : "", strempty(p->uuid)) < 0 ||
            asprintf(&fs_kib, "%lluk", (unsigned long long) (p->size / 1024)) < 0)
                return log_oom();
        char *mkfs[] = { (char *) "mke2fs",
                         (char *) "-q",
                         (char *) "-F",
                         (char *) "-t",
                         (char *) "ext4",
                         (char *) "-L",
                         (char *) p->name,
                         (char *) "-d",
                         (char *) p->content,
                         (char *) "-E",
                         offset_opt,
                         (char *) "-U",
                         (char *) (p->uuid ? p->uuid : "random"),
                         (char *) disk,
                         fs_kib,
                         NULL };
        return run(mkfs, "mke2fs");
}

/* Copies image to offset, skipping blocks of zeros: the disk stays sparse. */
static int copy_image(const char *disk, const DiskPartition *p, uint64_t offset) {
        _cleanup_close_ int in = open(p->image, O_RDONLY | O_CLOEXEC), out = -EBADF;
        _cleanup_free_ char *buf = malloc(DISK_MIB);
        static const char zero[4096];
        uint64_t done = 0;
        ssize_t n;

        if (!buf)
                return log_oom();
        if (in < 0)
                return log_error_errno(errno, "Cannot open %s: %m", p->image);
        out = open(disk, O_WRONLY | O_CLOEXEC);
        if (out < 0)
                return log_error_errno(errno, "Cannot open %s: %m", disk);
        while ((n = read(in, buf, DISK_MIB)) > 0) {
                if (done + (uint64_t) n > p->size)
                        return log_error_errno(EFBIG, "%s does not fit partition %s (%llu bytes).", p->image,
                                               p->name, (unsigned long long) p->size);
                for (ssize_t o = 0; o < n; o += (ssize_t) sizeof(zero)) {
                        size_t len = (size_t) (n - o) < sizeof(zero) ? (size_t) (n - o) : sizeof(zero);
                        if (memcmp(buf + o, zero, len) == 0)
                                continue;
                        if (pwrite(out, buf + o, len, (off_t) (offset + done + (uint64_t) o)) !=
                            (ssize_t) len)
                                return log_error_errno(errno, "Cannot write %s: %m", disk);
                }
                done += (uint64_t) n;
        }
        if (n < 0)
                return log_error_errno(errno, "Cannot read %s: %m", p->image);
        return 0;
}

uint64_t disk_image_offset(const DiskPartition *parts, size_t index) {
        uint64_t offset = DISK_MIB;

        for (size_t i = 0; i < index; i++)
                offset += parts[i].size;
        return offset;
}

void disk_image_uuid(const char *seed, const char *name, char out[static 37]) {
        _cleanup_(hasher_freep) Hasher *h = hasher_new();
        char hex[65];

        hasher_add_str(h, "berth-disk");
        hasher_add_str(h, seed);
        hasher_add_str(h, name);
        hasher_hex(h, hex);
        /* Version 4 in the 13th digit, variant 10xx in the 17th. */
        hex[12] = '4';
        hex[16] = "89ab"[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3];
        snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

int disk_image_write(const char *path, const char *disk_uuid, const DiskPartition *parts, size_t n_parts) {
        _cleanup_free_ char *script = NULL;
        _cleanup_close_ int fd = -EBADF;
        uint64_t total = 2 * DISK_MIB, offset = DISK_MIB;
        int r;

        for (size_t i = 0; i < n_parts; i++)
                total += parts[i].size;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || ftruncate(fd, (off_t) total) < 0)
                return log_error_errno(errno, "Cannot create %s: %m", path);
        fd = safe_close(fd);

        if (partition_script(disk_uuid, parts, n_parts, &script) < 0)
                return log_oom();
        {
                char *argv[] = { (char *) "sfdisk",           (char *) "--quiet", (char *) "--no-reread",
                                 (char *) "--no-tell-kernel", (char *) path,      NULL };
                /* sfdisk reads its script on stdin. */
                RunOptions o = { .stdout_fd = STDERR_FILENO,
                                 .stderr_fd = -1,
                                 .stdin_data = script,
                                 .stdin_size = strlen(script) };

                r = run_command(argv, &o);
                if (r != 0)
                        return log_error_errno(r < 0 ? r : EIO, "sfdisk could not partition %s (status %d).",
                                               path, r);
        }

        for (size_t i = 0; i < n_parts; i++) {
                if (parts[i].fs && streq(parts[i].fs, "ext4")) {
                        r = make_ext4(path, &parts[i], offset);
                        if (r < 0)
                                return r;
                } else if (!parts[i].fs && parts[i].image) {
                        r = copy_image(path, &parts[i], offset);
                        if (r < 0)
                                return r;
                } else if (parts[i].fs)
                        return log_error_errno(EOPNOTSUPP, "No way to make a %s file system (partition %s).",
                                               parts[i].fs, parts[i].name);
                offset += parts[i].size;
        }
        return 0;
}

int disk_image_convert(const char *raw, const char *format, const char *out) {
        char *argv[] = { (char *) "qemu-img", (char *) "convert", (char *) "-q", (char *) "-O",
                         (char *) format,     (char *) raw,       (char *) out,  NULL };
        return run(argv, "qemu-img convert");
}
