/* SPDX-License-Identifier: MIT */
#include "initramfs-index.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

static const Node root_node = { .path = (char *) "", .type = NODE_DIR };

static _printf_(3, 4) int fail(char *err, size_t err_size, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
        return -EIO;
}

static char *normalize(const char *name) {
        size_t n;

        for (;;) {
                if (name[0] == '/')
                        name++;
                else if (name[0] == '.' && name[1] == '/')
                        name += 2;
                else
                        break;
        }
        if (streq(name, "."))
                name = "";
        n = strlen(name);
        while (n > 0 && name[n - 1] == '/')
                n--;
        return strndup(name, n);
}

/* Kernel modules are not read: the check needs their names only. */
static bool is_kernel_module(const char *path) {
        static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
        size_t n = strlen(path);

        for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
                size_t m = strlen(suffixes[i]);
                if (n > m && streq(path + n - m, suffixes[i]))
                        return true;
        }
        return false;
}

static void node_done(Node *n) {
        free(n->path);
        free(n->target);
        free(n->data);
}

void index_done(Index *ix) {
        for (size_t i = 0; i < ix->n; i++)
                node_done(&ix->nodes[i]);
        free(ix->nodes);
        *ix = (Index){};
}

static int read_data(struct archive *a, Node *n, uint64_t size) {
        size_t got = 0;

        n->data = malloc(size);
        if (!n->data)
                return -ENOMEM;
        while (got < size) {
                la_ssize_t r = archive_read_data(a, (char *) n->data + got, size - got);
                if (r <= 0)
                        return -EIO;
                got += (size_t) r;
        }
        n->size = size;
        return 0;
}

/* One member into n; hard links (which libarchive reports against the
 * first name of the set) become copies, the way initramfs-normalize stores them. */
static int read_member(struct archive *a, struct archive_entry *e, Index *ix, Node *n, char *err,
                       size_t err_size) {
        const char *name = archive_entry_pathname(e), *hard = archive_entry_hardlink(e);
        la_int64_t size = archive_entry_size(e);
        mode_t type = archive_entry_filetype(e);

        if (!name)
                return fail(err, err_size, "a member without a name");
        /* The kernel's unpacker skips a name or link target of PATH_MAX
         * bytes or more; each lookup would copy it. */
        if (strlen(name) >= PATH_MAX)
                return fail(err, err_size, "a member's name is longer than %d bytes", PATH_MAX - 1);
        if (type == AE_IFLNK && strlen(strempty(archive_entry_symlink(e))) >= PATH_MAX)
                return fail(err, err_size, "%.200s: a link target longer than %d bytes", name, PATH_MAX - 1);
        n->path = normalize(name);
        if (!n->path)
                return -ENOMEM;
        if (type == AE_IFDIR)
                n->type = NODE_DIR;
        else if (type == AE_IFLNK) {
                n->type = NODE_SYMLINK;
                n->target = strdup(strempty(archive_entry_symlink(e)));
                if (!n->target)
                        return -ENOMEM;
        } else if (type == AE_IFREG || hard)
                n->type = NODE_REG;
        else
                n->type = NODE_OTHER;

        if (n->type == NODE_REG && size > 0 && !is_kernel_module(n->path)) {
                if ((uint64_t) size > INDEX_MAX_BYTES - ix->held) {
                        snprintf(err, err_size, "more than %llu bytes of files to read",
                                 (unsigned long long) INDEX_MAX_BYTES);
                        return -EFBIG;
                }
                if (read_data(a, n, (uint64_t) size) < 0)
                        return n->data ? fail(err, err_size, "%s: short read", n->path) : -ENOMEM;
                ix->held += (uint64_t) size;
        }
        if (hard && !n->data) {
                /* An earlier member of the set may hold the bytes. */
                _cleanup_free_ char *target = normalize(hard);
                if (!target)
                        return -ENOMEM;
                for (size_t i = ix->n; i-- > 0;)
                        if (streq(ix->nodes[i].path, target) && ix->nodes[i].type == NODE_REG) {
                                if (ix->nodes[i].size > INDEX_MAX_BYTES - ix->held) {
                                        snprintf(err, err_size, "more than %llu bytes of files to read",
                                                 (unsigned long long) INDEX_MAX_BYTES);
                                        return -EFBIG;
                                }
                                if (ix->nodes[i].data) {
                                        n->data = malloc(ix->nodes[i].size);
                                        if (!n->data)
                                                return -ENOMEM;
                                        memcpy(n->data, ix->nodes[i].data, ix->nodes[i].size);
                                        n->size = ix->nodes[i].size;
                                        ix->held += n->size;
                                }
                                break;
                        }
        }
        return 0;
}

/* newc stores a hard link set's bytes with its last member: the earlier,
 * empty members get a copy. */
static int share_hardlink_data(struct archive_entry *e, Index *ix, const Node *last) {
        const char *hard = archive_entry_hardlink(e);
        _cleanup_free_ char *target = NULL;

        if (!hard || !last->data)
                return 0;
        target = normalize(hard);
        if (!target)
                return -ENOMEM;
        for (size_t i = 0; i + 1 < ix->n; i++) {
                Node *o = &ix->nodes[i];
                if (!streq(o->path, target) || o->type != NODE_REG || o->data)
                        continue;
                if (last->size > INDEX_MAX_BYTES - ix->held)
                        return -EFBIG;
                o->data = malloc(last->size);
                if (!o->data)
                        return -ENOMEM;
                memcpy(o->data, last->data, last->size);
                o->size = last->size;
                ix->held += o->size;
        }
        return 0;
}

static int cmp_node(const void *a, const void *b) {
        const Node *x = a, *y = b;
        int c = strcmp(x->path, y->path);
        return c != 0 ? c : (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* Sorted by path; of two members with one name, the later one, as unpacking leaves it. */
static void sort_and_dedup(Index *ix) {
        size_t w = 0;

        qsort(ix->nodes, ix->n, sizeof(Node), cmp_node);
        for (size_t i = 0; i < ix->n; i++) {
                if (i + 1 < ix->n && streq(ix->nodes[i].path, ix->nodes[i + 1].path)) {
                        node_done(&ix->nodes[i]);
                        continue;
                }
                ix->nodes[w++] = ix->nodes[i];
        }
        ix->n = w;
}

int index_read(const char *archive, Index *ret, char *err, size_t err_size) {
        struct archive *a = archive_read_new();
        struct archive_entry *e;
        Index ix = {};
        unsigned hardlinks = 0;
        int r;

        if (!a)
                return -ENOMEM;
        archive_read_support_filter_all(a);
        archive_read_support_format_cpio(a);
        if (archive_read_open_filename(a, archive, 65536) != ARCHIVE_OK) {
                r = fail(err, err_size, "%s", archive_error_string(a));
                goto finish;
        }
        while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
                Node *p;

                if (ix.n >= INDEX_MAX_MEMBERS) {
                        snprintf(err, err_size, "more than %u members", INDEX_MAX_MEMBERS);
                        r = -EFBIG;
                        goto finish;
                }
                if (archive_entry_hardlink(e) && ++hardlinks > INDEX_MAX_HARDLINKS) {
                        snprintf(err, err_size, "more than %u hard links", INDEX_MAX_HARDLINKS);
                        r = -EFBIG;
                        goto finish;
                }
                p = realloc(ix.nodes, sizeof(Node) * (ix.n + 1));
                if (!p) {
                        r = -ENOMEM;
                        goto finish;
                }
                ix.nodes = p;
                ix.nodes[ix.n] = (Node){ .seq = ix.n };
                r = read_member(a, e, &ix, &ix.nodes[ix.n], err, err_size);
                ix.n++;
                if (r >= 0)
                        r = share_hardlink_data(e, &ix, &ix.nodes[ix.n - 1]);
                if (r < 0)
                        goto finish;
        }
        r = r == ARCHIVE_EOF ? 0 : fail(err, err_size, "%s", archive_error_string(a));
finish:
        archive_read_free(a);
        if (r < 0) {
                index_done(&ix);
                return r;
        }
        sort_and_dedup(&ix);
        *ret = ix;
        return 0;
}

const Node *index_lookup(const Index *ix, const char *path) {
        const Node key = { .path = (char *) path };
        size_t lo = 0, hi = ix->n;

        if (!*path)
                return &root_node;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(key.path, ix->nodes[mid].path);
                if (c == 0)
                        return &ix->nodes[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

int index_resolve(const Index *ix, const char *path, const Node **ret) {
        return index_resolve_bounded(ix, path, ret, NULL);
}

int index_resolve_bounded(const Index *ix, const char *path, const Node **ret, unsigned long *steps_left) {
        _cleanup_free_ char *rest = strdup(path), *cur = strdup("");
        const Node *node = &root_node;
        unsigned links = 0;
        char *p = rest;

        if (!rest || !cur)
                return -ENOMEM;
        for (;;) {
                _cleanup_free_ char *cand = NULL;
                size_t len;

                p += strspn(p, "/");
                if (!*p)
                        break;
                if (steps_left && (*steps_left)-- == 0)
                        return -E2BIG;
                if (node->type != NODE_DIR)
                        return -ENOTDIR;
                len = strcspn(p, "/");
                if (len == 1 && p[0] == '.') {
                        p += len;
                        continue;
                }
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        /* cur is the real folder: ".." is its parent, and the root's is the root. */
                        char *slash = strrchr(cur, '/');
                        *(slash ? slash : cur) = 0;
                        node = index_lookup(ix, cur);
                        if (!node)
                                return -ENOENT;
                        p += len;
                        continue;
                }
                if (asprintf(&cand, "%s%s%.*s", cur, *cur ? "/" : "", (int) len, p) < 0)
                        return -ENOMEM;
                p += len;
                node = index_lookup(ix, cand);
                if (!node)
                        return -ENOENT;
                if (node->type == NODE_SYMLINK) {
                        char *next;

                        if (++links > INDEX_MAX_LINKS)
                                return -ELOOP;
                        if (!node->target[0])
                                return -ENOENT;
                        if (asprintf(&next, "%s/%s", node->target, p) < 0)
                                return -ENOMEM;
                        if (node->target[0] == '/')
                                cur[0] = 0;
                        free(rest);
                        rest = p = next;
                        node = index_lookup(ix, cur);
                        if (!node)
                                return -ENOENT;
                        continue;
                }
                free(cur);
                cur = TAKE_PTR(cand);
        }
        *ret = node;
        return 0;
}
