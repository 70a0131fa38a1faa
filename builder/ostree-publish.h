/* SPDX-License-Identifier: MIT */
#pragma once

/* Publishing a commit into a repository that hosts pull from over plain
 * HTTP: the commit's objects, its GPG signature, a static delta from the
 * ref's previous commit, then the ref and a (signed) summary. libostree is
 * called here only; GError stops here. */

#include <stdbool.h>

typedef struct PublishSpec {
        const char *src_repo; /* where the commit was made (the cache's repository) */
        const char *repo; /* the repository to publish into (created when missing) */
        const char *ref;
        const char *commit;
        const char *gpg_key; /* NULL: nothing is signed */
        const char *gpg_homedir; /* NULL: gpg's default (GNUPGHOME, ~/.gnupg) */
} PublishSpec;

/* Fails (-ENOKEY, one message naming key_id and homedir) unless gpg can
 * sign with key_id: the secret key is there and needs no passphrase that
 * nobody can type. Writes nothing but a temporary folder, removed again. */
int ostree_check_gpg_key(const char *key_id, const char *homedir);

/* The steps, in this order: copy the commit's objects (the ref does not
 * move yet), sign the commit, make the static delta from the commit the ref
 * names now (none when the ref is new or names this commit already), move
 * the ref, regenerate the summary and sign it. The delta comes after the
 * signature because a delta carries the commit's detached metadata as it
 * was when the delta was made. When a step fails, the ref and the summary
 * (with its signature) are put back as they were. ret_delta (may be NULL)
 * is set when a delta was made. */
int ostree_publish_commit(const PublishSpec *spec, bool *ret_delta);
