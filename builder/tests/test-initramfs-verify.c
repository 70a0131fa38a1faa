/* SPDX-License-Identifier: MIT */

/* initramfs-verify.c: archives laid out as dracut lays them out, made here
 * with libarchive from real programs and libraries of the build host
 * (blkid as /init, libkmod as what it dlopen()s): the complete one passes;
 * each thing dracut can leave out, and each malformed file, fails with a
 * message that names it. */

#include <archive.h>
#include <archive_entry.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/tests/tap.h"
#include "elf-deps.h"
#include "fileio.h"
#include "initramfs-normalize.h"
#include "initramfs-index.h"
#include "initramfs-verify.h"
#include "log.h"
#include "strv.h"

#define INIT_SOURCE "/sbin/blkid" /* util-linux: Essential */
#define LIBDIR "usr/lib/x86_64-linux-gnu"
#define KVER "6.1.0-test-amd64"

typedef struct Member {
        char *path;
        char type; /* 'd', 'f', 'l', 'h' (a hard link to target) */
        char *target;
        char *data;
        size_t size;
} Member;

typedef struct Layout {
        Member *m;
        size_t n;
} Layout;

static const char *const dlopen_libs[] = { "libkmod.so.2", NULL };
static const char *const modules[] = { "virtio_blk", "ext4", "virtio-net", NULL };
static char *init_bytes;
static size_t init_size;
static char dir[] = "/tmp/test-initramfs-verify-XXXXXX";

static void add(Layout *a, const char *path, char type, const char *target, const void *data, size_t size) {
        a->m = realloc(a->m, sizeof(Member) * (a->n + 1));
        if (!a->m)
                abort();
        a->m[a->n] =
                (Member){ .path = strdup(path), .type = type, .target = target ? strdup(target) : NULL };
        if (size > 0) {
                a->m[a->n].data = malloc(size);
                if (!a->m[a->n].data)
                        abort();
                memcpy(a->m[a->n].data, data, size);
                a->m[a->n].size = size;
        }
        a->n++;
}

static Member *find(Layout *a, const char *path) {
        for (size_t i = 0; i < a->n; i++)
                if (streq(a->m[i].path, path))
                        return &a->m[i];
        return NULL;
}

static void drop(Layout *a, const char *path) {
        Member *m = find(a, path);
        if (!m)
                abort();
        free(m->path);
        free(m->target);
        free(m->data);
        *m = a->m[--a->n];
}

static void layout_free(Layout *a) {
        while (a->n > 0)
                drop(a, a->m[0].path);
        free(a->m);
}

/* A library of the host, by soname, as dracut installs it: the file under
 * its real name and the soname as a link to it; then what it needs. */
static void add_library(Layout *a, const char *soname) {
        _cleanup_free_ char *host = NULL, *real = NULL, *data = NULL, *file = NULL, *link = NULL;
        char why[160];
        ElfDeps d = {};
        size_t size;

        /* /lib first: the host's /usr need not be merged. */
        if (asprintf(&host, "/lib/x86_64-linux-gnu/%s", soname) < 0)
                abort();
        real = realpath(host, NULL);
        if (!real) {
                free(host);
                if (asprintf(&host, "/" LIBDIR "/%s", soname) < 0)
                        abort();
                real = realpath(host, NULL);
        }
        if (!real || read_full_file(real, 0, &data, &size) < 0 ||
            asprintf(&file, LIBDIR "/%s", strrchr(real, '/') + 1) < 0 ||
            asprintf(&link, LIBDIR "/%s", soname) < 0) {
                fprintf(stderr, "# cannot read %s from the host\n", soname);
                abort();
        }
        if (find(a, file))
                return;
        add(a, file, 'f', NULL, data, size);
        if (!streq(file, link))
                add(a, link, 'l', strrchr(real, '/') + 1, NULL, 0);
        if (elf_deps_parse(data, size, &d, why, sizeof(why)) < 0)
                abort();
        STRV_FOREACH (l, d.needed)
                add_library(a, *l);
        elf_deps_done(&d);
}

static void complete(Layout *a) {
        static const char *const dirs[] = {
                "usr",
                "usr/bin",
                "usr/lib",
                LIBDIR,
                "usr/lib64",
                "usr/lib/modules",
                "usr/lib/modules/" KVER,
                "usr/lib/modules/" KVER "/kernel",
        };
        static const char builtin[] = "kernel/fs/ext4/ext4.ko\nkernel/fs/mbcache.ko\n";
        char why[160];
        ElfDeps d = {};

        *a = (Layout){};
        add(a, ".", 'd', NULL, NULL, 0);
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
                add(a, dirs[i], 'd', NULL, NULL, 0);
        add(a, "bin", 'l', "usr/bin", NULL, 0);
        add(a, "lib", 'l', "usr/lib", NULL, 0);
        add(a, "lib64", 'l', "usr/lib64", NULL, 0);
        add(a, "usr/lib64/ld-linux-x86-64.so.2", 'l', "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", NULL,
            0);
        add(a, "init", 'f', NULL, init_bytes, init_size);
        if (elf_deps_parse(init_bytes, init_size, &d, why, sizeof(why)) < 0)
                abort();
        STRV_FOREACH (l, d.needed)
                add_library(a, *l);
        elf_deps_done(&d);
        add_library(a, "ld-linux-x86-64.so.2");
        add_library(a, "libkmod.so.2");
        add(a, "usr/lib/modules/" KVER "/modules.builtin", 'f', NULL, builtin, strlen(builtin));
        add(a, "usr/lib/modules/" KVER "/kernel/virtio_blk.ko.xz", 'f', NULL, "x", 1);
        add(a, "usr/lib/modules/" KVER "/kernel/virtio_net.ko", 'f', NULL, "x", 1);
}

/* How many hard links name path: its set has one name more. */
static unsigned hardlinks_to(const Layout *a, const char *path) {
        unsigned n = 0;

        for (size_t i = 0; i < a->n; i++)
                if (a->m[i].type == 'h' && streq(a->m[i].target, path))
                        n++;
        return n;
}

static char *write_archive(const Layout *a) {
        static unsigned n;
        struct archive *w = archive_write_new();
        char *path;

        if (asprintf(&path, "%s/%u.cpio", dir, n++) < 0)
                abort();
        archive_write_set_format_cpio_newc(w);
        if (archive_write_open_filename(w, path) != ARCHIVE_OK)
                abort();
        for (size_t i = 0; i < a->n; i++) {
                struct archive_entry *e = archive_entry_new();
                const Member *m = &a->m[i];
                size_t size = m->size;

                archive_entry_set_pathname(e, m->path);
                archive_entry_set_filetype(e, m->type == 'd'   ? AE_IFDIR
                                              : m->type == 'l' ? AE_IFLNK
                                                               : AE_IFREG);
                archive_entry_set_perm(e, 0755);
                archive_entry_set_ino(e, (la_int64_t) i + 1);
                if (m->type == 'l')
                        archive_entry_set_symlink(e, m->target);
                if (m->type == 'h') {
                        /* newc: the set shares an inode number, its bytes go with the last member. */
                        for (size_t j = 0; j < a->n; j++)
                                if (streq(a->m[j].path, m->target))
                                        archive_entry_set_ino(e, (la_int64_t) j + 1);
                        archive_entry_set_nlink(e, 1 + hardlinks_to(a, m->target));
                        archive_entry_set_hardlink(e, m->target);
                }
                if (m->type == 'f' && hardlinks_to(a, m->path) > 0) {
                        archive_entry_set_nlink(e, 1 + hardlinks_to(a, m->path));
                        size = 0;
                }
                archive_entry_set_size(e, (la_int64_t) size);
                if (archive_write_header(w, e) != ARCHIVE_OK ||
                    (size > 0 && archive_write_data(w, m->data, size) != (la_ssize_t) size))
                        abort();
                archive_entry_free(e);
        }
        if (archive_write_close(w) != ARCHIVE_OK)
                abort();
        archive_write_free(w);
        return path;
}

static unsigned long max_lookups, max_steps; /* 0: the default */

static int verify(const Layout *a, InitramfsError *err) {
        _cleanup_free_ char *path = write_archive(a);
        const InitramfsExpect e = {
                .berth_init = init_bytes,
                .berth_init_size = init_size,
                .dlopen_libs = dlopen_libs,
                .kver = KVER,
                .kernel_modules = modules,
                .max_lookups = max_lookups,
                .max_steps = max_steps,
        };
        int r = initramfs_verify(path, &e, err);

        (void) unlink(path);
        return r;
}

/* Builds the complete archive, lets `change` spoil it, and checks the result. */
static void check(const char *name, void (*change)(Layout *a), int want, const char *want_msg) {
        Layout a;
        InitramfsError err;
        int r;

        complete(&a);
        if (change)
                change(&a);
        r = verify(&a, &err);
        ok(r == want && strstr(err.msg, want_msg), "%s: %d, \"%s\"", name, r, err.msg);
        layout_free(&a);
}

static void no_libblkid(Layout *a) {
        drop(a, LIBDIR "/libblkid.so.1");
}
static void no_interpreter(Layout *a) {
        drop(a, LIBDIR "/ld-linux-x86-64.so.2");
}
static void no_lib64_link(Layout *a) {
        drop(a, "lib64");
}
static void no_libkmod(Layout *a) {
        drop(a, LIBDIR "/libkmod.so.2");
}
static void no_liblzma(Layout *a) {
        drop(a, LIBDIR "/liblzma.so.5");
}
static void no_init(Layout *a) {
        drop(a, "init");
}
static void init_elsewhere(Layout *a) {
        Member *m = find(a, "init");
        free(m->path);
        m->path = strdup("usr/lib/berth-init");
        add(a, "init", 'l', "usr/lib/berth-init", NULL, 0);
}
static void init_other_headers(Layout *a) {
        find(a, "init")->data[100] ^= 1;
}
/* The last byte of the first loaded segment: code or data the kernel maps. */
static void init_other_code(Layout *a) {
        Member *m = find(a, "init");
        const Elf64_Ehdr *h = (const Elf64_Ehdr *) m->data;
        const Elf64_Phdr *p = (const Elf64_Phdr *) (m->data + h->e_phoff);

        while (p->p_type != PT_LOAD || p->p_filesz == 0)
                p++;
        m->data[p->p_offset + p->p_filesz - 1] ^= 1;
}
/* What strip -g takes away is in no segment: bytes past every one stand for it. */
static void init_stripped_differently(Layout *a) {
        Member *m = find(a, "init");
        m->data = realloc(m->data, m->size + 64);
        if (!m->data)
                abort();
        memset(m->data + m->size, 'x', 64);
        m->size += 64;
}
static void init_loop(Layout *a) {
        drop(a, "init");
        add(a, "init", 'l', "usr/bin/init", NULL, 0);
        add(a, "usr/bin/init", 'l', "../../init", NULL, 0);
}
static void init_is_a_folder(Layout *a) {
        drop(a, "init");
        add(a, "init", 'd', NULL, NULL, 0);
}
static void lib_escapes(Layout *a) {
        /* ".." stops at the archive's root: not a way to the build host's files. */
        drop(a, LIBDIR "/libblkid.so.1");
        add(a, LIBDIR "/libblkid.so.1", 'l', "../../../../../../" LIBDIR "/libblkid.so.1.1.0", NULL, 0);
}
static void lib_truncated(Layout *a) {
        find(a, LIBDIR "/libblkid.so.1.1.0")->size = 40;
}
static void lib_not_elf(Layout *a) {
        Member *m = find(a, LIBDIR "/libblkid.so.1.1.0");
        memcpy(m->data, "#!/bin/sh\n", 10);
}
/* As GNU cpio writes a set: the first member empty, the bytes with the last. */
static void lib_hard_link(Layout *a) {
        Member *m = find(a, LIBDIR "/libblkid.so.1.1.0");
        add(a, "usr/lib/blkid-copy", 'h', LIBDIR "/libblkid.so.1.1.0", m->data, m->size);
}
/* Hard links are resolved by name, member after member: a made-up archive of
 * a million of them would keep the build host busy for hours. A normalized
 * archive has none. */
static void many_hard_links(Layout *a) {
        /* add() moves the members: the bytes are held apart. */
        const Member *m = find(a, LIBDIR "/libblkid.so.1.1.0");
        const char *data = m->data;
        size_t size = m->size;

        for (unsigned i = 0; i < INDEX_MAX_HARDLINKS + 1; i++) {
                char name[64];
                snprintf(name, sizeof(name), "usr/lib/blkid-copy-%u", i);
                /* The set's bytes go with its last member. */
                add(a, name, 'h', LIBDIR "/libblkid.so.1.1.0", data, i == INDEX_MAX_HARDLINKS ? size : 0);
        }
}
/* A link PATH_MAX long, walked 40 times in each of thousands of lookups. */
static void long_link(Layout *a) {
        char target[PATH_MAX + 2];

        for (size_t i = 0; i < PATH_MAX; i += 2)
                memcpy(target + i, "./", 2);
        target[PATH_MAX] = 0;
        add(a, "usr/lib/long", 'l', target, NULL, 0);
}
static void no_virtio_blk(Layout *a) {
        drop(a, "usr/lib/modules/" KVER "/kernel/virtio_blk.ko.xz");
}
static void ext4_not_builtin(Layout *a) {
        drop(a, "usr/lib/modules/" KVER "/modules.builtin");
}

/* The ELF parser over every prefix of a real program, and over it with each
 * header field made huge: errors, never a read past the bytes (ASan, valgrind). */
static void test_elf_bounds(void) {
        bool all = true;
        char why[160];

        for (size_t n = 0; n <= 4096 && n <= init_size; n++) {
                char *copy = malloc(n ?: 1);
                ElfDeps d = {};
                int r;

                memcpy(copy, init_bytes, n);
                r = elf_deps_parse(copy, n, &d, why, sizeof(why));
                all = all && (r == -ENOEXEC || (r == 0 && n >= sizeof(Elf64_Ehdr)));
                elf_deps_done(&d);
                free(copy);
        }
        ok(all, "every prefix of a program up to 4 KiB parses or fails with ENOEXEC");

        all = true;
        for (size_t off = 0; off + 8 <= sizeof(Elf64_Ehdr) + 8 * sizeof(Elf64_Phdr); off++) {
                char *copy = malloc(init_size);
                ElfDeps d = {};
                int r;

                memcpy(copy, init_bytes, init_size);
                memset(copy + off, 0xff, 8);
                r = elf_deps_parse(copy, init_size, &d, why, sizeof(why));
                all = all && (r == 0 || r == -ENOEXEC);
                elf_deps_done(&d);
                free(copy);
        }
        ok(all, "program headers with fields set to all ones parse or fail with ENOEXEC");
}

static void test_elf_messages(void) {
        char *copy = malloc(init_size), why[160];
        Elf64_Ehdr *h = (Elf64_Ehdr *) copy;
        ElfDeps d = {};

        memcpy(copy, init_bytes, init_size);
        h->e_ident[EI_CLASS] = ELFCLASS32;
        ok(elf_deps_parse(copy, init_size, &d, why, sizeof(why)) == -ENOEXEC && strstr(why, "not a 64-bit"),
           "a 32-bit ELF file is refused: %s", why);
        h->e_ident[EI_CLASS] = ELFCLASS64;
        h->e_phnum = 0xffff;
        ok(elf_deps_parse(copy, init_size, &d, why, sizeof(why)) == -ENOEXEC && strstr(why, "past the end"),
           "program headers past the end are refused: %s", why);
        free(copy);
}

/* Every DT_NEEDED of the program names one string of 1 MiB, appended past
 * its end (DT_STRSZ made to reach it): each name would be a 1 MiB copy, and
 * a thousand of them, each naming 1 GiB, more than the build host's memory. */
static void test_elf_long_needed(void) {
        const size_t len = 1u << 20;
        const Elf64_Ehdr *h = (const Elf64_Ehdr *) init_bytes;
        char *copy = calloc(1, init_size + len + 1), why[160];
        Elf64_Dyn *dyn = NULL;
        size_t n = 0;
        uint64_t strtab = 0, stroff = 0;
        ElfDeps d = {};
        int r;

        if (!copy)
                abort();
        memcpy(copy, init_bytes, init_size);
        memset(copy + init_size, 'a', len);
        for (unsigned i = 0; i < h->e_phnum; i++) {
                const Elf64_Phdr *p = (const Elf64_Phdr *) (init_bytes + h->e_phoff) + i;
                if (p->p_type == PT_DYNAMIC) {
                        dyn = (Elf64_Dyn *) (copy + p->p_offset);
                        n = p->p_filesz / sizeof(Elf64_Dyn);
                }
        }
        for (size_t i = 0; i < n; i++)
                if (dyn[i].d_tag == DT_STRTAB)
                        strtab = dyn[i].d_un.d_ptr;
        /* The string table's file offset, through the segment that maps it. */
        for (unsigned i = 0; i < h->e_phnum; i++) {
                const Elf64_Phdr *p = (const Elf64_Phdr *) (init_bytes + h->e_phoff) + i;
                if (p->p_type == PT_LOAD && strtab >= p->p_vaddr && strtab - p->p_vaddr < p->p_filesz)
                        stroff = p->p_offset + (strtab - p->p_vaddr);
        }
        if (!dyn || !stroff) {
                free(copy);
                return (void) ok(false, "the test program has a string table");
        }
        for (size_t i = 0; i < n; i++) {
                if (dyn[i].d_tag == DT_STRSZ)
                        dyn[i].d_un.d_val = init_size + len + 1 - stroff;
                if (dyn[i].d_tag == DT_NEEDED)
                        dyn[i].d_un.d_val = init_size - stroff;
        }
        r = elf_deps_parse(copy, init_size + len + 1, &d, why, sizeof(why));
        ok(r == -ENOEXEC && strstr(why, "DT_NEEDED name"),
           "a DT_NEEDED name longer than a path is refused: %d, %s", r, why);
        elf_deps_done(&d);
        free(copy);
}

/* The test program itself (built with -g) against what dracut's strip -g -p leaves of it. */
static void test_real_strip(void) {
        _cleanup_free_ char *exe = realpath("/proc/self/exe", NULL), *self = NULL, *stripped = NULL,
                            *path = NULL, *cmd = NULL;
        size_t self_size, stripped_size;
        char why[160];

        /* Not /proc/self/exe in the command: that would be strip itself. */
        if (!exe || asprintf(&path, "%s/stripped", dir) < 0 ||
            asprintf(&cmd, "strip -g -p -o '%s' '%s'", path, exe) < 0)
                abort();
        if (system(cmd) != 0 || read_full_file(exe, 256u << 20, &self, &self_size) < 0 ||
            read_full_file(path, 256u << 20, &stripped, &stripped_size) < 0)
                return (void) ok(false, "strip -g of the test program");
        ok(stripped_size < self_size &&
                   elf_same_program(stripped, stripped_size, self, self_size, why, sizeof(why)) == 0,
           "a program is the same program after strip -g (%zu bytes, %zu before) %s", stripped_size,
           self_size, why);
        (void) unlink(path);
}

static void test_normalized(void) {
        _cleanup_free_ char *raw = NULL, *zst = NULL;
        Layout a;
        InitramfsError err;
        const InitramfsExpect e = {
                .berth_init = init_bytes,
                .berth_init_size = init_size,
                .dlopen_libs = dlopen_libs,
                .kver = KVER,
                .kernel_modules = modules,
        };

        complete(&a);
        raw = write_archive(&a);
        if (asprintf(&zst, "%s/normalized.img", dir) < 0)
                abort();
        ok(initramfs_normalize(raw, zst, 0) == 0 && initramfs_verify(zst, &e, &err) == 0,
           "the complete archive passes after initramfs_normalize (zstd) too: \"%s\"", err.msg);
        (void) unlink(raw);
        (void) unlink(zst);
        layout_free(&a);
}

int main(void) {
        size_t size;

        if (!mkdtemp(dir) || read_full_file(INIT_SOURCE, 0, &init_bytes, &size) < 0)
                abort();
        init_size = size;
        log_set_max_level(LOG_LEVEL_ERR);

        check("a complete archive passes", NULL, 0, "");
        check("/init as a link to berth-init elsewhere passes", init_elsewhere, 0, "");
        check("a library /init needs is missing", no_libblkid, -ENOENT,
              "/init needs libblkid.so.1, not in the archive (dracut could not install it?)");
        check("the interpreter is missing", no_interpreter, -ENOENT,
              "/init's ELF interpreter /lib64/ld-linux-x86-64.so.2: not in the archive");
        check("the interpreter's /lib64 link is missing", no_lib64_link, -ENOENT,
              "/init's ELF interpreter /lib64/ld-linux-x86-64.so.2: not in the archive");
        check("a dlopen()ed library is missing", no_libkmod, -ENOENT,
              "/init dlopen()s libkmod.so.2, not in the archive");
        check("a library of a dlopen()ed library is missing", no_liblzma, -ENOENT,
              "libkmod.so.2 needs liblzma.so.5, not in the archive");
        check("/init is missing", no_init, -ENOENT, "/init: not in the archive");
        check("/init with other program headers is not berth-init", init_other_headers, -EINVAL,
              "/init is not berth-init (other ELF or program headers): sha256 ");
        check("/init with other code is not berth-init", init_other_code, -EINVAL,
              "/init is not berth-init (other bytes in PT_LOAD segment ");
        check("/init that differs outside its segments (strip -g) is berth-init", init_stripped_differently,
              0, "");
        check("/init in a symbolic link loop", init_loop, -ELOOP, "/init: a symbolic link loop");
        check("/init is a folder", init_is_a_folder, -EINVAL, "/init is not a regular file");
        check("a link climbing out of the archive stays inside it", lib_escapes, 0, "");
        check("a library reached through a hard link", lib_hard_link, 0, "");
        check("more hard links than a normalized archive has", many_hard_links, -EFBIG,
              "more than 1024 hard links");
        /* Each library's DT_NEEDED times its DT_RUNPATH's folders: a made-up
         * archive of thousands of libraries, each needing a thousand others
         * through a long DT_RUNPATH, would take hours; the lookups are counted. */
        max_lookups = 10;
        check("more library lookups than allowed", NULL, -E2BIG, "more than 10 library lookups");
        max_lookups = 0;
        max_steps = 10;
        check("more names walked in lookups than allowed", NULL, -E2BIG,
              "more than 10 names walked in lookups");
        max_steps = 0;
        check("a link target as long as PATH_MAX", long_link, -EIO,
              "usr/lib/long: a link target longer than");
        check("a truncated library", lib_truncated, -ENOEXEC,
              "libblkid.so.1 (/" LIBDIR "/libblkid.so.1.1.0, needed by /init): truncated ELF header");
        check("a library that is not ELF", lib_not_elf, -ENOEXEC,
              "libblkid.so.1 (/" LIBDIR "/libblkid.so.1.1.0, needed by /init): not an ELF file");
        check("a kernel module is missing", no_virtio_blk, -ENOENT,
              "kernel module virtio_blk is not under /lib/modules/" KVER " nor built into the kernel");
        check("a module that modules.builtin no longer names", ext4_not_builtin, -ENOENT,
              "kernel module ext4 ");
        test_elf_bounds();
        test_elf_messages();
        test_elf_long_needed();
        test_real_strip();
        test_normalized();

        (void) rmdir(dir);
        free(init_bytes);
        return tap_done();
}
