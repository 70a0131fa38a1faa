/* SPDX-License-Identifier: MIT */

/* Stage sysfiles: the files that make the tree an image, written into the
 * delta: the initramfs beside its kernel, os-release, users and groups, an
 * empty machine-id, and the SBOM. A file an overlay already put there wins
 * (a recipe may ship its own /etc/passwd), and the log says so. The SBOM is
 * made here, once: the manifest stage writes the same document into OUTDIR. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "fileio.h"
#include "hash.h"
#include "json-util.h"
#include "log.h"
#include "os-release.h"
#include "manifest.h"
#include "path-util.h"
#include "sandbox.h"
#include "stages.h"
#include "tree-path.h"
#include "tree.h"

/* System users that the packages' maintainer scripts would have created
 * (with adduser --system); ids are fixed so every build gives the same files. */
static const struct {
        const char *name, *home;
        unsigned uid;
} system_users[] = {
        { "dhcpcd", "/usr/lib/dhcpcd", 100 },
};

/* Paths in the delta and the base tree are resolved inside them
 * (tree-path.h); in the delta, as for overlays, no symlink may stand on the
 * way to a generated file: it is written there or refused. */
static int delta_error(int r, const Delta *delta, const char *rel) {
        if (r == -ELOOP)
                return log_error_errno(ELOOP,
                                       "Cannot write /%s in %s: an overlay's symlink stands on the way, and "
                                       "generated files are not written through symlinks.",
                                       rel, delta->path);
        return log_error_errno(r, "Cannot write /%s in %s: %m", rel, delta->path);
}

static int write_delta(const Delta *delta, const char *rel, const char *text, size_t len, int mode) {
        _cleanup_close_ int root = tree_path_open_root(delta->path);
        struct stat st;
        int r;

        if (root < 0)
                return log_error_errno(root, "Cannot open %s: %m", delta->path);
        /* An overlay's file, or its symlink, has the name: it wins. */
        r = tree_path_lstat(root, rel, &st);
        if (r >= 0) {
                log_info("sysfiles: /%s comes from an overlay; not generated", rel);
                return 0;
        }
        r = tree_path_write_real(root, rel, text, len, (mode_t) mode);
        if (r < 0)
                return delta_error(r, delta, rel);
        return 0;
}

/* The file src at rel in the delta, whatever is there. */
static int install_delta(const Delta *delta, const char *src, const char *rel, int mode) {
        _cleanup_close_ int root = tree_path_open_root(delta->path);
        _cleanup_free_ char *data = NULL;
        size_t n;
        int r;

        if (root < 0)
                return log_error_errno(root, "Cannot open %s: %m", delta->path);
        r = read_full_file(src, 256u << 20, &data, &n);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s: %m", src);
        r = tree_path_write_real(root, rel, data, n, (mode_t) mode);
        if (r < 0)
                return delta_error(r, delta, rel);
        return 0;
}

/* base-passwd's master files hold the standard users with '*' passwords;
 * /etc/passwd gets 'x' and /etc/shadow the locked '*'. */
static int write_accounts(const BaseTree *base, const Delta *delta, const char *kind,
                          const char *shadow_kind, bool users) {
        _cleanup_free_ char *master = NULL, *text = NULL, *out = NULL, *sout = NULL;
        _cleanup_close_ int base_fd = tree_path_open_root(base->path);
        size_t olen = 0, slen = 0;
        FILE *of, *sf;
        char *save = NULL;
        int r;

        if (base_fd < 0)
                return log_error_errno(base_fd, "Cannot open %s: %m", base->path);
        if (asprintf(&master, "usr/share/base-passwd/%s.master", kind) < 0)
                return log_oom();
        /* In the base tree: a symlink to the build host's files reads the tree's. */
        r = tree_path_read(base_fd, master, 0, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "Cannot read /%s in %s (from base-passwd): %m", master,
                                       base->path);

        of = open_memstream(&out, &olen);
        sf = open_memstream(&sout, &slen);
        if (!of || !sf) {
                if (of)
                        fclose(of);
                return log_oom();
        }
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *colon = strchr(l, ':'), *rest = colon ? strchr(colon + 1, ':') : NULL;
                if (!rest)
                        continue;
                fprintf(of, "%.*s:x%s\n", (int) (colon - l), l, rest);
                if (users)
                        fprintf(sf, "%.*s:*::0:99999:7:::\n", (int) (colon - l), l);
                else
                        fprintf(sf, "%.*s:*::\n", (int) (colon - l), l);
        }
        for (size_t i = 0; users && i < ARRAY_SIZE(system_users); i++) {
                fprintf(of, "%s:x:%u:65534::%s:/usr/sbin/nologin\n", system_users[i].name,
                        system_users[i].uid, system_users[i].home);
                fprintf(sf, "%s:*::0:99999:7:::\n", system_users[i].name);
        }
        fclose(of);
        fclose(sf);

        _cleanup_free_ char *rel = NULL, *srel = NULL;
        if (asprintf(&rel, "usr/etc/%s", kind) < 0 || asprintf(&srel, "usr/etc/%s", shadow_kind) < 0)
                return log_oom();
        r = write_delta(delta, rel, out, olen, 0644);
        if (r >= 0)
                r = write_delta(delta, srel, sout, slen, 0640);
        return r;
}

static int write_os_release(const Recipe *recipe, const BaseTree *base, const Delta *delta) {
        _cleanup_free_ char *text = NULL;
        _cleanup_(hasher_freep) Hasher *h = hasher_new();
        _cleanup_close_ int root = -EBADF, dir = -EBADF;
        const char *name;
        char build_id[65];
        int n;

        /* BUILD_ID names the inputs, not the time: the same inputs, the same id. */
        hasher_add_str(h, base->key);
        hasher_add_str(h, recipe->name);
        hasher_add_str(h, recipe->version);
        hasher_hex(h, build_id);

        /* The recipe checked name and version (recipe.c); they are quoted
         * all the same, so no value can end its line or run a command in a
         * shell that sources the file. */
        _cleanup_free_ char *pretty_text = NULL, *pretty = NULL, *version = NULL;
        if (asprintf(&pretty_text, "berth %s %s", recipe->name, recipe->version) < 0)
                return log_oom();
        pretty = os_release_quote(pretty_text);
        version = os_release_quote(recipe->version);
        if (!pretty || !version)
                return log_error_errno(errno, "%s: version '%s' cannot go into os-release: %m", recipe->path,
                                       recipe->version);
        n = asprintf(&text,
                     "NAME=\"berth\"\n"
                     "ID=berth\n"
                     "ID_LIKE=debian\n"
                     "PRETTY_NAME=%s\n"
                     "VERSION=%s\n"
                     "VERSION_ID=%s\n"
                     "VARIANT_ID=%s\n"
                     "IMAGE_ID=%s\n"
                     "IMAGE_VERSION=%s\n"
                     "BUILD_ID=%.12s\n",
                     pretty, version, version, recipe->name, recipe->name, version, build_id);
        if (n < 0)
                return log_oom();
        if (write_delta(delta, "usr/lib/os-release", text, (size_t) n, 0644) < 0)
                return -EIO;

        root = tree_path_open_root(delta->path);
        if (root < 0)
                return log_error_errno(root, "Cannot open %s: %m", delta->path);
        dir = tree_path_open_parent_real(root, "usr/etc/os-release", 0755, &name);
        if (dir < 0)
                return delta_error(dir, delta, "usr/etc/os-release");
        /* An overlay's /etc/os-release wins here too, as write_delta() says. */
        struct stat st;
        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                log_info("sysfiles: /usr/etc/os-release comes from an overlay; not linked");
                return 0;
        }
        if (symlinkat("../usr/lib/os-release", dir, name) < 0)
                return log_error_errno(errno, "Cannot link /usr/etc/os-release in %s: %m", delta->path);
        return 0;
}

void sysfiles_done(SysFiles *s) {
        json_object_put(s->sbom);
        *s = (SysFiles){ 0 };
}

/* What the sandboxed writes need: the SBOM is made outside, from the
 * packages' records alone, and written inside. */
typedef struct SysFilesJob {
        const BuildEnv *env;
        const BaseTree *base;
        const Initramfs *initramfs;
        const Delta *delta;
        const char *sbom;
} SysFilesJob;

static int write_sysfiles(void *userdata) {
        const SysFilesJob *job = userdata;
        const BaseTree *base = job->base;
        const Initramfs *initramfs = job->initramfs;
        const Delta *delta = job->delta;
        const BuildEnv *env = job->env;
        _cleanup_free_ char *initrd = NULL;
        const char *text = job->sbom;
        int r;

        if (asprintf(&initrd, "usr/lib/modules/%s/initramfs.img", base->kver) < 0)
                return log_oom();
        r = install_delta(delta, initramfs->path, initrd, 0644);
        if (r < 0)
                return r;
        r = write_accounts(base, delta, "passwd", "shadow", true);
        if (r < 0)
                return r;
        r = write_accounts(base, delta, "group", "gshadow", false);
        if (r < 0)
                return r;
        r = write_os_release(env->recipe, base, delta);
        if (r < 0)
                return r;
        /* Empty: berth-init makes the machine's id at boot (systemd's first-boot rule). */
        r = write_delta(delta, "usr/etc/machine-id", "", 0, 0444);
        if (r < 0)
                return r;
        return write_delta(delta, "usr/share/berth/sbom.spdx.json", text, strlen(text), 0644);
}

/* The writes run in the sandbox, which sees the delta (writable), the base
 * tree (base-passwd's files) and the initramfs.
 * The delta's size is measured outside: tree_size() follows no symlink. */
int stage_sysfiles(const BuildEnv *env, const PackageSet *packages, const BaseTree *base,
                   const Initramfs *initramfs, const Delta *delta, SysFiles *ret) {
        char *work[] = { delta->path, NULL }, *inputs[] = { base->path, initramfs->path, NULL };
        const SandboxSpec spec = { .name = "sysfiles", .read_write = work, .read_only = inputs };
        int r;

        ret->sbom = sbom_new(env->recipe, packages, base);
        if (!ret->sbom)
                return log_oom();
        const SysFilesJob job = { .env = env,
                                  .base = base,
                                  .initramfs = initramfs,
                                  .delta = delta,
                                  .sbom = json_text(ret->sbom) };
        r = sandbox_run(&spec, write_sysfiles, (void *) &job);
        if (r < 0)
                return r;
        return tree_size(delta->path, &ret->delta_size);
}
