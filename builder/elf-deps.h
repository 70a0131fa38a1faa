/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* What the dynamic loader reads of an ELF file before it runs it: the
 * interpreter and the libraries it needs. The file comes from packages and
 * from dracut's output, so every offset and size is checked against the
 * bytes held; only 64-bit little-endian x86-64 files are accepted (berth
 * builds for that alone). Written against <elf.h> rather than libelf: a
 * few dozen lines read the three things needed, and no new dependency. */

typedef struct ElfDeps {
        char *interp; /* PT_INTERP, or NULL (a library, or a static program) */
        char **needed; /* DT_NEEDED in file order, NULL-terminated; NULL when none */
        char *runpath; /* DT_RUNPATH, else DT_RPATH, or NULL */
} ElfDeps;

/* -ENOEXEC with a sentence in reterr (e.g. "truncated ELF header") when the
 * bytes are not such a file or do not hold together, -ENOMEM. */
int elf_deps_parse(const void *data, size_t size, ElfDeps *ret, char *reterr, size_t reterr_size);
void elf_deps_done(ElfDeps *d);

/* Whether two ELF files load the same program: the same ELF header fields
 * the kernel and ld.so use, the same program headers, and the same bytes in
 * every PT_LOAD segment. What no segment holds (section headers, symbols,
 * debug information) may differ: dracut runs strip -g on what it installs.
 * 0 when they do; -ENOEXEC with a sentence in reterr when either is not a
 * well-formed file; -EINVAL with a sentence when they differ. */
int elf_same_program(const void *a, size_t a_size, const void *b, size_t b_size, char *reterr,
                     size_t reterr_size);
