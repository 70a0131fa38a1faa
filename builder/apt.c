/* SPDX-License-Identifier: MIT */
#include "apt.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "hash.h"
#include "log.h"
#include "path-util.h"
#include "process-util.h"
#include "strv.h"

/* The build host's sources are read where apt reads them; the hash of their
 * text decides when the private lists must be refreshed. */
static int hash_host_sources(const Recipe *recipe, char out[static 65]) {
        _cleanup_(hasher_freep) Hasher *h = hasher_new();
        glob_t g = { 0 };

        hasher_add_str(h, "apt-sources-v1");
        if (recipe->source_lines) {
                STRV_FOREACH (l, recipe->source_lines)
                        hasher_add_str(h, *l);
        } else {
                (void) glob("/etc/apt/sources.list", GLOB_NOSORT, NULL, &g);
                (void) glob("/etc/apt/sources.list.d/*.list", GLOB_APPEND, NULL, &g);
                (void) glob("/etc/apt/sources.list.d/*.sources", GLOB_APPEND, NULL, &g);
                for (size_t i = 0; i < g.gl_pathc; i++) {
                        _cleanup_free_ char *text = NULL;
                        size_t n;
                        if (read_full_file(g.gl_pathv[i], 0, &text, &n) < 0)
                                continue;
                        hasher_add_str(h, g.gl_pathv[i]);
                        hasher_add(h, text, n);
                }
                globfree(&g);
        }
        hasher_add_str(h, strempty(recipe->source_keyring));
        hasher_hex(h, out);
        return 0;
}

/* linux-initramfs-tool: the initramfs is made by dracut at build time.
 * kmod, linux-base: the module index is made at build time; berth-init loads
 * modules with libkmod. adduser: users and groups are generated at build time.
 * debconf: no maintainer script runs, so nothing asks questions. */
const char *const apt_provided_status =
        "Package: berth-provided\n"
        "Status: install ok installed\n"
        "Priority: optional\n"
        "Section: admin\n"
        "Maintainer: berth\n"
        "Architecture: all\n"
        "Version: 1\n"
        "Provides: adduser (= 999), debconf (= 999), debconf-2.0, linux-initramfs-tool, linux-base (= 999),"
        " kmod (= 999)\n"
        "Description: what build-image does itself\n";

int apt_setup(const Cache *cache, const Recipe *recipe, Apt *ret) {
        _cleanup_free_ char *conf = NULL, *status = NULL, *sources = NULL, *parts = NULL, *trusted = NULL;
        Apt a = { 0 };
        struct stat st;
        int r;

        a.dir = cache_path(cache, "apt", NULL);
        if (!a.dir)
                return log_oom();
        hash_host_sources(recipe, a.sources_hash);

        if (asprintf(&a.archives, "%s/archives", a.dir) < 0 ||
            asprintf(&a.lists, "%s/lists-%.16s", a.dir, a.sources_hash) < 0 ||
            asprintf(&a.config, "%s/apt-%.16s.conf", a.dir, a.sources_hash) < 0 ||
            asprintf(&status, "%s/status", a.dir) < 0 || asprintf(&parts, "%s/empty.d", a.dir) < 0)
                goto oom;

        const char *dirs[] = { a.archives, a.lists, parts };
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
                _cleanup_free_ char *partial = path_join(dirs[i], i < 2 ? "partial" : "");
                if (!partial)
                        goto oom;
                r = mkdir_p(partial, 0755);
                if (r < 0) {
                        apt_done(&a);
                        return log_error_errno(r, "Cannot create '%s': %m", partial);
                }
        }

        r = write_file_atomic(status, apt_provided_status, strlen(apt_provided_status), 0644);
        if (r < 0) {
                apt_done(&a);
                return log_error_errno(r, "Cannot write '%s': %m", status);
        }

        if (recipe->source_lines) {
                _cleanup_free_ char *text = strv_join(recipe->source_lines, "\n");
                _cleanup_free_ char *withnl = NULL;
                if (!text || asprintf(&sources, "%s/sources-%.16s.list", a.dir, a.sources_hash) < 0 ||
                    asprintf(&withnl, "%s\n", text) < 0)
                        goto oom;
                r = write_file_atomic(sources, withnl, strlen(withnl), 0644);
                if (r < 0) {
                        apt_done(&a);
                        return log_error_errno(r, "Cannot write '%s': %m", sources);
                }
        }

        if (recipe->source_keyring) {
                bool is_dir = stat(recipe->source_keyring, &st) == 0 && S_ISDIR(st.st_mode);
                if (stat(recipe->source_keyring, &st) < 0) {
                        apt_done(&a);
                        return log_error_errno(errno, "%s: keyring '%s': %m", recipe->path,
                                               recipe->source_keyring);
                }
                if (asprintf(&trusted, "Dir::Etc::Trusted \"%s\";\nDir::Etc::TrustedParts \"%s\";\n",
                             is_dir ? "/dev/null" : recipe->source_keyring,
                             is_dir ? recipe->source_keyring : parts) < 0)
                        goto oom;
        }

        /* Every path below goes into apt's configuration as "PATH", and
         * apt's syntax has no escape: a '"' would end the value and start
         * an option. recipe.c refuses such a keyring; --cache is checked here. */
        const char *values[] = {
                a.dir, a.lists, status, a.archives, parts, sources, recipe->source_keyring
        };
        for (size_t i = 0; i < ARRAY_SIZE(values); i++)
                if (values[i] && strpbrk(values[i], "\"\\{};#\n\r")) {
                        log_error("%s: '%s' cannot be written into apt's configuration (it holds one of "
                                  "\" \\ { } ; # or a newline).",
                                  recipe->path, values[i]);
                        apt_done(&a);
                        return -EINVAL;
                }

        /* Dir::Etc::Parts is emptied: the host's apt.conf.d may hold hooks
         * (docker-clean and the like) that must not run on our state. */
        if (asprintf(&conf,
                     "Dir::State \"%s\";\n"
                     "Dir::State::lists \"%s\";\n"
                     "Dir::State::status \"%s\";\n"
                     "Dir::State::extended_states \"%s/extended_states\";\n"
                     "Dir::Cache \"%s\";\n"
                     "Dir::Cache::archives \"%s\";\n"
                     "Dir::Cache::pkgcache \"\";\n"
                     "Dir::Cache::srcpkgcache \"\";\n"
                     "Dir::Etc::Parts \"%s\";\n"
                     "Dir::Etc::Preferences \"/dev/null\";\n"
                     "Dir::Etc::PreferencesParts \"%s\";\n"
                     "%s%s%s"
                     "%s"
                     "Dir::Log \"%s\";\n"
                     "APT::Architecture \"amd64\";\n"
                     "APT::Architectures { \"amd64\"; };\n"
                     "APT::Install-Recommends \"false\";\n"
                     "APT::Install-Suggests \"false\";\n"
                     "APT::Get::AllowUnauthenticated \"false\";\n"
                     "APT::Sandbox::User \"root\";\n"
                     "Debug::NoLocking \"true\";\n"
                     "Acquire::Languages \"none\";\n"
                     "Acquire::Retries \"2\";\n"
                     "pkgCacheGen::Essential \"none\";\n",
                     a.dir, a.lists, status, a.dir, a.dir, a.archives, parts, parts,
                     sources ? "Dir::Etc::SourceList \"" : "", sources ? sources : "",
                     sources ? "\";\nDir::Etc::SourceParts \"/dev/null\";\n" : "", strempty(trusted),
                     a.dir) < 0)
                goto oom;
        r = write_file_atomic(a.config, conf, strlen(conf), 0644);
        if (r < 0) {
                apt_done(&a);
                return log_error_errno(r, "Cannot write '%s': %m", a.config);
        }
        *ret = a;
        return 0;
oom:
        apt_done(&a);
        return log_oom();
}

void apt_done(Apt *a) {
        free(a->dir);
        free(a->config);
        free(a->archives);
        free(a->lists);
        *a = (Apt){ 0 };
}

int apt_get(const Apt *apt, char *const args[], char **output) {
        return apt_get_in(apt, NULL, args, output);
}

int apt_get_in(const Apt *apt, const char *cwd, char *const args[], char **output) {
        _cleanup_free_ char *env = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        char *envv[] = { NULL, (char *) "DEBIAN_FRONTEND=noninteractive", (char *) "LC_ALL=C.UTF-8", NULL };
        RunOptions o = { .stdout_fd = STDERR_FILENO, .stderr_fd = -1, .env_extra = envv, .cwd = cwd };

        if (asprintf(&env, "APT_CONFIG=%s", apt->config) < 0 || strv_extend(&argv, "apt-get") < 0)
                return -ENOMEM;
        envv[0] = env;
        for (char *const *a = args; *a; a++)
                if (strv_extend(&argv, *a) < 0)
                        return -ENOMEM;
        if (output) {
                o.ret_stdout = output;
                o.stderr_fd = STDOUT_FILENO; /* dup'ed after stdout became the pipe: both captured */
        }
        return run_command(argv, &o);
}

bool apt_lists_ready(const Apt *apt) {
        _cleanup_free_ char *stamp = path_join(apt->lists, ".berth-updated");
        return stamp && access(stamp, F_OK) == 0;
}

int apt_mark_lists_ready(const Apt *apt) {
        _cleanup_free_ char *stamp = path_join(apt->lists, ".berth-updated");
        if (!stamp)
                return -ENOMEM;
        return write_file_atomic(stamp, "", 0, 0644);
}

char *apt_deb_filename(const char *name, const char *version, const char *arch) {
        const char *colon = strchr(version, ':');
        char *r;

        if (colon) {
                if (asprintf(&r, "%s_%.*s%%3a%s_%s.deb", name, (int) (colon - version), version, colon + 1,
                             arch) < 0)
                        return NULL;
        } else if (asprintf(&r, "%s_%s_%s.deb", name, version, arch) < 0)
                return NULL;
        return r;
}
