/* SPDX-License-Identifier: MIT */
#pragma once

/* Paths inside a tree (an image's root being built), resolved as if the
 * tree were "/": a package's absolute symlink etc/ssl -> /etc/ssl leads to
 * TREE/etc/ssl, and "../../.." stops at the tree's root. Every function
 * takes the tree as an open folder (tree_fd, from tree_path_open_root) and
 * a path relative to it; the kernel resolves it (openat2 with
 * RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so nothing a package left in
 * the tree can lead a read or a write to the build host.
 *
 * The final component of a path that is written (a file, a symlink, a
 * rename's two ends, an unlink, rm -rf) is never followed: it is replaced
 * or removed as it is, a symlink included. Its parents are followed, in
 * the tree. Every function returns 0 (or a descriptor) or a negative errno. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* The folder path, opened as a tree's root (O_NOFOLLOW: the tree's own
 * name is the caller's, and is no symlink). */
int tree_path_open_root(const char *path);

/* openat2(tree_fd, rel, flags) resolved in the tree: a descriptor. */
int tree_path_open(int tree_fd, const char *rel, int flags, mode_t mode);

/* openat2(tree_fd, rel, flags) with no symlink and no ".." out of the
 * tree on the way (-ELOOP, -EXDEV): for a path handed to a program of the
 * build host that would follow symlinks out of the tree. */
int tree_path_open_real(int tree_fd, const char *rel, int flags);

/* The folder holding rel's final component, resolved in the tree, opened
 * (O_DIRECTORY); *ret_name points at that component inside rel. rel may
 * not end in "." or ".." (-EINVAL). With mkdir_mode >= 0, missing parents
 * are created with that mode. */
int tree_path_open_parent(int tree_fd, const char *rel, int mkdir_mode, const char **ret_name);

/* tree_path_open_parent with no symlink among the parents (-ELOOP). */
int tree_path_open_parent_real(int tree_fd, const char *rel, int mkdir_mode, const char **ret_name);

/* mkdir -p in the tree; returns a descriptor of the folder. Folders made
 * get mode; an existing one is kept as it is. A symlink on the way that
 * leads nowhere in the tree fails with -ELOOP (mkdir -p in a chroot would
 * fail too), a file on the way with -ENOTDIR. */
int tree_path_mkdir_p(int tree_fd, const char *rel, mode_t mode);
/* The same with no symlink on the way at all (-ELOOP). */
int tree_path_mkdir_p_real(int tree_fd, const char *rel, mode_t mode);

/* lstat of rel: its parents followed in the tree, itself not. */
int tree_path_lstat(int tree_fd, const char *rel, struct stat *ret);

/* Whether rel exists, followed in the tree (a dangling symlink does not). */
bool tree_path_exists(int tree_fd, const char *rel);

/* Reads the regular file rel (followed in the tree), at most max_size bytes
 * (0: 64 MiB), NUL-terminated. */
int tree_path_read(int tree_fd, const char *rel, size_t max_size, char **ret, size_t *ret_size);

/* Writes rel: a temporary file in rel's folder (created with its parents,
 * 0755), owned by root, with mode, then renamed over rel (a symlink there
 * is replaced, never written through). */
int tree_path_write(int tree_fd, const char *rel, const void *data, size_t size, mode_t mode);
/* The same with no symlink among rel's parents (-ELOOP). */
int tree_path_write_real(int tree_fd, const char *rel, const void *data, size_t size, mode_t mode);

/* symlink(target, rel); -EEXIST when rel exists (a dangling symlink too). */
int tree_path_symlink(int tree_fd, const char *target, const char *rel);

/* rename(from, to), both in the tree; neither end followed. */
int tree_path_rename(int tree_fd, const char *from, const char *to);

/* unlink rel (a file or a symlink, not followed); a missing rel is fine. */
int tree_path_unlink(int tree_fd, const char *rel);

/* rm -rf rel (lib/rm-rf.h): a symlink is removed, never followed. */
int tree_path_rm_rf(int tree_fd, const char *rel);
