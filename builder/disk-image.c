/* SPDX-License-Identifier: MIT */
#include "disk-image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "process-util.h"

static int run(char *const argv[], const char *what) {
        RunOptions o = { .stdout_fd = STDERR_FILENO, .stderr_fd = -1 };
        int r = run_command(argv, &o);

        if (r < 0)
                return log_error_errno(r, "Cannot run %s: %m (make deps installs it)", argv[0]);
        if (r != 0)
                return log_error_errno(EIO, "%s failed (status %d).", what, r);
        return 0;
}

/* sfdisk's script: one line per partition, sizes in 512-byte sectors. */
static int partition_script(const DiskPartition *parts, size_t n, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        uint64_t start = DISK_MIB;
        FILE *f = open_memstream(&text, &len);

        if (!f)
                return -ENOMEM;
        fputs("label: gpt\n", f);
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "start=%llu, size=%llu, type=%s, name=\"%s\"\n",
                        (unsigned long long) (start / 512), (unsigned long long) (parts[i].size / 512),
                        parts[i].type, parts[i].name);
                start += parts[i].size;
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}

static int make_ext4(const char *disk, const DiskPartition *p, uint64_t offset) {
        _cleanup_free_ char *offset_opt = NULL, *fs_kib = NULL;

        if (asprintf(&offset_opt, "offset=%llu", (unsigned long long) offset) < 0 ||
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
                         (char *) disk,
                         fs_kib,
                         NULL };
        return run(mkfs, "mke2fs");
}

int disk_image_write(const char *path, const DiskPartition *parts, size_t n_parts) {
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

        if (partition_script(parts, n_parts, &script) < 0)
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
