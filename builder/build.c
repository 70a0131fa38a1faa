/* SPDX-License-Identifier: MIT */

/* The build: runs the stages in order, times them, and publishes the outputs
 * atomically. A build that fails or is interrupted leaves OUTDIR untouched
 * and the cache consistent (cache.h says how).
 *
 * Each stage reads the BuildEnv (recipe, options, cache, output folders,
 * berth-init and the dracut module, fixed before the first stage) and the
 * results of earlier stages, passed as const; it writes only its own result
 * (build-context.h) and only its own cache entry:
 *
 *   stage      reads                                   produces (cache entry)
 *   resolve    -                                       PackageSet (resolve/KEY)
 *   unpack     PackageSet                              BaseTree, with each package's
 *                                                      origin (trees/KEY, trees/KEY.meta)
 *   initramfs  BaseTree                                Initramfs (initramfs/KEY)
 *   overlays   BaseTree                                Delta (the folder, with the overlays)
 *   sysfiles   PackageSet, BaseTree, Initramfs, Delta  SysFiles: the SBOM, the delta's size
 *                                                      (generated files added to the Delta)
 *   commit     PackageSet, BaseTree, Delta, SysFiles   Commit: ref, id, repo, the manifest it
 *                                                      names (repo/)
 *   disk       Commit                                  Deployment (stage-deploy.c), then
 *              Deployment                              disk.raw, boot files, formats (stage-disk.c)
 *   manifest   Commit, SysFiles                        manifest.json, sbom.spdx.json
 *
 * publish() then reads Commit. The console shows one line per entry of
 * stages[]; the disk entry runs its two steps under one line, as before they
 * were split. */

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build-context.h"
#include "json-util.h"
#include "log.h"
#include "ostree-publish.h"
#include "path-util.h"
#include "stale-output.h"
#include "stages.h"

/* One build: its environment and every stage's result, each set once by its stage. */
typedef struct Build {
        BuildEnv env;
        PackageSet packages; /* resolve */
        BaseTree base; /* unpack */
        Initramfs initramfs; /* initramfs */
        Delta delta; /* overlays */
        SysFiles sysfiles; /* sysfiles */
        Commit commit; /* commit */
        Deployment deployment; /* disk */
} Build;

static int run_resolve(Build *b, bool *cached) {
        return stage_resolve(&b->env, &b->packages, cached);
}

static int run_unpack(Build *b, bool *cached) {
        return stage_unpack(&b->env, &b->packages, &b->base, cached);
}

static int run_initramfs(Build *b, bool *cached) {
        return stage_initramfs(&b->env, &b->base, &b->initramfs, cached);
}

static int run_overlays(Build *b, bool *cached) {
        return stage_overlays(&b->env, &b->base, &b->delta);
}

static int run_sysfiles(Build *b, bool *cached) {
        return stage_sysfiles(&b->env, &b->packages, &b->base, &b->initramfs, &b->delta, &b->sysfiles);
}

static int run_commit(Build *b, bool *cached) {
        return stage_commit(&b->env, &b->packages, &b->base, &b->delta, &b->sysfiles, &b->commit);
}

static int run_disk(Build *b, bool *cached) {
        int r = stage_deploy(&b->env, &b->commit, &b->deployment);
        return r < 0 ? r : stage_disk(&b->env, &b->base, &b->commit, &b->deployment);
}

static int run_manifest(Build *b, bool *cached) {
        return stage_manifest(&b->env, &b->commit, &b->sysfiles);
}

typedef struct Stage {
        const char *name;
        int (*run)(Build *b, bool *cached);
} Stage;

static const Stage stages[] = {
        { "resolve", run_resolve },   { "unpack", run_unpack },     { "initramfs", run_initramfs },
        { "overlays", run_overlays }, { "sysfiles", run_sysfiles }, { "commit", run_commit },
        { "disk", run_disk },         { "manifest", run_manifest },
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
        interrupted = 1;
}

bool build_interrupted(void) {
        return interrupted;
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* berth-init, berth-fetch, berth-ctr and the dracut module ship with build-image:
 * beside it in the build folder, or under PREFIX/lib and PREFIX/share once
 * installed. */
static int find_companions(BuildEnv *c) {
        static const char *const inits[] = { "berth-init", "../lib/berth/berth-init" };
        static const char *const fetchers[] = { "berth-fetch", "../lib/berth/berth-fetch" };
        static const char *const runners[] = { "berth-ctr", "../lib/berth/berth-ctr" };
        static const char *const modules[] = { "../init/dracut/90berth", "../share/berth/dracut/90berth" };
        _cleanup_free_ char *exe = realpath("/proc/self/exe", NULL);
        char *slash;

        if (!exe)
                return log_error_errno(errno, "Cannot find build-image's own path: %m");
        slash = strrchr(exe, '/');
        *slash = 0;

        for (size_t i = 0; i < ARRAY_SIZE(inits) && !c->berth_init; i++) {
                _cleanup_free_ char *p = path_join(exe, inits[i]);
                if (p && access(p, X_OK) == 0)
                        c->berth_init = realpath(p, NULL);
        }
        for (size_t i = 0; i < ARRAY_SIZE(fetchers) && !c->berth_fetch; i++) {
                _cleanup_free_ char *p = path_join(exe, fetchers[i]);
                if (p && access(p, X_OK) == 0)
                        c->berth_fetch = realpath(p, NULL);
        }
        for (size_t i = 0; i < ARRAY_SIZE(runners) && !c->berth_ctr; i++) {
                _cleanup_free_ char *p = path_join(exe, runners[i]);
                if (p && access(p, X_OK) == 0)
                        c->berth_ctr = realpath(p, NULL);
        }
        for (size_t i = 0; i < ARRAY_SIZE(modules) && !c->dracut_module; i++) {
                _cleanup_free_ char *p = path_join(exe, modules[i]);
                if (p && access(p, R_OK) == 0)
                        c->dracut_module = realpath(p, NULL);
        }
        if (!c->berth_init)
                return log_error_errno(ENOENT, "berth-init not found beside %s (run make).", exe);
        if (!c->berth_fetch)
                return log_error_errno(ENOENT, "berth-fetch not found beside %s (run make).", exe);
        if (!c->berth_ctr)
                return log_error_errno(ENOENT, "berth-ctr not found beside %s (run make).", exe);
        if (!c->dracut_module)
                return log_error_errno(ENOENT, "berth's dracut module (90berth) not found near %s.", exe);
        return 0;
}

/* A build killed outright (SIGKILL, power loss) leaves its OUTDIR.tmp-PID
 * behind: remove those whose process is gone. The folder is listed, not
 * globbed: OUTDIR's name may hold glob characters. */
static void remove_stale_outputs(const char *output_dir) {
        _cleanup_free_ char *parent = path_dirname_absolute(output_dir);
        const char *slash = strrchr(output_dir, '/');
        const char *base = slash ? slash + 1 : output_dir;
        DIR *d = parent ? opendir(parent) : NULL;
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                _cleanup_free_ char *stale = NULL;
                pid_t pid;

                if (stale_output_pid(base, de->d_name, &pid) < 0 || kill(pid, 0) == 0 || errno != ESRCH)
                        continue;
                stale = path_join(parent, de->d_name);
                if (!stale)
                        break;
                log_info("removing %s, left by a build that did not finish", stale);
                (void) rm_rf(stale);
        }
        closedir(d);
}

/* OUTDIR is replaced whole by the next build (a new folder swapped in), so
 * a --repo in it would lose every published commit with it. Compared
 * lexically: a symlink that aliases them is not seen. */
static int check_repo_outside_output(const char *repo_dir, const char *output_dir) {
        _cleanup_free_ char *repo = NULL, *out = NULL;
        size_t n;

        if (!repo_dir)
                return 0;
        repo = path_absolute_lexical(repo_dir);
        out = path_absolute_lexical(output_dir);
        if (!repo || !out)
                return log_oom();
        n = strlen(out);
        if (strncmp(repo, out, n) == 0 && (repo[n] == 0 || repo[n] == '/' || streq(out, "/"))) {
                log_error("--repo %s is inside the output folder %s, which each build replaces whole: "
                          "keep the repository apart.",
                          repo_dir, output_dir);
                return -EINVAL;
        }
        return 0;
}

static int publish(const BuildEnv *env, const Commit *commit) {
        struct stat st;
        int r;

        if (env->opts->repo_dir) {
                _cleanup_free_ char *cache_repo = cache_path(env->cache, "repo", NULL);
                if (!cache_repo)
                        return log_oom();
                r = ostree_publish_commit(&(PublishSpec){ .src_repo = cache_repo,
                                                          .repo = commit->repo,
                                                          .ref = commit->ref,
                                                          .commit = commit->commit,
                                                          .gpg_key = env->opts->gpg_key,
                                                          .gpg_homedir = env->opts->gpg_homedir },
                                          NULL);
                if (r < 0)
                        return r;
        }

        if (stat(env->output_dir, &st) < 0) {
                if (errno != ENOENT)
                        return log_error_errno(errno, "Cannot access '%s': %m", env->output_dir);
                if (rename(env->stage_out, env->output_dir) < 0)
                        return log_error_errno(errno, "Cannot rename '%s' to '%s': %m", env->stage_out,
                                               env->output_dir);
                return 0;
        }
        /* Swap old and new in one step: a reader sees either whole set. */
        if (renameat2(AT_FDCWD, env->stage_out, AT_FDCWD, env->output_dir, RENAME_EXCHANGE) < 0)
                return log_error_errno(errno, "Cannot replace '%s': %m", env->output_dir);
        return rm_rf(env->stage_out);
}

static void build_done(Build *b) {
        deployment_done(&b->deployment);
        commit_done(&b->commit);
        sysfiles_done(&b->sysfiles);
        free(b->delta.path);
        free(b->initramfs.path);
        base_tree_done(&b->base, b->packages.n_packages);
        package_set_done(&b->packages);
        if (b->env.stage_out)
                (void) rm_rf(b->env.stage_out);
        free(b->env.stage_out);
        free(b->env.output_dir);
        free(b->env.berth_init);
        free(b->env.berth_fetch);
        free(b->env.berth_ctr);
        free(b->env.dracut_module);
        b->env.cache = cache_close(b->env.cache);
}

static int exit_code(int r) {
        if (r == -EINTR || interrupted)
                return BUILD_EXIT_INTERRUPTED;
        if (r == -ENOPKG)
                return BUILD_EXIT_PACKAGE;
        if (r == -ENOKEY)
                return BUILD_EXIT_USAGE;
        return BUILD_EXIT_FAILED;
}

static void print_result(const Build *b, json_object *stage_times, int r, const char *failed_stage,
                         double total) {
        const BuildEnv *c = &b->env;

        if (c->opts->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "status", json_object_new_string(r < 0 ? "error" : "ok"));
                if (failed_stage)
                        json_object_object_add(o, "failed_stage", json_object_new_string(failed_stage));
                json_object_object_add(o, "exit_code", json_object_new_int(r < 0 ? exit_code(r) : 0));
                json_object_object_add(o, "name", json_object_new_string(c->recipe->name));
                json_object_object_add(o, "version", json_object_new_string(c->recipe->version));
                if (r >= 0) {
                        json_object_object_add(o, "output", json_object_new_string(c->output_dir));
                        json_object_object_add(o, "repo", json_object_new_string(b->commit.repo));
                        json_object_object_add(o, "ref", json_object_new_string(b->commit.ref));
                        json_object_object_add(o, "commit", json_object_new_string(b->commit.commit));
                        json_object_object_add(o, "kernel", json_object_new_string(b->base.kver));
                        json_object_object_add(o, "packages",
                                               json_object_new_int64((int64_t) b->packages.n_packages));
                        json_object_object_add(
                                o, "tree_size",
                                json_object_new_int64((int64_t) (b->base.size + b->sysfiles.delta_size)));
                }
                json_object_object_add(o, "seconds", json_object_new_double(total));
                json_object_object_add(o, "stages", json_object_get(stage_times));
                puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(o);
                return;
        }
        if (r < 0 || c->opts->quiet)
                return;
        printf("\nbuilt %s %s in %.1f s\n", c->recipe->name, c->recipe->version, total);
        printf("  packages   %zu (kernel %s)\n", b->packages.n_packages, b->base.kver);
        printf("  tree       %.1f MB\n", (double) (b->base.size + b->sysfiles.delta_size) / 1e6);
        printf("  commit     %s\n", b->commit.commit);
        printf("  ref        %s in %s\n", b->commit.ref, b->commit.repo);
        printf("  output     %s\n", c->output_dir);
}

int build_run(const Recipe *recipe, const BuildOptions *opts) {
        _cleanup_(json_object_putp) json_object *stage_times = json_object_new_array();
        _cleanup_free_ char *cache_dir = NULL;
        Build b = { .env = { .recipe = recipe, .opts = opts } };
        BuildEnv *c = &b.env;
        const char *failed_stage = NULL;
        struct sigaction sa = { .sa_handler = on_signal };
        double start = now();
        int r;

        if (geteuid() != 0) {
                log_error("build-image needs root: it writes files owned by the image's users, keeps setuid "
                          "bits and capabilities, and runs ldconfig and dracut on the tree.");
                r = -EPERM;
                goto finish;
        }

        /* A key that cannot sign fails now, not after the whole build, and
         * before anything is written. */
        if (opts->gpg_key) {
                r = ostree_check_gpg_key(opts->gpg_key, opts->gpg_homedir);
                if (r < 0)
                        goto finish;
        }

        /* SIGINT/SIGTERM only set a flag: stages stop at their next check and
         * everything below unwinds through the same cleanup as a failure. */
        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGTERM, &sa, NULL);

        /* The image's modes come from the tree as written: a caller's umask
         * of 077 must not make /usr 0700 in the image or change its commit. */
        umask(022);

        cache_dir = opts->cache_dir ? strdup(opts->cache_dir) : cache_default_dir();
        if (opts->output_dir) {
                /* "out/x/" names out/x: its parent is out, and OUTDIR.tmp-PID sits beside it. */
                c->output_dir = strdup(opts->output_dir);
                for (size_t n = c->output_dir ? strlen(c->output_dir) : 0;
                     n > 1 && c->output_dir[n - 1] == '/'; n--)
                        c->output_dir[n - 1] = 0;
        } else if (asprintf(&c->output_dir, "out/%s", recipe->name) < 0)
                c->output_dir = NULL;
        if (!cache_dir || !c->output_dir)
                return log_oom(), BUILD_EXIT_FAILED;
        r = check_repo_outside_output(opts->repo_dir, c->output_dir);
        if (r < 0)
                goto finish;

        r = find_companions(c);
        if (r < 0)
                goto finish;
        r = cache_open(cache_dir, &c->cache);
        if (r < 0)
                goto finish;

        {
                _cleanup_free_ char *parent = path_dirname_absolute(c->output_dir);
                if (!parent || mkdir_p(parent, 0755) < 0) {
                        r = log_error_errno(errno ?: ENOMEM, "Cannot create the parent of '%s': %m",
                                            c->output_dir);
                        goto finish;
                }
                remove_stale_outputs(c->output_dir);
                if (asprintf(&c->stage_out, "%s.tmp-%d", c->output_dir, (int) getpid()) < 0 ||
                    mkdir(c->stage_out, 0755) < 0) {
                        r = log_error_errno(errno, "Cannot create '%s.tmp-*': %m", c->output_dir);
                        goto finish;
                }
        }

        for (size_t i = 0; i < ARRAY_SIZE(stages); i++) {
                double t0 = now(), dt;
                bool cached = false;
                json_object *st;

                r = stages[i].run(&b, &cached);
                if (r >= 0 && interrupted)
                        r = -EINTR;
                dt = now() - t0;
                st = json_object_new_object();
                json_object_object_add(st, "name", json_object_new_string(stages[i].name));
                json_object_object_add(st, "seconds", json_object_new_double(dt));
                json_object_object_add(st, "cached", json_object_new_boolean(cached));
                json_object_array_add(stage_times, st);
                if (r < 0) {
                        failed_stage = stages[i].name;
                        if (r == -EINTR)
                                log_error("Interrupted during %s; %s is untouched.", stages[i].name,
                                          c->output_dir);
                        else
                                log_error("Stage %s failed.", stages[i].name);
                        goto finish;
                }
                log_info("==> %-10s %6.2f s%s", stages[i].name, dt, cached ? "  (cached)" : "");
        }

        r = publish(c, &b.commit);

finish:
        print_result(&b, stage_times, r, failed_stage, now() - start);
        build_done(&b);
        return r < 0 ? exit_code(r) : 0;
}
