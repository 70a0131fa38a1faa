/* SPDX-License-Identifier: MIT */

/* ostree-publish.c on small commits: the key check, signed commits and
 * summary, the static delta from the previous commit, and a failure after
 * the ref moved, which puts the ref and the summary back. Needs gpg (a
 * throw-away key in a temporary GNUPGHOME). */

#include <errno.h>
#include <fcntl.h>
#include <ostree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/tests/tap.h"
#include "fileio.h"
#include "macro.h"
#include "ostree-publish.h"
#include "path-util.h"
#include "rm-rf.h"

static char *tmp;

/* A commit of one file whose content is text, made in repo; returns its id. */
static char *make_commit(OstreeRepo *repo, const char *text) {
        g_autoptr(GError) error = NULL;
        g_autoptr(OstreeMutableTree) mtree = ostree_mutable_tree_new();
        g_autoptr(GFile) root = NULL;
        g_autofree char *dir = g_build_filename(tmp, "tree", NULL), *file = NULL, *commit = NULL;

        (void) rm_rf(dir);
        file = g_build_filename(dir, "etc", NULL);
        g_mkdir_with_parents(file, 0755);
        g_free(file);
        file = g_build_filename(dir, "etc", "version", NULL);
        if (!g_file_set_contents(file, text, -1, &error) ||
            !ostree_repo_prepare_transaction(repo, NULL, NULL, &error) ||
            !ostree_repo_write_dfd_to_mtree(repo, AT_FDCWD, dir, mtree, NULL, NULL, &error) ||
            !ostree_repo_write_mtree(repo, mtree, &root, NULL, &error) ||
            !ostree_repo_write_commit_with_time(repo, NULL, text, NULL, NULL, OSTREE_REPO_FILE(root),
                                                1700000000, &commit, NULL, &error) ||
            !ostree_repo_commit_transaction(repo, NULL, NULL, &error)) {
                printf("# cannot make a commit: %s\n", error->message);
                return NULL;
        }
        return g_steal_pointer(&commit);
}

static OstreeRepo *open_repo(const char *path) {
        g_autoptr(GFile) file = g_file_new_for_path(path);
        g_autoptr(OstreeRepo) repo = ostree_repo_new(file);

        if (!ostree_repo_open(repo, NULL, NULL))
                return NULL;
        return g_steal_pointer(&repo);
}

static char *ref_of(const char *repo_path, const char *ref) {
        g_autoptr(OstreeRepo) repo = open_repo(repo_path);
        char *rev = NULL;

        if (!repo || !ostree_repo_resolve_rev(repo, ref, TRUE, &rev, NULL))
                return NULL;
        return rev;
}

static bool commit_signed(const char *repo_path, const char *commit, GFile *keyring) {
        g_autoptr(OstreeRepo) repo = open_repo(repo_path);
        g_autoptr(OstreeGpgVerifyResult) result = NULL;

        if (!repo)
                return false;
        result = ostree_repo_verify_commit_ext(repo, commit, NULL, keyring, NULL, NULL);
        return result && ostree_gpg_verify_result_count_valid(result) == 1;
}

/* Checked as a host checks it: a remote whose key is the test's only one. */
static bool summary_signed(const char *repo_path, OstreeRepo *verifier, const char *keyfile) {
        g_autofree char *summary = g_build_filename(repo_path, "summary", NULL);
        g_autofree char *sig = g_build_filename(repo_path, "summary.sig", NULL);
        g_autofree char *url = g_strconcat("file://", repo_path, NULL);
        g_autoptr(GMappedFile) s = g_mapped_file_new(summary, FALSE, NULL);
        g_autoptr(GMappedFile) g = g_mapped_file_new(sig, FALSE, NULL);
        g_autoptr(GBytes) sb = NULL, gb = NULL;
        g_autoptr(OstreeGpgVerifyResult) result = NULL;
        g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{sv}"));
        g_autoptr(GVariant) opts = NULL;

        if (!s || !g)
                return false;
        g_variant_builder_add(&b, "{sv}", "gpgkeypath", g_variant_new_string(keyfile));
        opts = g_variant_ref_sink(g_variant_builder_end(&b));
        if (!ostree_repo_remote_change(verifier, NULL, OSTREE_REPO_REMOTE_CHANGE_REPLACE, "published", url,
                                       opts, NULL, NULL))
                return false;
        sb = g_mapped_file_get_bytes(s);
        gb = g_mapped_file_get_bytes(g);
        result = ostree_repo_verify_summary(verifier, "published", sb, gb, NULL, NULL);
        return result && ostree_gpg_verify_result_count_valid(result) == 1;
}

static bool has_delta(const char *repo_path, const char *from, const char *to) {
        g_autoptr(OstreeRepo) repo = open_repo(repo_path);
        g_autoptr(GPtrArray) names = NULL;
        g_autofree char *want = g_strconcat(from, "-", to, NULL);

        if (!repo || !ostree_repo_list_static_delta_names(repo, &names, NULL, NULL))
                return false;
        for (guint i = 0; i < names->len; i++)
                if (streq(names->pdata[i], want))
                        return true;
        return false;
}

static size_t n_deltas(const char *repo_path) {
        g_autoptr(OstreeRepo) repo = open_repo(repo_path);
        g_autoptr(GPtrArray) names = NULL;

        if (!repo || !ostree_repo_list_static_delta_names(repo, &names, NULL, NULL))
                return SIZE_MAX;
        return names->len;
}

/* The bytes of dir/name (NULL when missing), for comparing. */
static GBytes *file_bytes(const char *dir, const char *name) {
        _cleanup_free_ char *path = path_join(dir, name);
        char *data = NULL;
        size_t n;

        return path && read_full_file(path, 0, &data, &n) == 0 ? g_bytes_new_take(data, n) : NULL;
}

/* A throw-away ed25519 key in a new GNUPGHOME; returns its fingerprint. */
static char *make_key(const char *home) {
        g_autofree char *cmd =
                g_strdup_printf("GNUPGHOME='%s' gpg --batch --passphrase '' --quick-gen-key 'unit "
                                "<unit@example.org>' ed25519 sign "
                                "never 2>/dev/null && GNUPGHOME='%s' gpg --list-keys --with-colons "
                                "2>/dev/null | awk -F: '/^fpr/{print $10; exit}'"
                                " && GNUPGHOME='%s' gpg --export >'%s/key.gpg'",
                                home, home, home, tmp);
        char line[128] = "";
        FILE *p;

        g_mkdir_with_parents(home, 0700);
        p = popen(cmd, "r");
        if (!p)
                return NULL;
        if (!fgets(line, sizeof(line), p))
                line[0] = 0;
        if (pclose(p) != 0)
                return NULL;
        line[strcspn(line, "\n")] = 0;
        return line[0] ? strdup(line) : NULL;
}

int main(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(OstreeRepo) src = NULL;
        g_autoptr(GFile) src_file = NULL, keyring = NULL;
        _cleanup_free_ char *home = NULL, *key = NULL, *src_path = NULL, *dst = NULL, *rev = NULL;
        _cleanup_free_ char *indexes = NULL;
        g_autoptr(GBytes) summary = NULL, sig = NULL, summary_now = NULL, sig_now = NULL;
        g_autofree char *c1 = NULL, *c2 = NULL, *c3 = NULL, *kill_agent = NULL, *keyfile = NULL;
        const char *ref = "berth/test/x86_64";
        bool delta = true;
        int r;

        /* gpgme forks: nothing buffered may be printed twice. */
        setvbuf(stdout, NULL, _IOLBF, 0);
        tmp = g_dir_make_tmp("berth-test-publish-XXXXXX", NULL);
        home = path_join(tmp, "gnupg");
        src_path = path_join(tmp, "src");
        dst = path_join(tmp, "dst");
        if (!tmp || !home || !src_path || !dst)
                return 1;

        key = make_key(home);
        if (!ok(key != NULL, "gpg makes a throw-away key"))
                return tap_done();
        keyfile = g_build_filename(tmp, "key.gpg", NULL);
        keyring = g_file_new_for_path(keyfile);

        ok(ostree_check_gpg_key(key, home) == 0, "the key can sign");
        ok(ostree_check_gpg_key("0123456789ABCDEF", home) == -ENOKEY, "a key that is not there is refused");

        src_file = g_file_new_for_path(src_path);
        src = ostree_repo_new(src_file);
        if (!ostree_repo_create(src, OSTREE_REPO_MODE_ARCHIVE, NULL, &error))
                return printf("# %s\n", error->message), 1;
        c1 = make_commit(src, "1");
        c2 = make_commit(src, "2");
        c3 = make_commit(src, "3");
        if (!c1 || !c2 || !c3)
                return 1;

        PublishSpec s = {
                .src_repo = src_path, .repo = dst, .ref = ref, .gpg_key = key, .gpg_homedir = home
        };

        s.commit = c1;
        r = ostree_publish_commit(&s, &delta);
        ok(r == 0 && !delta, "the first commit is published, with no delta (%d)", r);
        rev = ref_of(dst, ref);
        ok(rev && streq(rev, c1), "the ref names it");
        ok(commit_signed(dst, c1, keyring), "the commit is signed by the key");
        ok(summary_signed(dst, src, keyfile), "the summary is signed by the key");

        s.commit = c2;
        r = ostree_publish_commit(&s, &delta);
        ok(r == 0 && delta, "the second commit is published, with a delta (%d)", r);
        free(rev);
        rev = ref_of(dst, ref);
        ok(rev && streq(rev, c2), "the ref names it");
        ok(has_delta(dst, c1, c2) && n_deltas(dst) == 1, "the delta is from the first commit to the second");
        ok(commit_signed(dst, c2, keyring), "the second commit is signed");
        ok(summary_signed(dst, src, keyfile), "the new summary is signed");

        r = ostree_publish_commit(&s, &delta);
        ok(r == 0 && !delta && n_deltas(dst) == 1, "publishing it again makes no delta (%d)", r);
        ok(commit_signed(dst, c2, keyring), "and signs it no second time");

        /* delta-indexes as a file: regenerating the summary fails after the ref moved. */
        summary = file_bytes(dst, "summary");
        sig = file_bytes(dst, "summary.sig");
        indexes = path_join(dst, "delta-indexes");
        (void) rm_rf(indexes);
        (void) write_file_atomic(indexes, "x", 1, 0644);
        s.commit = c3;
        r = ostree_publish_commit(&s, &delta);
        ok(r < 0, "a failure while writing the summary fails the publishing (%d)", r);
        free(rev);
        rev = ref_of(dst, ref);
        ok(rev && streq(rev, c2), "the ref is put back");
        summary_now = file_bytes(dst, "summary");
        sig_now = file_bytes(dst, "summary.sig");
        ok(summary && summary_now && g_bytes_equal(summary, summary_now), "the summary is as it was");
        ok(sig && sig_now && g_bytes_equal(sig, sig_now) && summary_signed(dst, src, keyfile),
           "and its signature too");
        (void) unlink(indexes);

        s.commit = c3;
        s.gpg_key = "0123456789ABCDEF";
        r = ostree_publish_commit(&s, &delta);
        /* The commit was signed by the attempt above: signing the summary fails. */
        ok(r < 0, "a key that cannot sign the summary fails the publishing (%d)", r);
        free(rev);
        rev = ref_of(dst, ref);
        ok(rev && streq(rev, c2), "the ref is put back");
        g_clear_pointer(&summary_now, g_bytes_unref);
        g_clear_pointer(&sig_now, g_bytes_unref);
        summary_now = file_bytes(dst, "summary");
        sig_now = file_bytes(dst, "summary.sig");
        ok(summary && summary_now && g_bytes_equal(summary, summary_now), "the summary written is put back");
        ok(sig && sig_now && g_bytes_equal(sig, sig_now) && summary_signed(dst, src, keyfile),
           "and its signature, which was removed, too");

        kill_agent = g_strdup_printf("GNUPGHOME='%s' gpgconf --kill gpg-agent", home);
        (void) system(kill_agent);
        if (!getenv("KEEP"))
                (void) rm_rf(tmp);
        else
                printf("# kept %s\n", tmp);
        g_free(tmp);
        return tap_done();
}
