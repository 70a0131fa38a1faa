/* SPDX-License-Identifier: MIT */

/* Stage disk: the commit is deployed into a fresh ostree sysroot (os name
 * "berth") and written as a GPT disk with one root partition, labelled
 * berth-root, whose ext4 filesystem mke2fs fills straight from the sysroot
 * folder (no loop device, no mount). Beside it: vmlinuz, initrd.img and
 * cmdline for direct kernel boot of the same disk, and disk.qcow2 when the
 * recipe asks. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-contract.h"
#include "fileio.h"
#include "log.h"
#include "ostree-deploy.h"
#include "path-util.h"
#include "process-util.h"
#include "stages.h"
#include "strv.h"
#include "tree.h"

#define MIB (1024ULL * 1024ULL)
/* GPT's discoverable-partitions type for an x86-64 root. */
#define ROOT_PARTITION_TYPE "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"

static int run(char *const argv[], const char *what) {
        RunOptions o = { .stdout_fd = STDERR_FILENO, .stderr_fd = -1 };
        int r = run_command(argv, &o);

        if (r < 0)
                return log_error_errno(r, "Cannot run %s: %m (make deps installs it)", argv[0]);
        if (r != 0)
                return log_error_errno(EIO, "%s failed (status %d).", what, r);
        return 0;
}

static int kernel_args(const Recipe *recipe, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *copy = strdup(recipe->kernel_cmdline), *shell = NULL;
        char *save = NULL;

        if (!copy || strv_extend(&l, BERTH_KARG_ROOT "=LABEL=" BERTH_ROOT_LABEL) < 0)
                return -ENOMEM;
        if (streq(recipe->var, BERTH_VAR_TMPFS) && strv_extend(&l, BERTH_KARG_VAR "=" BERTH_VAR_TMPFS) < 0)
                return -ENOMEM;
        if (recipe->shell &&
            (asprintf(&shell, BERTH_KARG_SHELL "=%s", recipe->shell) < 0 || strv_extend(&l, shell) < 0))
                return -ENOMEM;
        for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
                if (strv_extend(&l, w) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

/* GPT: 1 MiB for the table, the root partition, 1 MiB for the backup table. */
static int write_disk(const BuildContext *c, const char *sysroot, const char *disk) {
        _cleanup_free_ char *script = NULL, *offset = NULL, *fs_kib = NULL;
        _cleanup_close_ int fd = -EBADF;
        uint64_t used, fs_size;
        int r;

        r = tree_size(sysroot, &used);
        if (r < 0)
                return r;
        /* ext4 needs room for its metadata (inodes, journal) beyond the files. */
        fs_size = (used + used / 5 + 64 * MIB + c->recipe->free_space_bytes + MIB - 1) / MIB * MIB;

        fd = open(disk, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || ftruncate(fd, (off_t) (fs_size + 2 * MIB)) < 0)
                return log_error_errno(errno, "Cannot create %s: %m", disk);
        fd = safe_close(fd);

        if (asprintf(&script,
                     "label: gpt\nstart=2048, size=%llu, type=" ROOT_PARTITION_TYPE
                     ", name=\"" BERTH_ROOT_LABEL "\"\n",
                     (unsigned long long) (fs_size / 512)) < 0)
                return log_oom();
        {
                char tmpl[] = "/tmp/berth-sfdisk-XXXXXX";
                _cleanup_close_ int sfd = mkostemp(tmpl, O_CLOEXEC);
                char *argv[] = { (char *) "sfdisk",           (char *) "--quiet", (char *) "--no-reread",
                                 (char *) "--no-tell-kernel", (char *) disk,      NULL };
                RunOptions o = { .stdout_fd = STDERR_FILENO, .stderr_fd = -1 };

                if (sfd < 0 || write(sfd, script, strlen(script)) != (ssize_t) strlen(script) ||
                    lseek(sfd, 0, SEEK_SET) < 0)
                        return log_error_errno(errno, "Cannot write the partition script: %m");
                (void) unlink(tmpl);
                /* sfdisk reads its script on stdin. */
                int saved = dup(STDIN_FILENO);
                (void) dup2(sfd, STDIN_FILENO);
                r = run_command(argv, &o);
                (void) dup2(saved, STDIN_FILENO);
                (void) close(saved);
                if (r != 0)
                        return log_error_errno(r < 0 ? r : EIO, "sfdisk could not partition %s (status %d).",
                                               disk, r);
        }

        if (asprintf(&offset, "offset=%llu", (unsigned long long) MIB) < 0 ||
            asprintf(&fs_kib, "%lluk", (unsigned long long) (fs_size / 1024)) < 0)
                return log_oom();
        char *mkfs[] = { (char *) "mke2fs",
                         (char *) "-q",
                         (char *) "-F",
                         (char *) "-t",
                         (char *) BERTH_ROOT_FSTYPE,
                         (char *) "-L",
                         (char *) BERTH_ROOT_LABEL,
                         (char *) "-d",
                         (char *) sysroot,
                         (char *) "-E",
                         offset,
                         (char *) disk,
                         fs_kib,
                         NULL };
        return run(mkfs, "mke2fs");
}

static int copy_out(const char *src, const char *dir, const char *name) {
        return tree_install_file(src, dir, name, 0644);
}

int stage_disk(BuildContext *c) {
        _cleanup_free_ char *sysroot = path_join(c->cache->tmp, "sysroot"),
                            *repo = cache_path(c->cache, "repo", NULL);
        _cleanup_free_ char *disk = path_join(c->stage_out, "disk.raw"), *cmdline = NULL,
                            *cmdline_path = NULL;
        _cleanup_strv_free_ char **kargs = NULL;
        DeployResult dr = { 0 };
        int r;

        if (!sysroot || !repo || !disk || !(cmdline_path = path_join(c->stage_out, "cmdline")))
                return log_oom();
        if (kernel_args(c->recipe, &kargs) < 0)
                return log_oom();
        if (mkdir(sysroot, 0755) < 0)
                return log_error_errno(errno, "Cannot create %s: %m", sysroot);

        DeploySpec spec = {
                .sysroot = sysroot,
                .repo = repo,
                .ref = c->ref,
                .commit = c->commit,
                .osname = "berth",
                .kargs = kargs,
        };
        r = ostree_deploy_sysroot(&spec, &dr);
        if (r < 0)
                return r;
        if (build_interrupted()) {
                deploy_result_done(&dr);
                return -EINTR;
        }

        r = copy_out(dr.kernel, c->stage_out, "vmlinuz");
        if (r >= 0)
                r = copy_out(dr.initrd, c->stage_out, "initrd.img");
        if (r >= 0 && asprintf(&cmdline, "%s\n", dr.options) < 0)
                r = log_oom();
        if (r >= 0)
                r = write_file_atomic(cmdline_path, cmdline, strlen(cmdline), 0644);
        deploy_result_done(&dr);
        if (r < 0)
                return log_error_errno(r, "Cannot write the boot files into %s: %m", c->stage_out);

        r = write_disk(c, sysroot, disk);
        if (r < 0)
                return r;

        if (strv_contains(c->recipe->formats, "qcow2")) {
                _cleanup_free_ char *qcow = path_join(c->stage_out, "disk.qcow2");
                char *argv[] = { (char *) "qemu-img",
                                 (char *) "convert",
                                 (char *) "-q",
                                 (char *) "-O",
                                 (char *) "qcow2",
                                 disk,
                                 qcow,
                                 NULL };
                if (!qcow)
                        return log_oom();
                r = run(argv, "qemu-img convert");
                if (r < 0)
                        return r;
        }
        return 0;
}
