/* SPDX-License-Identifier: MIT */
#include "initramfs-normalize.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"

typedef struct Item {
        struct archive_entry *entry;
        void *data;
        size_t size;
} Item;

static int cmp_item(const void *a, const void *b) {
        return strcmp(archive_entry_pathname(((const Item *) a)->entry),
                      archive_entry_pathname(((const Item *) b)->entry));
}

static void items_free(Item *items, size_t n) {
        for (size_t i = 0; i < n; i++) {
                archive_entry_free(items[i].entry);
                free(items[i].data);
        }
        free(items);
}

static int read_all(const char *in, Item **ret, size_t *ret_n) {
        struct archive *a = archive_read_new();
        struct archive_entry *e;
        Item *items = NULL;
        size_t n = 0;
        int r = 0;

        archive_read_support_filter_all(a);
        archive_read_support_format_cpio(a);
        if (archive_read_open_filename(a, in, 65536) != ARCHIVE_OK) {
                r = log_error_errno(EIO, "%s: %s", in, archive_error_string(a));
                goto finish;
        }
        while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
                Item *p;
                la_int64_t size = archive_entry_size(e);
                const char *name = archive_entry_pathname(e);

                /* dracut's record of its command line names the build host's folders. */
                if (strstr(name, "dracut/build-parameter.txt"))
                        continue;
                p = realloc(items, sizeof(Item) * (n + 1));
                if (!p) {
                        r = log_oom();
                        goto finish;
                }
                items = p;
                items[n] = (Item){ .entry = archive_entry_clone(e) };
                n++;
                if (size > 0 && archive_entry_filetype(e) == AE_IFREG) {
                        items[n - 1].data = malloc((size_t) size);
                        if (!items[n - 1].data ||
                            archive_read_data(a, items[n - 1].data, (size_t) size) != (la_ssize_t) size) {
                                r = log_error_errno(EIO, "%s: short read of %s", in,
                                                    archive_entry_pathname(e));
                                goto finish;
                        }
                        items[n - 1].size = (size_t) size;
                }
        }
        r = r == ARCHIVE_EOF ? 0 : log_error_errno(EIO, "%s: %s", in, archive_error_string(a));
finish:
        archive_read_free(a);
        if (r < 0) {
                items_free(items, n);
                return r;
        }
        *ret = items;
        *ret_n = n;
        return 0;
}

/* A hard link becomes a copy of the file it names, so entries stand alone. */
static int resolve_hardlinks(Item *items, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const char *target = archive_entry_hardlink(items[i].entry);
                if (!target)
                        continue;
                for (size_t j = 0; j < n; j++) {
                        if (j == i || !streq(archive_entry_pathname(items[j].entry), target) ||
                            !items[j].data)
                                continue;
                        items[i].data = malloc(items[j].size);
                        if (!items[i].data)
                                return -ENOMEM;
                        memcpy(items[i].data, items[j].data, items[j].size);
                        items[i].size = items[j].size;
                }
                archive_entry_set_hardlink(items[i].entry, NULL);
                archive_entry_set_size(items[i].entry, (la_int64_t) items[i].size);
        }
        return 0;
}

int initramfs_normalize(const char *in, const char *out, int64_t mtime) {
        struct archive *w = NULL;
        Item *items = NULL;
        size_t n = 0;
        int r;

        r = read_all(in, &items, &n);
        if (r < 0)
                return r;
        r = resolve_hardlinks(items, n);
        if (r < 0) {
                items_free(items, n);
                return log_oom();
        }
        qsort(items, n, sizeof(Item), cmp_item);

        w = archive_write_new();
        archive_write_set_format_cpio_newc(w);
        archive_write_add_filter_zstd(w);
        archive_write_set_filter_option(w, "zstd", "compression-level", "9");
        if (archive_write_open_filename(w, out) != ARCHIVE_OK) {
                r = log_error_errno(EIO, "%s: %s", out, archive_error_string(w));
                goto finish;
        }
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = items[i].entry;

                archive_entry_set_mtime(e, (time_t) mtime, 0);
                archive_entry_set_ino(e, (la_int64_t) i + 1);
                archive_entry_set_dev(e, 0);
                archive_entry_set_nlink(e, archive_entry_filetype(e) == AE_IFDIR ? 2 : 1);
                if (archive_write_header(w, e) != ARCHIVE_OK ||
                    (items[i].size > 0 && archive_write_data(w, items[i].data, items[i].size) < 0)) {
                        r = log_error_errno(EIO, "%s: %s", out, archive_error_string(w));
                        goto finish;
                }
        }
        if (archive_write_close(w) != ARCHIVE_OK)
                r = log_error_errno(EIO, "%s: %s", out, archive_error_string(w));
finish:
        archive_write_free(w);
        items_free(items, n);
        return r;
}
