/* SPDX-License-Identifier: MIT */

/* Stage resolve: apt chooses the packages (its resolver, its signature
 * checks) and fetches them into the cache. The result, every package with
 * its version and the sha256 that apt's signed index names for its .deb, is
 * recorded under resolve/KEY, KEY being the hash of everything that can
 * change apt's choice; a build whose record exists runs no apt at all and
 * needs no network. This stage alone writes that record; what is learnt
 * later from inside each .deb (source package, licence) is the unpack
 * stage's and lives in its own entry. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apt.h"
#include "fileio.h"
#include "hash.h"
#include "log.h"
#include "path-util.h"
#include "stages.h"
#include "strv.h"

/* What berth-init, berth-fetch and berth-ctr link against (init/build.mk,
 * init/ctr/build.mk) and the source of the image's users and groups
 * (base-passwd's master files). libcurl4 is the OpenSSL flavour: libkmod2
 * brings libssl3 already; libcurl4 brings libnghttp2-14, and zlib1g and
 * libnettle8 (GnuTLS's), which berth-ctr's archive import uses too. */
static const char *const implicit_packages[] = {
        "libc6",         "libkmod2",       "libblkid1", "libsystemd0", "libjson-c5",  "libcurl4",
        "libnghttp2-14", "libprotobuf-c1", "zlib1g",    "libnettle8",  "base-passwd",
};

static int wanted_packages(const Recipe *r, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        if (strv_extend(&l, r->kernel_package) < 0)
                return -ENOMEM;
        STRV_FOREACH (p, r->packages)
                if (!strv_contains(l, *p) && strv_extend(&l, *p) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < ARRAY_SIZE(implicit_packages); i++)
                if (!strv_contains(l, implicit_packages[i]) && strv_extend(&l, implicit_packages[i]) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

static void resolve_key(const Apt *apt, char *const *wanted, char out[static 65]) {
        _cleanup_(hasher_freep) Hasher *h = hasher_new();

        /* v3: the record's sha256 is the index's (v2 held the file's own). */
        hasher_add_str(h, "resolve-v3 amd64");
        hasher_add_str(h, apt->sources_hash);
        hasher_add_str(h, apt_provided_status);
        STRV_FOREACH (p, (char **) wanted)
                hasher_add_str(h, *p);
        hasher_hex(h, out);
}

void package_set_done(PackageSet *s) {
        for (size_t i = 0; i < s->n_packages; i++) {
                Package *p = &s->packages[i];
                free(p->name);
                free(p->version);
                free(p->architecture);
                free(p->deb);
        }
        free(s->packages);
        *s = (PackageSet){ 0 };
}

static int add_package(PackageSet *s, const char *name, const char *version, const char *arch) {
        Package *p = realloc(s->packages, sizeof(Package) * (s->n_packages + 1));

        if (!p)
                return -ENOMEM;
        s->packages = p;
        p = &s->packages[s->n_packages];
        *p = (Package){ .name = strdup(name), .version = strdup(version), .architecture = strdup(arch) };
        s->n_packages++;
        return p->name && p->version && p->architecture ? 0 : -ENOMEM;
}

/* The record: one line per package, "name version arch sha256 size". Records
 * of earlier builders carry more fields (the source package and licence,
 * which the unpack stage now keeps): they are read and the rest ignored. */
static int load_record(PackageSet *s, const Apt *apt, const char *path) {
        _cleanup_free_ char *text = NULL;
        char *line, *save = NULL;
        int r;

        r = read_full_file(path, 0, &text, NULL);
        if (r < 0)
                return r;
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char name[256], version[256], arch[64], sha[65];
                unsigned long long size;
                struct stat st;
                Package *p;

                if (sscanf(line, "%255s %255s %63s %64s %llu", name, version, arch, sha, &size) != 5 ||
                    strlen(sha) != 64)
                        return -EBADMSG;
                r = add_package(s, name, version, arch);
                if (r < 0)
                        return r;
                p = &s->packages[s->n_packages - 1];
                memcpy(p->sha256, sha, 65);
                p->size = size;
                _cleanup_free_ char *fn = apt_deb_filename(name, version, arch);
                if (!fn || !(p->deb = path_join(apt->archives, fn)))
                        return -ENOMEM;
                /* A .deb that went missing or changed size means the record is stale. */
                if (stat(p->deb, &st) < 0 || (unsigned long long) st.st_size != size)
                        return -ESTALE;
        }
        return s->n_packages > 0 ? 0 : -EBADMSG;
}

static int save_record(const PackageSet *s, const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *f;

        f = open_memstream(&text, &len);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_packages; i++) {
                const Package *p = &s->packages[i];
                fprintf(f, "%s %s %s %s %llu\n", p->name, p->version, p->architecture, p->sha256,
                        (unsigned long long) p->size);
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        return write_file_atomic(path, text, len, 0644);
}

/* "E: Unable to locate package foo" names the package; point at the recipe line. */
/* Where the recipe names a package ("name" or "name=version"); NULL when
 * the recipe does not list it (the kernel's package, or one berth adds). */
static const TomlPos *package_position(const Recipe *r, const char *name) {
        size_t n = strlen(name);

        for (size_t i = 0; r->packages[i]; i++)
                if (strncmp(r->packages[i], name, n) == 0 &&
                    (r->packages[i][n] == 0 || r->packages[i][n] == '='))
                        return &r->package_pos[i];
        return NULL;
}

static int report_missing(const Recipe *r, const char *name, const char *what) {
        const TomlPos *pos = package_position(r, name);

        if (pos)
                log_error("%s:%u:%u: %s", r->path, pos->line, pos->column, what);
        else
                log_error("%s: %s: %s", r->path,
                          r->kernel_package && streq(name, r->kernel_package)
                                  ? "kernel.package"
                                  : "a package berth adds itself",
                          what);
        return -ENOPKG;
}

/* apt's three ways of saying a package cannot be had, turned into the
 * recipe's line; anything else is apt's own message, shown whole. */
static int report_apt_failure(const Recipe *r, const char *output) {
        char name[256] = "", version[256] = "", what[600];
        const char *m;

        if ((m = strstr(output, "Unable to locate package ")) &&
            sscanf(m + strlen("Unable to locate package "), "%255s", name) == 1) {
                snprintf(what, sizeof(what), "package '%s' not found in the apt sources.", name);
                return report_missing(r, name, what);
        }
        if ((m = strstr(output, "Version '")) &&
            sscanf(m, "Version '%255[^']' for '%255[^']' was not found", version, name) == 2) {
                snprintf(what, sizeof(what), "version %s of package '%s' not found in the apt sources.",
                         version, name);
                return report_missing(r, name, what);
        }
        if ((m = strstr(output, "Package '")) &&
            sscanf(m, "Package '%255[^']' has no installation candidate", name) == 1 &&
            strstr(m, "has no installation candidate")) {
                snprintf(what, sizeof(what),
                         "package '%s' has no version to install (it is only referred to by others, or "
                         "obsolete).",
                         name);
                return report_missing(r, name, what);
        }
        fputs(output, stderr);
        return log_error_errno(ENOPKG, "%s: apt could not resolve the package set (its messages are above).",
                               r->path),
               -ENOPKG;
}

/* Packages of a local source (file:) are used in place by apt-get install
 * --download-only: none lands in the archive folder. apt-get download
 * copies them there, checked against the index like any download. */
static int fetch_local(const PackageSet *s, const Apt *apt) {
        _cleanup_strv_free_ char **args = NULL;

        if (strv_extend(&args, "download") < 0 || strv_extend(&args, "-qq") < 0)
                return log_oom();
        for (size_t i = 0; i < s->n_packages; i++) {
                const Package *p = &s->packages[i];
                _cleanup_free_ char *fn = apt_deb_filename(p->name, p->version, p->architecture);
                _cleanup_free_ char *path = fn ? path_join(apt->archives, fn) : NULL, *spec = NULL;

                if (!path)
                        return log_oom();
                if (access(path, F_OK) == 0)
                        continue;
                if (asprintf(&spec, "%s:%s=%s", p->name, p->architecture, p->version) < 0 ||
                    strv_push(&args, TAKE_PTR(spec)) < 0)
                        return log_oom();
        }
        if (strv_length(args) == 2)
                return 0;
        int r = apt_get_in(apt, apt->archives, args, NULL);
        if (r != 0)
                return log_error_errno(r < 0 ? r : EIO,
                                       "apt-get could not copy the packages of a local source (status %d).",
                                       r),
                       -ENOPKG;
        return 0;
}

/* The archive folder is shared by every set of sources, and a file there is
 * found by its name alone: another source's package of the same name,
 * version and architecture, or a damaged or altered file, has that name too.
 * So the name is never trusted: every .deb is checked against the sha256 of
 * apt's signed index each time it is used (after a download and whenever a
 * record is reused). That closes what one archive folder per set of sources
 * would, and also what such folders would not (a file changed in place). */
static int verify_deb(const Package *p) {
        char actual[65];
        int r;

        r = sha256_file(p->deb, actual);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s (package %s): %m", p->deb, p->name), -ENOPKG;
        if (!streq(actual, p->sha256))
                return log_error_errno(EBADMSG,
                                       "Package %s %s: %s has SHA256 %s, but apt's index names %s; refusing "
                                       "it (remove the file, or build with --refresh, to fetch it again).",
                                       p->name, p->version, p->deb, actual, p->sha256),
                       -ENOPKG;
        return 0;
}

/* apt-get download --print-uris prints, for each package, the line
 * "'URI' FILENAME SIZE SHA256:HEX" from the index apt will fetch it from
 * (the same record apt-get install --download-only uses). */
int resolve_parse_index_hashes(PackageSet *s, const char *output) {
        for (size_t i = 0; i < s->n_packages; i++)
                s->packages[i].sha256[0] = 0;
        for (const char *l = output; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                char file[512], sha[65];
                unsigned long long size;
                const char *q;

                if (l[0] != '\'' || !(q = strchr(l + 1, '\'')))
                        continue;
                if (sscanf(q + 1, " %511s %llu SHA256:%64[0-9a-f]", file, &size, sha) != 3 ||
                    strlen(sha) != 64)
                        continue;
                for (size_t i = 0; i < s->n_packages; i++) {
                        Package *p = &s->packages[i];
                        _cleanup_free_ char *fn = apt_deb_filename(p->name, p->version, p->architecture);
                        if (!fn)
                                return log_oom();
                        if (streq(fn, file)) {
                                memcpy(p->sha256, sha, 65);
                                p->size = size;
                        }
                }
        }
        for (size_t i = 0; i < s->n_packages; i++)
                if (!s->packages[i].sha256[0])
                        return log_error_errno(EBADMSG, "apt's index names no SHA256 for package %s %s.",
                                               s->packages[i].name, s->packages[i].version),
                               -ENOPKG;
        return 0;
}

static int index_hashes(PackageSet *s, const Apt *apt) {
        _cleanup_strv_free_ char **args = NULL;
        _cleanup_free_ char *output = NULL;
        int r;

        if (strv_extend(&args, "download") < 0 || strv_extend(&args, "--print-uris") < 0 ||
            strv_extend(&args, "-qq") < 0)
                return log_oom();
        for (size_t i = 0; i < s->n_packages; i++) {
                const Package *p = &s->packages[i];
                char *spec;
                if (asprintf(&spec, "%s:%s=%s", p->name, p->architecture, p->version) < 0 ||
                    strv_push(&args, spec) < 0)
                        return log_oom();
        }
        r = apt_get(apt, args, &output);
        if (r < 0)
                return log_error_errno(r, "Cannot run apt-get: %m");
        if (r != 0) {
                fputs(strempty(output), stderr);
                return log_error_errno(EIO, "apt-get could not name the packages' hashes (status %d).", r),
                       -ENOPKG;
        }
        return resolve_parse_index_hashes(s, output);
}

/* A file in the archive whose bytes are not the index's (another source's
 * package of the same name, or a damaged one) goes, so apt fetches the
 * right one: apt itself reuses a file there whose size matches. */
static int drop_foreign_debs(PackageSet *s, const Apt *apt) {
        for (size_t i = 0; i < s->n_packages; i++) {
                Package *p = &s->packages[i];
                _cleanup_free_ char *fn = apt_deb_filename(p->name, p->version, p->architecture);
                _cleanup_free_ char *path = fn ? path_join(apt->archives, fn) : NULL;
                char actual[65];

                if (!path)
                        return log_oom();
                if (access(path, F_OK) < 0 || sha256_file(path, actual) < 0 || streq(actual, p->sha256))
                        continue;
                log_warning("Package %s %s: %s has SHA256 %s, but apt's index names %s; fetching it again.",
                            p->name, p->version, path, actual, p->sha256);
                if (unlink(path) < 0)
                        return log_error_errno(errno, "Cannot remove %s: %m", path), -ENOPKG;
        }
        return 0;
}

/* apt-get -s prints "Inst name (version suite [arch])" for each package it would install. */
static int cmp_package(const void *a, const void *b) {
        const Package *x = a, *y = b;
        int c = strcmp(x->name, y->name);
        return c ? c : strcmp(x->architecture, y->architecture);
}

/* In name order, not apt's: apt orders the same set differently from one set
 * of sources to another, and the order reaches the base tree's key, the
 * unpacking and the SBOM, so the same packages would not give the same commit. */
static void sort_packages(PackageSet *s) {
        if (s->n_packages > 1)
                qsort(s->packages, s->n_packages, sizeof(Package), cmp_package);
}

static int parse_simulation(PackageSet *s, const char *output) {
        const char *p = output;

        while ((p = strstr(p, "Inst "))) {
                char name[256], version[256], arch[64];
                const char *lb;
                const char *eol = strchr(p, '\n') ?: p + strlen(p);

                if (p != output && p[-1] != '\n') {
                        p += 5;
                        continue;
                }
                /* "Inst name (version suite [arch])", sometimes followed by " []" */
                lb = memchr(p, '(', (size_t) (eol - p));
                lb = lb ? memchr(lb, '[', (size_t) (eol - lb)) : NULL;
                if (sscanf(p, "Inst %255s (%255s", name, version) != 2 || !lb ||
                    sscanf(lb, "[%63[^]]]", arch) != 1)
                        return log_error_errno(EBADMSG, "Cannot parse apt's line: %.*s", (int) (eol - p), p);
                int r = add_package(s, name, version, arch);
                if (r < 0)
                        return log_oom();
                p = eol;
        }
        if (s->n_packages == 0)
                return log_error_errno(EBADMSG, "apt chose no package at all.");
        sort_packages(s);
        return 0;
}

static int fetch(const BuildEnv *env, PackageSet *s, const Apt *apt, char **wanted) {
        _cleanup_strv_free_ char **args = NULL;
        _cleanup_free_ char *output = NULL;
        int r;

        if (env->opts->refresh || !apt_lists_ready(apt)) {
                char *update[] = { (char *) "update", env->opts->quiet ? (char *) "-qq" : (char *) "-q",
                                   NULL };
                log_info("apt: updating the package lists");
                r = apt_get(apt, update, NULL);
                if (r != 0)
                        return log_error_errno(r < 0 ? r : EIO, "apt-get update failed (status %d).", r),
                               -ENOPKG;
                r = apt_mark_lists_ready(apt);
                if (r < 0)
                        return log_error_errno(r, "Cannot mark the package lists: %m");
        }

        if (strv_extend(&args, "install") < 0 || strv_extend(&args, "-s") < 0 ||
            strv_extend(&args, "-q") < 0)
                return log_oom();
        STRV_FOREACH (p, wanted)
                if (strv_extend(&args, *p) < 0)
                        return log_oom();
        r = apt_get(apt, args, &output);
        if (r < 0)
                return log_error_errno(r, "Cannot run apt-get: %m");
        if (r != 0)
                return report_apt_failure(env->recipe, output);
        r = parse_simulation(s, output);
        if (r < 0)
                return r;
        r = index_hashes(s, apt);
        if (r < 0)
                return r;
        r = drop_foreign_debs(s, apt);
        if (r < 0)
                return r;

        /* Same package list, download for real (apt skips what is already there
         * and checks every signature and hash). */
        free(args[1]);
        args[1] = strdup("--download-only");
        free(args[2]);
        args[2] = strdup(env->opts->quiet ? "-qq" : "-y");
        if (!args[1] || !args[2])
                return log_oom();
        if (env->opts->quiet && strv_extend(&args, "-y") < 0)
                return log_oom();
        r = apt_get(apt, args, NULL);
        if (r != 0)
                return log_error_errno(r < 0 ? r : EIO,
                                       "apt-get could not download the packages (status %d).", r),
                       -ENOPKG;

        r = fetch_local(s, apt);
        if (r < 0)
                return r;

        for (size_t i = 0; i < s->n_packages; i++) {
                Package *p = &s->packages[i];
                _cleanup_free_ char *fn = apt_deb_filename(p->name, p->version, p->architecture);
                struct stat st;

                if (!fn || !(p->deb = path_join(apt->archives, fn)))
                        return log_oom();
                if (stat(p->deb, &st) < 0)
                        return log_error_errno(errno, "apt did not leave %s: %m", p->deb), -ENOPKG;
                r = verify_deb(p);
                if (r < 0)
                        return r;
        }
        return 0;
}

int stage_resolve(const BuildEnv *env, PackageSet *ret, bool *ret_cached) {
        _cleanup_strv_free_ char **wanted = NULL;
        _cleanup_free_ char *record = NULL;
        char key[65];
        Apt apt;
        int r;

        r = wanted_packages(env->recipe, &wanted);
        if (r < 0)
                return log_oom();
        r = apt_setup(env->cache, env->recipe, &apt);
        if (r < 0)
                return r;
        resolve_key(&apt, wanted, key);
        record = cache_path(env->cache, "resolve", key);
        if (!record) {
                apt_done(&apt);
                return log_oom();
        }

        /* The packages chosen once stay chosen (a rebuild needs no network
         * and gives the same image) until --refresh asks apt again. */
        r = env->opts->refresh ? -ESTALE : load_record(ret, &apt, record);
        if (r >= 0) {
                *ret_cached = true;
                apt_done(&apt);
                sort_packages(ret); /* a record an earlier builder saved in apt's order */
                for (size_t i = 0; i < ret->n_packages; i++) {
                        r = verify_deb(&ret->packages[i]);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        package_set_done(ret);

        r = fetch(env, ret, &apt, wanted);
        apt_done(&apt);
        if (r < 0)
                return r;
        r = save_record(ret, record);
        if (r < 0)
                return log_error_errno(r, "Cannot save the package record %s: %m", record);
        return 0;
}
