/* SPDX-License-Identifier: MIT */
#include "elf-deps.h"

#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "strv.h"

/* More would be a made-up file: a real one has some dozens. */
#define ELF_MAX_NEEDED 1024

typedef struct ElfFile {
        const uint8_t *data;
        size_t size;
        const Elf64_Ehdr *ehdr;
        char *err;
        size_t err_size;
} ElfFile;

static _printf_(2, 3) int fail(ElfFile *f, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(f->err, f->err_size, fmt, ap);
        va_end(ap);
        return -ENOEXEC;
}

/* True when [off, off + len) lies inside the file, without wrapping around. */
static bool in_file(const ElfFile *f, uint64_t off, uint64_t len) {
        return off <= f->size && len <= f->size - off;
}

static const Elf64_Phdr *phdr(const ElfFile *f, unsigned i) {
        return (const Elf64_Phdr *) (f->data + f->ehdr->e_phoff + (uint64_t) i * sizeof(Elf64_Phdr));
}

static int check_header(ElfFile *f) {
        const Elf64_Ehdr *h = (const Elf64_Ehdr *) f->data;

        if (f->size < SELFMAG || memcmp(f->data, ELFMAG, SELFMAG) != 0)
                return fail(f, "not an ELF file");
        if (f->size < sizeof(Elf64_Ehdr))
                return fail(f, "truncated ELF header");
        if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_ident[EI_DATA] != ELFDATA2LSB ||
            h->e_machine != EM_X86_64)
                return fail(f, "not a 64-bit little-endian x86-64 ELF file");
        if (h->e_type != ET_EXEC && h->e_type != ET_DYN)
                return fail(f, "not an ELF program or shared library (type %u)", h->e_type);
        if (h->e_phnum > 0 && h->e_phentsize != sizeof(Elf64_Phdr))
                return fail(f, "ELF program header size %u, not %zu", h->e_phentsize, sizeof(Elf64_Phdr));
        if (!in_file(f, h->e_phoff, (uint64_t) h->e_phnum * sizeof(Elf64_Phdr)))
                return fail(f, "ELF program headers past the end of the file");
        if (h->e_phoff % _Alignof(Elf64_Phdr) != 0)
                return fail(f, "misaligned ELF program headers");
        f->ehdr = h;
        return 0;
}

/* A NUL-terminated string of at most max bytes at off, else NULL. */
static const char *string_at(const ElfFile *f, uint64_t off, uint64_t max) {
        if (!in_file(f, off, max) || max == 0 || !memchr(f->data + off, 0, max))
                return NULL;
        return (const char *) f->data + off;
}

/* The file offset of an address, through the PT_LOAD segment that maps it. */
static int vaddr_to_offset(const ElfFile *f, uint64_t addr, uint64_t *ret) {
        for (unsigned i = 0; i < f->ehdr->e_phnum; i++) {
                const Elf64_Phdr *p = phdr(f, i);

                if (p->p_type == PT_LOAD && addr >= p->p_vaddr && addr - p->p_vaddr < p->p_filesz &&
                    in_file(f, p->p_offset, p->p_filesz)) {
                        *ret = p->p_offset + (addr - p->p_vaddr);
                        return 0;
                }
        }
        return -ENOENT;
}

static int read_interp(ElfFile *f, const Elf64_Phdr *p, ElfDeps *d) {
        const char *s;

        if (d->interp)
                return fail(f, "two PT_INTERP headers");
        s = string_at(f, p->p_offset, p->p_filesz);
        if (!s || !*s)
                return fail(f, "PT_INTERP out of bounds or not a string");
        d->interp = strdup(s);
        return d->interp ? 0 : -ENOMEM;
}

static int read_dynamic(ElfFile *f, const Elf64_Phdr *p, ElfDeps *d) {
        const Elf64_Dyn *dyn;
        uint64_t n, strtab = 0, strsz = 0, stroff, runpath = UINT64_MAX, rpath = UINT64_MAX;
        bool have_strtab = false;
        unsigned n_needed = 0;
        int r;

        if (!in_file(f, p->p_offset, p->p_filesz) || p->p_offset % _Alignof(Elf64_Dyn) != 0)
                return fail(f, "PT_DYNAMIC out of bounds");
        dyn = (const Elf64_Dyn *) (f->data + p->p_offset);
        n = p->p_filesz / sizeof(Elf64_Dyn);
        for (uint64_t i = 0; i < n && dyn[i].d_tag != DT_NULL; i++)
                switch (dyn[i].d_tag) {
                case DT_STRTAB:
                        strtab = dyn[i].d_un.d_ptr;
                        have_strtab = true;
                        break;
                case DT_STRSZ:
                        strsz = dyn[i].d_un.d_val;
                        break;
                case DT_NEEDED:
                        if (++n_needed > ELF_MAX_NEEDED)
                                return fail(f, "more than %d DT_NEEDED entries", ELF_MAX_NEEDED);
                        break;
                case DT_RUNPATH:
                        runpath = dyn[i].d_un.d_val;
                        break;
                case DT_RPATH:
                        rpath = dyn[i].d_un.d_val;
                        break;
                }
        if (n_needed == 0 && runpath == UINT64_MAX && rpath == UINT64_MAX)
                return 0;
        if (!have_strtab || vaddr_to_offset(f, strtab, &stroff) < 0 || !in_file(f, stroff, strsz))
                return fail(f, "DT_STRTAB out of bounds");

        for (uint64_t i = 0; i < n && dyn[i].d_tag != DT_NULL; i++) {
                uint64_t v = dyn[i].d_un.d_val;
                const char *s;

                if (dyn[i].d_tag != DT_NEEDED)
                        continue;
                /* A name is a file's, or a path (ld.so opens it): each is
                 * copied, so a thousand names of one huge string are not. */
                s = v < strsz ? string_at(f, stroff + v, strsz - v < PATH_MAX ? strsz - v : PATH_MAX) : NULL;
                if (!s || !*s)
                        return fail(f, "DT_NEEDED name out of bounds, empty or longer than %d bytes",
                                    PATH_MAX - 1);
                r = strv_extend(&d->needed, s);
                if (r < 0)
                        return r;
        }
        /* ld.so ignores DT_RPATH when DT_RUNPATH is there. */
        if (runpath == UINT64_MAX)
                runpath = rpath;
        if (runpath != UINT64_MAX) {
                const char *s = runpath < strsz ? string_at(f, stroff + runpath, strsz - runpath) : NULL;
                if (!s)
                        return fail(f, "DT_RUNPATH out of bounds");
                d->runpath = strdup(s);
                if (!d->runpath)
                        return -ENOMEM;
        }
        return 0;
}

int elf_deps_parse(const void *data, size_t size, ElfDeps *ret, char *reterr, size_t reterr_size) {
        ElfFile f = { .data = data, .size = size, .err = reterr, .err_size = reterr_size };
        ElfDeps d = {};
        bool dynamic = false;
        int r;

        if (reterr_size > 0)
                reterr[0] = 0;
        r = check_header(&f);
        for (unsigned i = 0; r >= 0 && i < f.ehdr->e_phnum; i++) {
                const Elf64_Phdr *p = phdr(&f, i);

                if (p->p_type == PT_INTERP)
                        r = read_interp(&f, p, &d);
                else if (p->p_type == PT_DYNAMIC) {
                        r = dynamic ? fail(&f, "two PT_DYNAMIC headers") : read_dynamic(&f, p, &d);
                        dynamic = true;
                }
        }
        if (r < 0) {
                elf_deps_done(&d);
                return r;
        }
        *ret = d;
        return 0;
}

void elf_deps_done(ElfDeps *d) {
        free(d->interp);
        d->needed = strv_free(d->needed);
        free(d->runpath);
        *d = (ElfDeps){};
}

int elf_same_program(const void *a, size_t a_size, const void *b, size_t b_size, char *reterr,
                     size_t reterr_size) {
        ElfFile x = { .data = a, .size = a_size, .err = reterr, .err_size = reterr_size };
        ElfFile y = { .data = b, .size = b_size, .err = reterr, .err_size = reterr_size };
        Elf64_Ehdr hx, hy;
        int r;

        if (reterr_size > 0)
                reterr[0] = 0;
        r = check_header(&x);
        if (r < 0)
                return r;
        r = check_header(&y);
        if (r < 0)
                return r;
        /* The ELF header, which the first segment maps too, but for where the
         * section headers are: strip moves those. */
        hx = *x.ehdr;
        hy = *y.ehdr;
        hx.e_shoff = hy.e_shoff = 0;
        hx.e_shnum = hy.e_shnum = hx.e_shstrndx = hy.e_shstrndx = hx.e_shentsize = hy.e_shentsize = 0;
        if (memcmp(&hx, &hy, sizeof(hx)) != 0 ||
            memcmp(phdr(&x, 0), phdr(&y, 0), (size_t) hx.e_phnum * sizeof(Elf64_Phdr)) != 0) {
                fail(&x, "other ELF or program headers");
                return -EINVAL;
        }
        for (unsigned i = 0; i < hx.e_phnum; i++) {
                const Elf64_Phdr *p = phdr(&x, i);
                uint64_t start;

                if (p->p_type != PT_LOAD)
                        continue;
                if (!in_file(&x, p->p_offset, p->p_filesz) || !in_file(&y, p->p_offset, p->p_filesz))
                        return fail(&x, "PT_LOAD segment %u past the end of the file", i);
                start = p->p_offset < sizeof(Elf64_Ehdr) ? sizeof(Elf64_Ehdr) : p->p_offset;
                if (start < p->p_offset + p->p_filesz &&
                    memcmp(x.data + start, y.data + start, p->p_offset + p->p_filesz - start) != 0) {
                        fail(&x, "other bytes in PT_LOAD segment %u", i);
                        return -EINVAL;
                }
        }
        return 0;
}
