/* SPDX-License-Identifier: MIT */
#include "initramfs-verify.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-contract.h"
#include "elf-deps.h"
#include "fileio.h"
#include "hash.h"
#include "initramfs-index.h"
#include "log.h"
#include "macro.h"
#include "strv.h"

#define MISSING "not in the archive (dracut could not install it?)"
/* ELF objects checked at most: berth-init has some twenty; a bound keeps a
 * made-up archive (every library needing a thousand others) from taking hours. */
#define MAX_OBJECTS 4096

/* Where Debian 12's x86-64 ld.so looks when neither DT_RUNPATH nor
 * /etc/ld.so.cache names the library ("ld.so --help": system search path). */
static const char *const system_lib_dirs[] = {
        "/lib/x86_64-linux-gnu",
        "/usr/lib/x86_64-linux-gnu",
        "/lib",
        "/usr/lib",
};

/* An ELF object still to read: its name as asked for, where it is, who asked. */
typedef struct Work {
        char *name;
        char *path;
        char *by;
} Work;

typedef struct Verifier {
        const Index *ix;
        InitramfsError *err;
        Work *work;
        size_t n_work;
        unsigned long lookups, max_lookups; /* library lookups made, and allowed */
        unsigned long max_steps;
        unsigned long steps_left; /* names a lookup may still walk (index_resolve_bounded) */
} Verifier;

static _printf_(3, 4) int fail(Verifier *v, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(v->err->msg, sizeof(v->err->msg), fmt, ap);
        va_end(ap);
        return r;
}

/* index_resolve within the verifier's steps: -E2BIG, with its sentence. */
static int resolve(Verifier *v, const char *path, const Node **ret) {
        int r = index_resolve_bounded(v->ix, path, ret, &v->steps_left);

        if (r == -E2BIG)
                return fail(v, r, "more than %lu names walked in lookups (a made-up archive?)",
                            v->max_steps);
        return r;
}

static const char *resolve_error(int r) {
        return r == -ELOOP     ? "a symbolic link loop"
               : r == -ENOTDIR ? "a part of it is not a folder"
                               : MISSING;
}

/* Queues an object unless it is queued already (by where it is). */
static int add_work(Verifier *v, const char *name, const char *path, const char *by) {
        Work *p;

        for (size_t i = 0; i < v->n_work; i++)
                if (streq(v->work[i].path, path))
                        return 0;
        if (v->n_work >= MAX_OBJECTS)
                return fail(v, -EFBIG, "more than %d libraries to check", MAX_OBJECTS);
        p = realloc(v->work, sizeof(Work) * (v->n_work + 1));
        if (!p)
                return -ENOMEM;
        v->work = p;
        p[v->n_work] = (Work){ .name = strdup(name), .path = strdup(path), .by = strdup(by) };
        v->n_work++;
        if (!p[v->n_work - 1].name || !p[v->n_work - 1].path || !p[v->n_work - 1].by)
                return -ENOMEM;
        return 0;
}

/* A folder of DT_RUNPATH: $ORIGIN is the folder of the object; an entry
 * with another $-token, or a relative one (the working folder), is skipped. */
static char *runpath_dir(const char *entry, size_t len, const char *origin) {
        char *s = NULL;

        /* Longer than a path can be (ld.so's open fails on it): each lookup
         * would copy it. */
        if (len >= PATH_MAX)
                return strdup("");
        if (len >= 7 && strncmp(entry, "$ORIGIN", 7) == 0 && (len == 7 || entry[7] == '/'))
                return asprintf(&s, "/%s%.*s", origin, (int) (len - 7), entry + 7) < 0 ? NULL : s;
        if (len >= 9 && strncmp(entry, "${ORIGIN}", 9) == 0 && (len == 9 || entry[9] == '/'))
                return asprintf(&s, "/%s%.*s", origin, (int) (len - 9), entry + 9) < 0 ? NULL : s;
        if (len == 0 || entry[0] != '/' || memchr(entry, '$', len))
                return strdup("");
        return strndup(entry, len);
}

/* Counts a lookup: -E2BIG past the bound. Objects times their DT_NEEDED
 * times their DT_RUNPATH's folders: a made-up archive of thousands of
 * libraries, each needing a thousand others through a long DT_RUNPATH,
 * would keep the build host busy for hours. */
static int count_lookup(Verifier *v) {
        if (++v->lookups > v->max_lookups)
                return fail(v, -E2BIG, "more than %lu library lookups (a made-up archive?)", v->max_lookups);
        return 0;
}

static int try_dir(Verifier *v, const char *dir, const char *soname, const Node **ret) {
        _cleanup_free_ char *p = NULL;
        const Node *n;
        int r;

        if (!*dir)
                return -ENOENT;
        r = count_lookup(v);
        if (r < 0)
                return r;
        if (asprintf(&p, "%s/%s", dir, soname) < 0)
                return -ENOMEM;
        r = resolve(v, p, &n);
        if (r == -E2BIG || r == -ENOMEM)
                return r;
        if (r < 0 || n->type != NODE_REG)
                return -ENOENT;
        *ret = n;
        return 0;
}

/* Finds a library as ld.so does for an object at `path` with `runpath`. */
static int find_library(Verifier *v, const char *soname, const char *runpath, const char *path,
                        const Node **ret) {
        _cleanup_free_ char *origin = strdup(path);
        char *slash;
        int r;

        if (!origin)
                return -ENOMEM;
        slash = strrchr(origin, '/');
        *(slash ? slash : origin) = 0;
        if (strchr(soname, '/')) {
                r = count_lookup(v);
                if (r < 0)
                        return r;
                r = resolve(v, soname, ret);
                if (r == -E2BIG)
                        return r;
                return r == -ENOMEM ? r : r < 0 || (*ret)->type != NODE_REG ? -ENOENT : 0;
        }
        for (const char *p = runpath; p && *p;) {
                size_t len = strcspn(p, ":");
                _cleanup_free_ char *dir = runpath_dir(p, len, origin);

                if (!dir)
                        return -ENOMEM;
                r = try_dir(v, dir, soname, ret);
                if (r != -ENOENT)
                        return r;
                p += len + (p[len] == ':');
        }
        for (size_t i = 0; i < ARRAY_SIZE(system_lib_dirs); i++) {
                r = try_dir(v, system_lib_dirs[i], soname, ret);
                if (r != -ENOENT)
                        return r;
        }
        return -ENOENT;
}

static int parse(Verifier *v, const Node *n, const char *what, ElfDeps *ret) {
        char why[160];
        int r;

        r = elf_deps_parse(n->data, n->data ? n->size : 0, ret, why, sizeof(why));
        if (r == -ENOEXEC)
                return fail(v, r, "%s: %s", what, why);
        return r;
}

/* Queues each library `d` needs; `name` is the object's, for the message. */
static int add_needed(Verifier *v, const ElfDeps *d, const char *name, const char *path) {
        STRV_FOREACH (lib, d->needed) {
                const Node *n;
                int r = find_library(v, *lib, d->runpath, path, &n);

                if (r == -ENOENT)
                        return fail(v, r, "%s needs %s, " MISSING, name, *lib);
                if (r < 0)
                        return r;
                r = add_work(v, *lib, n->path, name);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_init(Verifier *v, const InitramfsExpect *e) {
        _cleanup_(elf_deps_done) ElfDeps d = {};
        char have[65], want[65], why[160];
        const Node *n, *init;
        int r;

        r = resolve(v, "/init", &init);
        if (r == -ENOMEM || r == -E2BIG)
                return r;
        if (r < 0)
                return fail(v, r, "/init: %s", r == -ENOENT ? "not in the archive" : resolve_error(r));
        if (init->type != NODE_REG)
                return fail(v, -EINVAL, "/init is not a regular file");
        /* dracut strips debug information off: the same program, not the same bytes. */
        r = elf_same_program(init->data, init->data ? init->size : 0, e->berth_init, e->berth_init_size, why,
                             sizeof(why));
        if (r == -ENOEXEC || r == -EINVAL) {
                sha256_data(init->data, init->data ? init->size : 0, have);
                sha256_data(e->berth_init, e->berth_init_size, want);
                return fail(v, -EINVAL, "/init%s%s is not berth-init (%s): sha256 %s, berth-init's %s",
                            streq(init->path, "init") ? "" : " -> /",
                            streq(init->path, "init") ? "" : init->path, why, have, want);
        }
        if (r < 0)
                return r;
        r = parse(v, init, "/init", &d);
        if (r < 0)
                return r;
        if (d.interp) {
                r = resolve(v, d.interp, &n);
                if (r == -ENOMEM || r == -E2BIG)
                        return r;
                if (r < 0 || n->type != NODE_REG)
                        return fail(v, -ENOENT, "/init's ELF interpreter %s: %s", d.interp,
                                    r < 0 ? resolve_error(r) : "not a regular file");
                r = add_work(v, d.interp, n->path, "/init");
                if (r < 0)
                        return r;
        }
        r = add_needed(v, &d, "/init", init->path);
        if (r < 0)
                return r;
        /* dlopen() searches with the caller's DT_RUNPATH, then as for DT_NEEDED. */
        for (const char *const *lib = e->dlopen_libs; lib && *lib; lib++) {
                r = find_library(v, *lib, d.runpath, init->path, &n);
                if (r == -ENOENT)
                        return fail(v, r, "/init dlopen()s %s, " MISSING, *lib);
                if (r < 0)
                        return r;
                r = add_work(v, *lib, n->path, "/init");
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Every queued object, and what it needs in turn: the queue grows as it is read. */
static int check_libraries(Verifier *v) {
        for (size_t i = 0; i < v->n_work; i++) {
                _cleanup_(elf_deps_done) ElfDeps d = {};
                _cleanup_free_ char *what = NULL, *name = NULL, *path = NULL;
                const Node *n = index_lookup(v->ix, v->work[i].path);
                int r;

                if (!n)
                        return -ENOENT; /* cannot be: the path came from the index */
                name = strdup(v->work[i].name);
                path = strdup(v->work[i].path);
                if (!name || !path ||
                    asprintf(&what, "%s (/%s, needed by %s)", v->work[i].name, v->work[i].path,
                             v->work[i].by) < 0)
                        return -ENOMEM;
                r = parse(v, n, what, &d);
                if (r < 0)
                        return r;
                r = add_needed(v, &d, name, path); /* may move v->work */
                if (r < 0)
                        return r;
        }
        return 0;
}

/* "kernel/fs/ext4/ext4.ko.zst" or "virtio-blk" → "ext4", "virtio_blk", in place. */
static char *module_name(char *s) {
        char *base = strrchr(s, '/'), *dot;

        base = base ? base + 1 : s;
        dot = strstr(base, ".ko");
        if (dot && (dot[3] == 0 || dot[3] == '.'))
                *dot = 0;
        for (char *c = base; *c; c++)
                if (*c == '-')
                        *c = '_';
        return base;
}

static bool is_builtin(const Node *builtin, const char *module) {
        _cleanup_free_ char *text = NULL;

        if (!builtin || builtin->type != NODE_REG || !builtin->data)
                return false;
        text = strndup(builtin->data, builtin->size);
        if (!text)
                return false;
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save))
                if (streq(module_name(line), module))
                        return true;
        return false;
}

static bool has_module(const Index *ix, const char *dir, const char *module) {
        size_t len = strlen(dir);

        for (size_t i = 0; i < ix->n; i++) {
                _cleanup_free_ char *name = NULL;
                const char *p = ix->nodes[i].path;

                if (ix->nodes[i].type != NODE_REG || strncmp(p, dir, len) != 0 || p[len] != '/' ||
                    !strstr(p + len, ".ko"))
                        continue;
                name = strdup(p + len);
                if (name && streq(module_name(name), module))
                        return true;
        }
        return false;
}

/* The modules as libkmod in the initramfs finds them: under
 * /lib/modules/KVER, unless its modules.builtin names them. */
static int check_kernel_modules(Verifier *v, const InitramfsExpect *e) {
        _cleanup_free_ char *dir_path = NULL, *builtin_path = NULL;
        const Node *dir = NULL, *builtin = NULL;
        int r;

        if (!e->kernel_modules || !*e->kernel_modules)
                return 0;
        if (asprintf(&dir_path, "/lib/modules/%s", e->kver) < 0 ||
            asprintf(&builtin_path, "%s/modules.builtin", dir_path) < 0)
                return -ENOMEM;
        r = resolve(v, dir_path, &dir);
        if (r == -E2BIG)
                return r;
        if (r < 0 || dir->type != NODE_DIR)
                dir = NULL;
        else if ((r = resolve(v, builtin_path, &builtin)) == -E2BIG)
                return r;
        else if (r < 0)
                builtin = NULL;
        for (const char *const *m = e->kernel_modules; *m; m++) {
                _cleanup_free_ char *copy = strdup(*m);
                const char *name;

                if (!copy)
                        return -ENOMEM;
                name = module_name(copy);
                if (is_builtin(builtin, name) || (dir && has_module(v->ix, dir->path, name)))
                        continue;
                if (!dir)
                        return fail(v, -ENOENT, "kernel module %s: %s is " MISSING, *m, dir_path);
                return fail(v, -ENOENT,
                            "kernel module %s is not under %s nor built into the kernel (dracut could not "
                            "install it?)",
                            *m, dir_path);
        }
        return 0;
}

int initramfs_verify(const char *archive, const InitramfsExpect *expect, InitramfsError *reterr) {
        Index ix = {};
        Verifier v = { .ix = &ix,
                       .err = reterr,
                       .max_lookups = expect->max_lookups ?: INITRAMFS_MAX_LOOKUPS,
                       .max_steps = expect->max_steps ?: INITRAMFS_MAX_STEPS };

        v.steps_left = v.max_steps;
        int r;

        reterr->msg[0] = 0;
        r = index_read(archive, &ix, reterr->msg, sizeof(reterr->msg));
        if (r >= 0)
                r = check_init(&v, expect);
        if (r >= 0)
                r = check_libraries(&v);
        if (r >= 0)
                r = check_kernel_modules(&v, expect);
        if (r == -ENOMEM && !reterr->msg[0])
                snprintf(reterr->msg, sizeof(reterr->msg), "out of memory");
        for (size_t i = 0; i < v.n_work; i++) {
                free(v.work[i].name);
                free(v.work[i].path);
                free(v.work[i].by);
        }
        free(v.work);
        index_done(&ix);
        return r;
}

int initramfs_verify_build(const char *archive, const char *berth_init, const char *kver) {
        _cleanup_free_ char *init = NULL;
        InitramfsError err;
        size_t size;
        int r;

        r = read_full_file(berth_init, 0, &init, &size);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s: %m", berth_init);
        const InitramfsExpect expect = {
                .berth_init = init,
                .berth_init_size = size,
                .dlopen_libs = berth_init_dlopen_libs,
                .kver = kver,
                .kernel_modules = berth_initramfs_modules,
        };
        r = initramfs_verify(archive, &expect, &err);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "initramfs: %s", err.msg);
        return 0;
}
