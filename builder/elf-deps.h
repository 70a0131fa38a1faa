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
