/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/stat.h>

/* A walk of a tree, each folder before what it holds, in the order the file
 * system lists them. Symlinks are reported, never followed. */
typedef enum WalkType {
        WALK_DIR,
        WALK_FILE, /* anything but a folder or a symlink */
        WALK_SYMLINK,
} WalkType;

typedef struct WalkEntry {
        const char *path; /* root/rel */
        const char *rel; /* relative to the root; "" for the root itself */
        const struct stat *st; /* lstat() of path */
        WalkType type;
        unsigned depth; /* 0: the root */
} WalkEntry;

/* Returns 0 to go on, a negative errno to stop the walk (walk_tree returns it). */
typedef int (*walk_func_t)(const WalkEntry *e, void *userdata);

/* Calls f for root and everything under it, with userdata. Returns 0, the
 * callback's error, or -errno when a folder cannot be read. */
int walk_tree(const char *root, walk_func_t f, void *userdata);

/* The same walk of the folder open as root_fd (not taken: a copy of it is
 * read), named root in the entries' paths. A walk of a folder opened in a
 * tree (tree-path.h) goes where its descriptor is, whatever root names. */
int walk_tree_fd(int root_fd, const char *root, walk_func_t f, void *userdata);
