/* SPDX-License-Identifier: MIT */
#include "ostree-publish.h"

#include <errno.h>
#include <fcntl.h>
#include <ostree.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "ostree-repo-open.h"
#include "path-util.h"
#include "rm-rf.h"

/* One log line naming what failed and where, then a negative errno. */
static int fail(GError *error, const char *what, const char *path) {
        log_error("%s %s: %s", what, path, error ? error->message : "unknown error");
        return -EIO;
}

static const char *homedir_name(const char *homedir) {
        return homedir ?: "gpg's default";
}

int ostree_check_gpg_key(const char *key_id, const char *homedir) {
        g_autoptr(GError) error = NULL;
        g_autofree char *dir = g_dir_make_tmp("berth-gpg-check-XXXXXX", &error);
        g_autoptr(GFile) file = NULL;
        g_autoptr(OstreeRepo) repo = NULL;
        g_autoptr(GBytes) data = g_bytes_new_static("berth", 5), signature = NULL;
        const char *keys[] = { key_id, NULL };
        int r = 0;

        if (!dir)
                return fail(error, "Cannot make a temporary folder to check the GPG key", key_id);
        /* Signing needs a repository (for its temporary files): an empty
         * one, thrown away. A test signature, not only a look-up, so that a
         * key that would ask for a passphrase fails now, not after the build. */
        file = g_file_new_for_path(dir);
        repo = ostree_repo_new(file);
        if (!ostree_repo_create(repo, OSTREE_REPO_MODE_ARCHIVE, NULL, &error))
                r = fail(error, "Cannot make a temporary repository in", dir);
        else if (!ostree_repo_gpg_sign_data(repo, data, NULL, keys, homedir, &signature, NULL, &error)) {
                log_error("Cannot sign with GPG key %s (homedir %s): %s", key_id, homedir_name(homedir),
                          error->message);
                r = -ENOKEY;
        }
        g_clear_object(&repo);
        (void) rm_rf(dir);
        return r;
}

/* The summary and its signature as they were before the ref moved, to put
 * back when a later step fails: hosts then keep seeing a signed summary that
 * names the previous commit. */
typedef struct SavedFile {
        char *path;
        char *data; /* NULL: the file did not exist */
        size_t size;
} SavedFile;

static void saved_file_done(SavedFile *f) {
        free(f->path);
        free(f->data);
        *f = (SavedFile){ 0 };
}

static int saved_file_read(const char *repo, const char *name, SavedFile *ret) {
        int r;

        ret->path = path_join(repo, name);
        if (!ret->path)
                return log_oom();
        r = read_full_file(ret->path, 0, &ret->data, &ret->size);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error_errno(r, "Cannot read '%s': %m", ret->path);
        return 0;
}

static void saved_file_restore(const SavedFile *f) {
        int r;

        if (!f->data)
                r = unlink(f->path) < 0 && errno != ENOENT ? -errno : 0;
        else
                r = write_file_atomic(f->path, f->data, f->size, 0644);
        if (r < 0)
                log_error_errno(r, "Cannot put back '%s': %m", f->path);
}

/* A rebuild of the same inputs gives the same commit, which the repository
 * may hold signed already: it keeps its signatures and gets no more
 * (libostree's own check for a duplicate looks for the public key in
 * homedir's *.gpg files only, and misses GnuPG 2's keybox). */
static gboolean sign_commit(OstreeRepo *repo, const PublishSpec *s, bool *ret_signed_before,
                            GError **error) {
        g_autoptr(GVariant) detached = NULL, sigs = NULL;

        if (!ostree_repo_read_commit_detached_metadata(repo, s->commit, &detached, NULL, error))
                return FALSE;
        if (detached)
                sigs = g_variant_lookup_value(detached, "ostree.gpgsigs", G_VARIANT_TYPE("aay"));
        *ret_signed_before = sigs && g_variant_n_children(sigs) > 0;
        if (*ret_signed_before)
                return TRUE;
        return ostree_repo_sign_commit(repo, s->commit, s->gpg_key, s->gpg_homedir, NULL, error);
}

/* berth's commits have no parent: the delta's "from" is named. */
static gboolean make_delta(OstreeRepo *repo, const char *from, const char *to, GError **error) {
        g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{sv}"));
        g_autoptr(GVariant) params = g_variant_ref_sink(g_variant_builder_end(&b));

        return ostree_repo_static_delta_generate(repo, OSTREE_STATIC_DELTA_GENERATE_OPT_MAJOR, from, to,
                                                 NULL, params, NULL, error);
}

static gboolean write_summary(OstreeRepo *repo, const PublishSpec *s, GError **error) {
        const char *keys[] = { s->gpg_key, NULL };

        /* Regenerating removes summary.sig; the new signature is the only one. */
        if (!ostree_repo_regenerate_summary(repo, NULL, NULL, error))
                return FALSE;
        return !s->gpg_key || ostree_repo_add_gpg_signature_summary(repo, keys, s->gpg_homedir, NULL, error);
}

static int copy_commit(OstreeRepo *dst, const PublishSpec *s) {
        g_autoptr(GError) error = NULL;
        g_autofree char *url = g_strconcat("file://", s->src_repo, NULL);
        g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{sv}"));
        g_autoptr(GVariant) opts = NULL;
        const char *what[] = { s->commit, NULL };

        /* A local pull of the commit id, not of the ref, so that no ref moves
         * yet: objects are hard-linked when both repositories share a file
         * system, copied otherwise; every object is checked. */
        g_variant_builder_add(&b, "{s@v}", "refs", g_variant_new_variant(g_variant_new_strv(what, -1)));
        g_variant_builder_add(&b, "{s@v}", "flags",
                              g_variant_new_variant(g_variant_new_int32(OSTREE_REPO_PULL_FLAGS_NONE)));
        opts = g_variant_ref_sink(g_variant_builder_end(&b));
        if (!ostree_repo_pull_with_options(dst, url, opts, NULL, NULL, &error))
                return fail(error, "Cannot copy the commit into", s->repo);
        return 0;
}

int ostree_publish_commit(const PublishSpec *s, bool *ret_delta) {
        g_autoptr(GError) error = NULL;
        g_autoptr(OstreeRepo) repo = NULL;
        g_autofree char *prev = NULL;
        _cleanup_(saved_file_done) SavedFile summary = { 0 }, signature = { 0 };
        bool delta = false;
        int r;

        repo = repo_open_or_create(s->repo, &error);
        if (!repo)
                return fail(error, "Cannot open the ostree repository", s->repo);
        if (!ostree_repo_resolve_rev(repo, s->ref, TRUE, &prev, &error))
                return fail(error, "Cannot read ref", s->ref);

        r = copy_commit(repo, s);
        if (r < 0)
                return r;
        if (s->gpg_key) {
                bool signed_before = false;

                if (!sign_commit(repo, s, &signed_before, &error)) {
                        log_error("Cannot sign commit %s with GPG key %s (homedir %s): %s", s->commit,
                                  s->gpg_key, homedir_name(s->gpg_homedir), error->message);
                        return -EIO;
                }
                if (signed_before)
                        log_info("commit %s is signed already in %s: its signatures are kept", s->commit,
                                 s->repo);
        }
        if (prev && !streq(prev, s->commit)) {
                if (!make_delta(repo, prev, s->commit, &error))
                        return fail(error, "Cannot make the static delta from the previous commit in",
                                    s->repo);
                delta = true;
                log_info("static delta %s -> %s", prev, s->commit);
        }

        r = saved_file_read(s->repo, "summary", &summary);
        if (r < 0)
                return r;
        r = saved_file_read(s->repo, "summary.sig", &signature);
        if (r < 0)
                return r;
        if (!ostree_repo_set_ref_immediate(repo, NULL, s->ref, s->commit, NULL, &error))
                return fail(error, "Cannot set ref", s->ref);
        if (!write_summary(repo, s, &error)) {
                g_autoptr(GError) undo = NULL;

                r = fail(error,
                         s->gpg_key ? "Cannot write the signed summary of" : "Cannot write the summary of",
                         s->repo);
                if (!ostree_repo_set_ref_immediate(repo, NULL, s->ref, prev, NULL, &undo))
                        log_error("Cannot put ref %s back: %s", s->ref, undo->message);
                saved_file_restore(&summary);
                saved_file_restore(&signature);
                return r;
        }
        if (ret_delta)
                *ret_delta = delta;
        return 0;
}
