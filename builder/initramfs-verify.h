/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* dracut's exit status and its messages do not prove that the initramfs
 * boots: dracut-install resolves no libraries of a library that is not
 * executable, and skips a file it does not find on the build host, without
 * a word. So the archive itself is read back and checked for what the build
 * asked for:
 *   - /init is a regular file (through the archive's own symbolic links)
 *     that loads the same program as the berth-init given: the same ELF
 *     and program headers and the same bytes in every loaded segment
 *     (dracut strips debug information off what it installs);
 *   - its ELF interpreter is there, and every library it needs, and every
 *     library those need, and the dlopen() list with theirs, each found as
 *     ld.so finds it: the object's DT_RUNPATH (or DT_RPATH), then the system
 *     folders of Debian's x86-64 loader (a library that only an
 *     /etc/ld.so.cache entry names elsewhere is reported missing);
 *   - every kernel module of the list that the archive's modules.builtin
 *     does not name is there, as .ko, .ko.xz, .ko.zst or .ko.gz.
 * Paths are resolved inside the archive as the kernel unpacks it: a link
 * to /usr/lib resolves to the archive's usr/lib, ".." stops at its root,
 * and 40 links at most per lookup. */

/* Library lookups (a name tried in a folder) at most: berth-init's take some
 * hundreds; the bound keeps a made-up archive from taking hours. */
#define INITRAMFS_MAX_LOOKUPS (1ul << 18)
/* Names walked by all lookups at most (a link's target is walked too):
 * berth-init's take some thousands. */
#define INITRAMFS_MAX_STEPS (1ul << 22)

typedef struct InitramfsExpect {
        const void *berth_init; /* the program /init must be */
        size_t berth_init_size;
        const char *const *dlopen_libs; /* NULL-terminated sonames /init dlopen()s */
        const char *kver; /* the kernel whose modules are checked */
        const char *const *kernel_modules; /* NULL-terminated */
        unsigned long max_lookups; /* library lookups at most; 0: INITRAMFS_MAX_LOOKUPS */
        unsigned long max_steps; /* names walked by all lookups at most; 0: INITRAMFS_MAX_STEPS */
} InitramfsExpect;

typedef struct InitramfsError {
        char msg[512];
} InitramfsError;

/* 0 when the archive holds everything; -ENOENT (something missing),
 * -ENOEXEC (a malformed ELF file), -ELOOP, -ENOTDIR, -EINVAL (/init is not
 * berth-init), -EFBIG (the archive is larger than is read into memory, or
 * holds more hard links than INDEX_MAX_HARDLINKS), -E2BIG (more library
 * lookups than max_lookups, or names walked than max_steps), -EIO
 * (the archive cannot be read), each with a sentence in reterr; -ENOMEM. */
int initramfs_verify(const char *archive, const InitramfsExpect *expect, InitramfsError *reterr);

/* The check of the build: /init against the berth-init file given, the
 * dlopen() list and the initramfs modules of lib/boot-contract.h. Logs
 * "initramfs: <what is wrong>" and returns a negative errno when it fails. */
int initramfs_verify_build(const char *archive, const char *berth_init, const char *kver);
