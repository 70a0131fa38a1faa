/* SPDX-License-Identifier: MIT */
#include "ostree-commit.h"

#include <errno.h>
#include <fcntl.h>
#include <ostree.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>

#include "log.h"
#include "ostree-repo-open.h"

/* One log line with the path, then a negative errno: GError ends here. */
static int gerror_to_errno(GError *error, const char *what, const char *path) {
        int r = -EIO;

        if (error && error->domain == G_IO_ERROR && error->code == G_IO_ERROR_NOT_FOUND)
                r = -ENOENT;
        log_error("%s %s: %s", what, path, error ? error->message : "unknown error");
        return r;
}

OstreeRepo *repo_open_or_create(const char *path, GError **error) {
        g_autoptr(GFile) file = g_file_new_for_path(path);
        g_autoptr(OstreeRepo) repo = ostree_repo_new(file);

        if (g_file_query_exists(file, NULL)) {
                if (!ostree_repo_open(repo, NULL, error))
                        return NULL;
        } else if (!ostree_repo_create(repo, OSTREE_REPO_MODE_ARCHIVE, NULL, error))
                return NULL;
        return g_steal_pointer(&repo);
}

/* The only extended attribute an image's file carries is its file
 * capability (security.capability, from the package). Whatever else the
 * build host's file system adds (SELinux labels, ACLs inherited from the
 * cache folder) belongs to the host: it would change the commit id from one
 * host to the next and mislabel the image. */
static GVariant *xattrs_of_image(OstreeRepo *repo, const char *path, GFileInfo *info, gpointer dir) {
        g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a(ayay)"));
        g_autofree char *full = g_build_filename(dir, path, NULL);
        char value[1024];
        ssize_t n;

        if (g_file_info_get_file_type(info) != G_FILE_TYPE_SYMBOLIC_LINK) {
                n = lgetxattr(full, "security.capability", value, sizeof(value));
                if (n > 0)
                        g_variant_builder_add(
                                &b, "(@ay@ay)", g_variant_new_bytestring("security.capability"),
                                g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, value, (gsize) n, 1));
        }
        return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* Writes dir into mtree (merging with what mtree holds) and commits it. */
static gboolean commit_tree(OstreeRepo *repo, OstreeMutableTree *mtree, const char *dir, const char *subject,
                            GVariant *metadata, int64_t timestamp, char **ret_commit, GError **error) {
        g_autoptr(OstreeRepoCommitModifier) modifier = NULL;
        g_autoptr(GFile) root = NULL;

        /* Ownership and modes are taken from the tree as it is: it was
         * written by root with the image's ids. */
        modifier = ostree_repo_commit_modifier_new(OSTREE_REPO_COMMIT_MODIFIER_FLAGS_NONE, NULL, NULL, NULL);
        ostree_repo_commit_modifier_set_xattr_callback(modifier, xattrs_of_image, NULL, (gpointer) dir);
        if (!ostree_repo_write_dfd_to_mtree(repo, AT_FDCWD, dir, mtree, modifier, NULL, error))
                return FALSE;
        if (!ostree_repo_write_mtree(repo, mtree, &root, NULL, error))
                return FALSE;
        return ostree_repo_write_commit_with_time(repo, NULL, subject, NULL, metadata,
                                                  OSTREE_REPO_FILE(root), (guint64) timestamp, ret_commit,
                                                  NULL, error);
}

int ostree_commit_image(const CommitSpec *s, char **ret_commit, bool *ret_base_cached) {
        g_autoptr(GError) error = NULL;
        g_autoptr(OstreeRepo) repo = NULL;
        g_autoptr(OstreeMutableTree) mtree = NULL;
        g_autofree char *base = NULL, *commit = NULL;
        g_autoptr(GVariantBuilder) meta = NULL;
        g_autoptr(GVariant) metadata = NULL;

        repo = repo_open_or_create(s->repo, &error);
        if (!repo)
                return gerror_to_errno(error, "Cannot open the ostree repository", s->repo);

        if (!ostree_repo_resolve_rev(repo, s->base_ref, TRUE, &base, &error))
                return gerror_to_errno(error, "Cannot read ref", s->base_ref);
        *ret_base_cached = base != NULL;

        if (!ostree_repo_prepare_transaction(repo, NULL, NULL, &error))
                return gerror_to_errno(error, "Cannot start a transaction in", s->repo);

        if (!base) {
                g_autoptr(OstreeMutableTree) base_tree = ostree_mutable_tree_new();
                if (!commit_tree(repo, base_tree, s->base_tree, "berth base tree", NULL, s->timestamp, &base,
                                 &error))
                        goto fail;
                ostree_repo_transaction_set_ref(repo, NULL, s->base_ref, base);
        }

        mtree = ostree_mutable_tree_new_from_commit(repo, base, &error);
        if (!mtree)
                goto fail;

        meta = g_variant_builder_new(G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(meta, "{sv}", "version", g_variant_new_string(s->version));
        g_variant_builder_add(meta, "{sv}", "berth.manifest-sha256",
                              g_variant_new_string(s->manifest_sha256));
        metadata = g_variant_ref_sink(g_variant_builder_end(meta));

        if (!commit_tree(repo, mtree, s->delta, s->subject, metadata, s->timestamp, &commit, &error))
                goto fail;
        ostree_repo_transaction_set_ref(repo, NULL, s->ref, commit);
        if (!ostree_repo_commit_transaction(repo, NULL, NULL, &error))
                goto fail;

        *ret_commit = strdup(commit);
        return *ret_commit ? 0 : log_oom();

fail:
        (void) ostree_repo_abort_transaction(repo, NULL, NULL);
        return gerror_to_errno(error, "Cannot commit into", s->repo);
}

int64_t ostree_prune_cache(const char *repo_path, const char *trees_dir) {
        g_autoptr(GError) error = NULL;
        g_autoptr(OstreeRepo) repo = NULL;
        g_autoptr(GHashTable) refs = NULL;
        gint objects_total = 0, objects_pruned = 0;
        guint64 freed = 0;
        GHashTableIter it;
        gpointer name;

        repo = repo_open_or_create(repo_path, &error);
        if (!repo)
                return gerror_to_errno(error, "Cannot open the ostree repository", repo_path);
        if (!ostree_repo_list_refs_ext(repo, "berth-base", &refs, OSTREE_REPO_LIST_REFS_EXT_NONE, NULL,
                                       &error))
                return gerror_to_errno(error, "Cannot list the refs of", repo_path);

        g_hash_table_iter_init(&it, refs);
        while (g_hash_table_iter_next(&it, &name, NULL)) {
                /* Full names: "berth-base/KEY". */
                const char *ref = name;
                g_autofree char *tree = g_build_filename(trees_dir, ref + strlen("berth-base/"), NULL);

                if (g_file_test(tree, G_FILE_TEST_IS_DIR))
                        continue;
                if (!ostree_repo_set_ref_immediate(repo, NULL, ref, NULL, NULL, &error))
                        return gerror_to_errno(error, "Cannot delete ref", ref);
        }
        if (!ostree_repo_prune(repo, OSTREE_REPO_PRUNE_FLAGS_REFS_ONLY, -1, &objects_total, &objects_pruned,
                               &freed, NULL, &error))
                return gerror_to_errno(error, "Cannot prune", repo_path);
        return (int64_t) freed;
}
