/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* An initramfs archive read into memory: each member's name, type, link
 * target and, for regular files other than kernel modules, its bytes. The
 * bytes held are bounded (INDEX_MAX_BYTES), and so is the number of members.
 * Lookups resolve names the way the unpacked archive resolves them. */

#define INDEX_MAX_BYTES (UINT64_C(1) << 30)
#define INDEX_MAX_MEMBERS (1u << 20)
/* Members that are hard links, at most. Each is matched to its set by name
 * among the members before it: a made-up archive of a million would take
 * hours. A normalized archive (initramfs-normalize.c) has none. */
#define INDEX_MAX_HARDLINKS 1024
/* Symbolic links followed in one lookup at most, as the kernel does. */
#define INDEX_MAX_LINKS 40

typedef enum NodeType {
        NODE_DIR,
        NODE_REG,
        NODE_SYMLINK,
        NODE_OTHER, /* devices, fifos, sockets */
} NodeType;

typedef struct Node {
        char *path; /* without a leading "/" or "./" and trailing "/"; "" is the root */
        NodeType type;
        char *target; /* a symbolic link's target */
        void *data; /* a regular file's bytes; NULL for kernel modules and empty files */
        size_t size;
        size_t seq; /* the member's place in the archive: a later one of the same name wins */
} Node;

typedef struct Index {
        Node *nodes; /* sorted by path, one per path */
        size_t n;
        uint64_t held; /* bytes of data held */
} Index;

/* -EIO (unreadable archive), -EFBIG (past the bounds) with a sentence in
 * reterr, -ENOMEM. */
int index_read(const char *archive, Index *ret, char *reterr, size_t reterr_size);
void index_done(Index *ix);
/* The member with exactly this (normalized) path, or NULL. */
const Node *index_lookup(const Index *ix, const char *path);
/* Resolves path (absolute or relative to the root) inside the archive,
 * following symbolic links; 0, -ENOENT, -ENOTDIR, -ELOOP, -ENOMEM. */
int index_resolve(const Index *ix, const char *path, const Node **ret);
/* The same, each name of the path and of the links it follows taken from
 * *steps_left; -E2BIG when none is left (a made-up archive's links, each
 * PATH_MAX long, are 40 x 2048 names for one lookup). */
int index_resolve_bounded(const Index *ix, const char *path, const Node **ret, unsigned long *steps_left);
