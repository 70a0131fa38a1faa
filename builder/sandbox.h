/* SPDX-License-Identifier: MIT */
#pragma once

/* The sandbox the stages that touch package content run in (unpack,
 * initramfs, overlays, sysfiles): a child process in its own mount, PID, IPC,
 * UTS and network namespaces, whose root is a read-only tmpfs holding only
 *
 *   - the build host's /usr (and /bin, /sbin, /lib, /lib64 as the host has
 *     them), read-only: the tools (dracut, depmod, ldconfig) and their libraries;
 *   - /etc with only ld.so.cache and alternatives/ of the host's, read-only
 *     (no account, key or secret of the host);
 *   - /dev with null, zero, full, random and urandom; a /proc of its own PID
 *     namespace (no host process), /proc/sys read-only; /tmp and /var/tmp empty;
 *   - the spec's paths at the same absolute paths as outside, so that stage
 *     code needs no translation: read_write ones writable, read_only ones not;
 *     none of them lets a device node or a setuid bit work;
 *
 * with every capability gone but the few that writing an image's files needs
 * (owners, modes, file capabilities, reading and writing files of any owner:
 * CAP_DAC_OVERRIDE; not CAP_DAC_READ_SEARCH, which also opens any file of a
 * bound path's filesystem by its handle, past every bind), no new
 * privileges on exec, and no file descriptor of the caller's but 0, 1, 2.
 * What fn changes in memory is lost: results go back through files under a
 * read_write path. See docs/architecture.md, "Trust boundaries". */

#include <stdbool.h>

typedef struct SandboxSpec {
        const char *name; /* for messages: the stage's name */
        char *const *read_write; /* NULL-terminated; each must exist */
        char *const *read_only; /* NULL-terminated; files or folders; each must exist */
        bool chroot; /* keep CAP_SYS_CHROOT: ldconfig -r chroots into the tree */
} SandboxSpec;

/* The capabilities fn keeps (bits of CAP_*), chroot aside. */
#define SANDBOX_CAPABILITIES                                                                              \
        ((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_FOWNER) | (1ULL << CAP_FSETID) | \
         (1ULL << CAP_SETFCAP))

/* Runs fn(userdata) in the sandbox and waits for it. Returns what fn returned
 * (0 or a negative errno up to 254), -EIO when fn's process died of a
 * signal (logged), or the errno of setting the sandbox up (logged). SIGINT
 * and SIGTERM reach fn's process as they would reach build-image, so
 * build_interrupted() works inside; an interrupted build returns -EINTR.
 * Needs root; call it from a process with no other thread. */
int sandbox_run(const SandboxSpec *spec, int (*fn)(void *userdata), void *userdata);
