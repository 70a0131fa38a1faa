/* SPDX-License-Identifier: MIT */

/* Stage initramfs: dracut builds it from the base tree (--sysroot) with only
 * berth's own module (init/dracut/90berth): berth-init as /init, the root's
 * storage and filesystem drivers (boot-contract.h's list, handed to the
 * module in its environment), no shell, no systemd. Cached under
 * initramfs/KEY (KEY: the base tree, the module's files, the module list,
 * dracut's version, the SOURCE_DATE_EPOCH its files are dated with) once
 * initramfs-verify.c found in it all that was asked for: a cached one was
 * checked when it was made (the cache is root's alone), and KEY's version
 * keeps those made before the check from being used. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-contract.h"
#include "fileio.h"
#include "hash.h"
#include "initramfs-normalize.h"
#include "initramfs-verify.h"
#include "log.h"
#include "path-util.h"
#include "process-util.h"
#include "sandbox.h"
#include "stages.h"
#include "strv.h"

#define DRACUT_DIR "/usr/lib/dracut"

/* What this stage reads, gathered from the build's environment and the base tree. */
typedef struct InitramfsInputs {
        const Cache *cache;
        const char *dracut_module;
        const char *base_key;
        char *base_tree; /* not const: they go into dracut's argv */
        char *kver;
        int64_t source_date_epoch;
} InitramfsInputs;

/* Every file of the dracut module, by name and content, in name order. */
static int hash_dracut_module(const char *dir, Hasher *h) {
        struct dirent **names = NULL;
        int n = scandir(dir, &names, NULL, alphasort), r = 0;

        if (n < 0)
                return log_error_errno(errno, "Cannot read %s: %m", dir);
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL, *text = NULL;
                size_t size;

                if (r >= 0 && names[i]->d_name[0] != '.') {
                        path = path_join(dir, names[i]->d_name);
                        r = path ? read_full_file(path, 0, &text, &size) : -ENOMEM;
                        if (r < 0)
                                log_error_errno(r, "Cannot read %s: %m", path ?: dir);
                        else {
                                hasher_add_str(h, names[i]->d_name);
                                hasher_add(h, text, size);
                        }
                }
                free(names[i]);
        }
        free(names);
        return r < 0 ? r : 0;
}

/* What the initramfs's bytes depend on: the base tree (berth-init and the
 * kernel's modules are in it), berth's dracut module, dracut's version, and
 * the timestamp every file of the archive gets. */
static int initramfs_key(const InitramfsInputs *c, char out[static 65]) {
        _cleanup_(hasher_freep) Hasher *h = hasher_new();
        _cleanup_free_ char *dracut_version = NULL;
        char epoch[32];
        size_t n;
        int r;

        /* v5: every initramfs in the cache passed initramfs_verify(). */
        hasher_add_str(h, "initramfs-v5");
        hasher_add_str(h, c->base_key);
        r = hash_dracut_module(c->dracut_module, h);
        if (r < 0)
                return r;
        for (const char *const *m = berth_initramfs_modules; *m; m++)
                hasher_add_str(h, *m);
        for (const char *const *l = berth_init_dlopen_libs; *l; l++)
                hasher_add_str(h, *l);
        for (const char *const *l = berth_init_dlopen_deps; *l; l++)
                hasher_add_str(h, *l);
        if (read_full_file(DRACUT_DIR "/dracut-version.sh", 0, &dracut_version, &n) >= 0)
                hasher_add(h, dracut_version, n);
        snprintf(epoch, sizeof(epoch), "%lld", (long long) c->source_date_epoch);
        hasher_add_str(h, epoch);
        hasher_hex(h, out);
        return 0;
}

/* dracut looks for its modules under its base folder; this one holds
 * dracut's own scripts and, as its only module, berth's. */
static int make_dracut_base(const InitramfsInputs *c, const char *base) {
        _cleanup_free_ char *modules = path_join(base, "modules.d"), *link = NULL;
        DIR *d;
        struct dirent *de;

        if (!modules || mkdir_p(modules, 0755) < 0)
                return log_error_errno(errno ?: ENOMEM, "Cannot create %s: %m", base);
        d = opendir(DRACUT_DIR);
        if (!d)
                return log_error_errno(errno, "dracut is not installed (%s): %m (make deps)", DRACUT_DIR);
        while ((de = readdir(d))) {
                _cleanup_free_ char *src = NULL, *dst = NULL;
                if (de->d_name[0] == '.' || streq(de->d_name, "modules.d"))
                        continue;
                src = path_join(DRACUT_DIR, de->d_name);
                dst = path_join(base, de->d_name);
                if (!src || !dst || symlink(src, dst) < 0) {
                        closedir(d);
                        return log_error_errno(errno ?: ENOMEM, "Cannot link %s: %m", de->d_name);
                }
        }
        closedir(d);
        link = path_join(modules, "90berth");
        if (!link || symlink(c->dracut_module, link) < 0)
                return log_error_errno(errno ?: ENOMEM, "Cannot link berth's dracut module: %m");
        return 0;
}

/* dracut goes on, with exit status 0, when a module's file cannot be
 * installed (dracut-install: ERROR, then dracut: FAILED), and leaves an
 * initramfs that does not boot. At --stdlog 2 every line dracut itself logs
 * is an error. Passes dracut's messages (in fd) on to stderr; returns how
 * many say an error, or a negative errno. */
static int dracut_errors(int fd) {
        _cleanup_free_ char *text = NULL;
        struct stat st;
        ssize_t n;
        int errors = 0;

        if (fstat(fd, &st) < 0)
                return -errno;
        text = malloc((size_t) st.st_size + 1);
        if (!text)
                return -ENOMEM;
        n = pread(fd, text, (size_t) st.st_size, 0);
        if (n < 0)
                return -errno;
        text[n] = 0;
        for (char *line = text, *end; *line; line = end) {
                end = strchrnul(line, '\n');
                if (*end)
                        end++;
                fwrite(line, 1, (size_t) (end - line), stderr);
                if (strncmp(line, "dracut: ", 8) == 0 || memmem(line, (size_t) (end - line), "ERROR", 5))
                        errors++;
        }
        return errors;
}

static int run_dracut(const InitramfsInputs *c, const char *base, const char *out) {
        _cleanup_free_ char *kmoddir = NULL, *env_base = NULL, *confdir = NULL, *tmpdir = NULL;
        _cleanup_free_ char *epoch = NULL, *modules = NULL, *joined = NULL, *dlopen_libs = NULL,
                            *libs = NULL, *deps = NULL, *fwdir = NULL;
        /* DRACUT_TESTBIN: dracut checks its installer on /bin/sh, which a
         * shell-less image does not have. */
        char *env[] = {
                NULL, /* dracutbasedir= */
                (char *) BERTH_DRACUT_ENV_INIT "=" BERTH_INIT_PATH,
                NULL, /* SOURCE_DATE_EPOCH= */
                NULL, /* BERTH_DRACUT_ENV_MODULES= */
                (char *) "DRACUT_TESTBIN=" BERTH_INIT_PATH,
                NULL, /* BERTH_DRACUT_ENV_DLOPEN= */
                /* The sandbox cannot make device nodes; the archive has none. */
                (char *) "DRACUT_NO_MKNOD=1",
                NULL,
        };
        _cleanup_close_ int messages = memfd_create("dracut-messages", MFD_CLOEXEC);
        int r, errors;

        if (asprintf(&kmoddir, "%s/usr/lib/modules/%s", c->base_tree, c->kver) < 0 ||
            asprintf(&env_base, "dracutbasedir=%s", base) < 0 || !(confdir = path_join(base, "conf.d")) ||
            !(tmpdir = path_join(c->cache->tmp, "dracut-tmp")) ||
            asprintf(&epoch, "SOURCE_DATE_EPOCH=%lld", (long long) c->source_date_epoch) < 0 ||
            !(joined = strv_join((char *const *) berth_initramfs_modules, " ")) ||
            asprintf(&modules, BERTH_DRACUT_ENV_MODULES "=%s", joined) < 0 ||
            !(libs = strv_join((char *const *) berth_init_dlopen_libs, " ")) ||
            !(deps = strv_join((char *const *) berth_init_dlopen_deps, " ")) ||
            asprintf(&dlopen_libs, BERTH_DRACUT_ENV_DLOPEN "=%s %s", libs, deps) < 0 ||
            asprintf(&fwdir,
                     "%1$s/lib/firmware/updates/%2$s:%1$s/lib/firmware/updates:%1$s/lib/firmware/%2$s:%1$s/"
                     "lib/firmware",
                     c->base_tree, c->kver) < 0)
                return log_oom();
        if (mkdir_p(confdir, 0755) < 0 || mkdir_p(tmpdir, 0755) < 0)
                return log_error_errno(errno, "Cannot create dracut's folders: %m");
        if (messages < 0)
                return log_error_errno(errno, "Cannot create a file for dracut's messages: %m");
        env[0] = env_base;
        env[2] = epoch;
        env[3] = modules;
        env[5] = dlopen_libs;

        char *argv[] = {
                (char *) "dracut",
                (char *) "--stdlog", /* errors only: each one fails the build */
                (char *) "2",
                (char *) "--force",
                (char *) "--no-hostonly",
                (char *) "--no-hostonly-cmdline",
                (char *) "--no-early-microcode",
                (char *) "--nofscks",
                (char *) "--reproducible",
                (char *) "--conf",
                (char *) "/dev/null",
                (char *) "--confdir",
                confdir,
                (char *) "--tmpdir",
                tmpdir,
                (char *) "--sysroot",
                c->base_tree,
                (char *) "--kmoddir",
                kmoddir,
                /* dracut's default, but for the build host's firmware path
                 * (from /sys, which the sandbox does not have): the tree's alone. */
                (char *) "--fwdir",
                fwdir,
                (char *) "--modules",
                (char *) "berth",
                (char *) "--compress",
                (char *) "zstd",
                (char *) "--kver",
                c->kver,
                (char *) out,
                NULL,
        };
        RunOptions o = { .env_extra = env, .stdout_fd = STDERR_FILENO, .stderr_fd = messages };

        r = run_command(argv, &o);
        if (r < 0)
                return log_error_errno(r, "Cannot run dracut: %m (make deps installs it)");
        errors = dracut_errors(messages);
        if (errors < 0)
                return log_error_errno(errors, "Cannot read dracut's messages: %m");
        if (r != 0)
                return log_error_errno(EIO, "dracut failed (status %d); its messages are above.", r);
        if (errors > 0)
                return log_error_errno(EIO, "dracut reported %d error%s (above), though its status was 0.",
                                       errors, errors == 1 ? "" : "s");
        return 0;
}

/* The part of the stage that reads the tree and runs dracut on it (whose
 * helpers may run the tree's ELF interpreter): in the sandbox. */
typedef struct InitramfsJob {
        const InitramfsInputs *inputs;
        const char *base, *tmp, *normalized;
} InitramfsJob;

static int make_initramfs(void *userdata) {
        const InitramfsJob *job = userdata;
        int r = make_dracut_base(job->inputs, job->base);

        if (r < 0)
                return r;
        r = run_dracut(job->inputs, job->base, job->tmp);
        if (r < 0)
                return r;
        return initramfs_normalize(job->tmp, job->normalized, job->inputs->source_date_epoch);
}

int stage_initramfs(const BuildEnv *env, const BaseTree *tree, Initramfs *ret, bool *ret_cached) {
        _cleanup_free_ char *cached = NULL, *base = NULL, *tmp = NULL, *normalized = NULL;
        const InitramfsInputs in = {
                .cache = env->cache,
                .dracut_module = env->dracut_module,
                .base_key = tree->key,
                .base_tree = tree->path,
                .kver = tree->kver,
                .source_date_epoch = tree->source_date_epoch,
        }, *c = &in;
        char key[65];
        int r;

        r = initramfs_key(c, key);
        if (r < 0)
                return r;
        cached = cache_path(c->cache, "initramfs", key);
        if (!cached)
                return log_oom();

        if (access(cached, F_OK) == 0) {
                *ret_cached = true;
        } else {
                base = path_join(c->cache->tmp, "dracut");
                tmp = path_join(c->cache->tmp, "initramfs-dracut.img");
                normalized = path_join(c->cache->tmp, "initramfs.img");
                if (!base || !tmp || !normalized)
                        return log_oom();
                const InitramfsJob job = { .inputs = c, .base = base, .tmp = tmp, .normalized = normalized };
                char *work[] = { c->cache->tmp, NULL };
                char *inputs[] = { c->base_tree, (char *) c->dracut_module, NULL };
                const SandboxSpec spec = { .name = "initramfs", .read_write = work, .read_only = inputs };
                r = sandbox_run(&spec, make_initramfs, (void *) &job);
                if (r < 0)
                        return r;
                r = initramfs_verify_build(normalized, env->berth_init, c->kver);
                if (r < 0)
                        return r;
                if (rename(normalized, cached) < 0)
                        return log_error_errno(errno, "Cannot move the initramfs into the cache: %m");
        }
        cache_touch_and_evict(c->cache, "initramfs", key, 3);
        ret->path = TAKE_PTR(cached);
        return 0;
}
