/* SPDX-License-Identifier: MIT */

/* A .deb is an ar archive holding debian-binary, control.tar.* and data.tar.*.
 * libarchive reads the ar container; each inner tarball is read by a second
 * archive whose read callback pulls bytes from the outer one, so nothing is
 * written to a temporary file. */

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deb.h"
#include "epoch.h"
#include "log.h"
#include "strv.h"
#include "usrmerge.h"

static struct archive *archive_read_free_null(struct archive *a) {
        (void) archive_read_free(a);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free_null);

static struct archive *archive_write_free_null(struct archive *a) {
        (void) archive_write_free(a);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free_null);

bool path_excluded(const char *path, char *const *exclude) {
        char buf[4096];
        size_t len = strlen(path);

        if (!exclude || len >= sizeof(buf))
                return false;
        memcpy(buf, path, len + 1);

        /* Try the path, then each parent: the glob "/usr/share/doc/" "*" drops
         * the whole /usr/share/doc/foo folder, with its copyright file. */
        for (;;) {
                STRV_FOREACH (g, (char **) exclude)
                        if (fnmatch(*g, buf, FNM_PATHNAME | FNM_PERIOD) == 0)
                                return true;
                char *slash = strrchr(buf, '/');
                if (!slash || slash == buf)
                        return false;
                *slash = 0;
        }
}

/* The same test on a member's name as the package has it ("./bin/x"). */
static bool path_excluded_unmerged(const char *member, char *const *exclude) {
        char buf[4096];

        while (member[0] == '.' && member[1] == '/')
                member += 2;
        while (*member == '/')
                member++;
        snprintf(buf, sizeof(buf), "/%s", member);
        return path_excluded(buf, exclude);
}

typedef struct Outer {
        struct archive *ar;
        char buf[64 * 1024];
} Outer;

static la_ssize_t outer_read(struct archive *a, void *userdata, const void **buf) {
        Outer *o = userdata;
        la_ssize_t n = archive_read_data(o->ar, o->buf, sizeof(o->buf));
        *buf = o->buf;
        return n;
}

static struct archive *inner_open(Outer *o) {
        struct archive *a = archive_read_new();
        if (!a)
                return NULL;
        archive_read_support_format_tar(a);
        archive_read_support_filter_all(a);
        if (archive_read_open(a, o, NULL, outer_read, NULL) != ARCHIVE_OK) {
                log_debug("inner archive: %s", archive_error_string(a));
                (void) archive_read_free(a);
                return NULL;
        }
        return a;
}

static int read_control(Outer *o, const char *deb, DebControl **ret) {
        _cleanup_(archive_read_free_nullp) struct archive *a = inner_open(o);
        struct archive_entry *e;

        if (!a)
                return log_error_errno(EBADMSG, "%s: control.tar is unreadable.", deb);
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
                const char *name = archive_entry_pathname(e);
                char text[64 * 1024];
                la_ssize_t n;

                if (!streq(name, "./control") && !streq(name, "control"))
                        continue;
                n = archive_read_data(a, text, sizeof(text) - 1);
                if (n < 0)
                        return log_error_errno(EBADMSG, "%s: control: %s", deb, archive_error_string(a));
                int r = deb_control_parse(text, (size_t) n, ret);
                if (r < 0)
                        return log_error_errno(r, "%s: control file lacks Package/Version/Architecture.",
                                               deb);
                return 0;
        }
        return log_error_errno(EBADMSG, "%s: control.tar has no control file.", deb);
}

static int copy_entry_data(struct archive *in, struct archive *out) {
        for (;;) {
                const void *buf;
                size_t size;
                la_int64_t offset;
                int r = archive_read_data_block(in, &buf, &size, &offset);

                if (r == ARCHIVE_EOF)
                        return 0;
                if (r != ARCHIVE_OK)
                        return -EIO;
                if (archive_write_data_block(out, buf, size, offset) != ARCHIVE_OK)
                        return -EIO;
        }
}

/* Reads a small member whole (the copyright file) so it can be both scanned
 * and written. */
static int read_small(struct archive *in, la_int64_t size, char **ret) {
        char *buf;
        la_ssize_t n;

        if (size < 0 || size > (1 << 20))
                return -EFBIG;
        buf = malloc((size_t) size + 1);
        if (!buf)
                return -ENOMEM;
        n = archive_read_data(in, buf, (size_t) size);
        if (n != size) {
                free(buf);
                return -EIO;
        }
        buf[size] = 0;
        *ret = buf;
        return 0;
}

static int unpack_data(Outer *o, const char *deb, const char *root, DebControl *control,
                       char *const *exclude, DebUnpackStats *stats) {
        _cleanup_(archive_read_free_nullp) struct archive *a = inner_open(o);
        _cleanup_(archive_write_free_nullp) struct archive *w = archive_write_disk_new();
        _cleanup_free_ char *copyright_path = NULL;
        struct archive_entry *e;
        int r;

        if (!a || !w)
                return log_error_errno(EBADMSG, "%s: data.tar is unreadable.", deb);
        if (asprintf(&copyright_path, "usr/share/doc/%s/copyright", control->package) < 0)
                return log_oom();

        /* Paths are root (a real path, no symlink in it) joined with the
         * member's name, which usrmerge_path() made relative, normalised, free
         * of ".." and at most USRMERGE_MAX_COMPONENTS deep;
         * the SECURE flags refuse whatever would go through a symlink, so
         * nothing lands outside the tree. */
        archive_write_disk_set_options(w, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM |
                                                  ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
                                                  ARCHIVE_EXTRACT_UNLINK | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                  ARCHIVE_EXTRACT_SECURE_SYMLINKS);
        /* Owners come from the archive's numeric ids: the build host's
         * /etc/passwd says nothing about the image's users. */
        archive_write_disk_set_user_lookup(w, NULL, NULL, NULL);
        archive_write_disk_set_group_lookup(w, NULL, NULL, NULL);

        for (;;) {
                _cleanup_free_ char *path = NULL, *link = NULL, *target = NULL, *text = NULL;
                _cleanup_free_ char *full = NULL, *full_link = NULL;
                struct stat st;

                r = archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r != ARCHIVE_OK)
                        return log_error_errno(EBADMSG, "%s: data.tar: %s", deb, archive_error_string(a));

                r = usrmerge_path(archive_entry_pathname(e), &path);
                if (r == -ENAMETOOLONG)
                        return log_error_errno(
                                r, "%s: package %s: refusing member '%.200s...': deeper than %d folders.",
                                deb, control->package, archive_entry_pathname(e), USRMERGE_MAX_COMPONENTS);
                if (r < 0)
                        return log_error_errno(r, "%s: package %s: refusing member '%s'.", deb,
                                               control->package, archive_entry_pathname(e));
                if (!path)
                        continue;
                if (asprintf(&target, "/%s", path) < 0)
                        return log_oom();

                /* A date past year 9999 (or before 1970) cannot date the build:
                 * such a member's date is not counted. */
                if (archive_entry_mtime(e) > stats->max_mtime && epoch_valid(archive_entry_mtime(e)))
                        stats->max_mtime = archive_entry_mtime(e);

                if (streq(path, copyright_path) && archive_entry_filetype(e) == AE_IFREG) {
                        r = read_small(a, archive_entry_size(e), &text);
                        if (r < 0)
                                return log_error_errno(r, "%s: cannot read %s: %m", deb, path);
                        r = deb_copyright_licenses(text, (size_t) archive_entry_size(e), &control->license);
                        if (r < 0)
                                return log_oom();
                }

                /* A recipe may name a file by its merged path (/usr/bin/x) or by
                 * the one the package uses (/bin/x). */
                if (path_excluded(target, exclude) ||
                    path_excluded_unmerged(archive_entry_pathname(e), exclude)) {
                        stats->excluded++;
                        continue;
                }

                /* A package's device node would give whoever can open it in
                 * the tree (or the image) a way to the device: none is made. */
                if (archive_entry_filetype(e) == AE_IFCHR || archive_entry_filetype(e) == AE_IFBLK)
                        return log_error_errno(EPERM,
                                               "%s: package %s: refusing member '%s': a %s device node "
                                               "(packages may not create device nodes).",
                                               deb, control->package, archive_entry_pathname(e),
                                               archive_entry_filetype(e) == AE_IFCHR ? "character"
                                                                                     : "block");
                if (archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e)) {
                        uint64_t size = archive_entry_size(e) > 0 ? (uint64_t) archive_entry_size(e) : 0;
                        uint64_t member_limit = stats->limit_member_bytes ?: DEB_UNPACK_LIMIT_MEMBER_BYTES;
                        uint64_t limit = stats->limit_bytes ?: DEB_UNPACK_LIMIT_BYTES;

                        if (size > member_limit)
                                return log_error_errno(EFBIG,
                                                       "%s: package %s: refusing member '%s': %" PRIu64
                                                       " bytes, over the limit of %" PRIu64 " for one file.",
                                                       deb, control->package, archive_entry_pathname(e),
                                                       size, member_limit);
                        if (stats->bytes > limit || size > limit - stats->bytes)
                                return log_error_errno(EFBIG,
                                                       "%s: package %s: refusing member '%s': %" PRIu64
                                                       " bytes would take the build's packages over the "
                                                       "limit of %" PRIu64 " bytes in all.",
                                                       deb, control->package, archive_entry_pathname(e),
                                                       size, limit);
                }

                if (archive_entry_hardlink(e)) {
                        _cleanup_free_ char *link_target = NULL;
                        r = usrmerge_path(archive_entry_hardlink(e), &link);
                        if (r < 0 || !link)
                                return log_error_errno(EPERM, "%s: refusing hard link '%s'.", deb,
                                                       archive_entry_hardlink(e));
                        /* The file it links to was excluded: so is the link (it has no data of its own). */
                        if (asprintf(&link_target, "/%s", link) < 0)
                                return log_oom();
                        if (path_excluded(link_target, exclude) ||
                            path_excluded_unmerged(archive_entry_hardlink(e), exclude)) {
                                log_debug("%s: /%s dropped with the file it links to, %s", control->package,
                                          path, link_target);
                                stats->excluded++;
                                continue;
                        }
                        if (asprintf(&full_link, "%s/%s", root, link) < 0)
                                return log_oom();
                        archive_entry_set_hardlink(e, full_link);
                }
                if (asprintf(&full, "%s/%s", root, path) < 0)
                        return log_oom();
                archive_entry_set_pathname(e, full);

                if (archive_entry_filetype(e) != AE_IFDIR && lstat(full, &st) == 0 && !S_ISDIR(st.st_mode)) {
                        log_debug("%s: replaces /%s", control->package, path);
                        stats->replaced++;
                }

                if (archive_write_header(w, e) != ARCHIVE_OK)
                        return log_error_errno(EIO, "%s: cannot write /%s: %s", deb, path,
                                               archive_error_string(w));
                if (text) {
                        if (archive_write_data(w, text, (size_t) archive_entry_size(e)) < 0)
                                return log_error_errno(EIO, "%s: /%s: %s", deb, path,
                                                       archive_error_string(w));
                } else if (archive_entry_size(e) > 0) {
                        if (copy_entry_data(a, w) < 0)
                                return log_error_errno(EIO, "%s: /%s: %s %s", deb, path,
                                                       archive_error_string(a),
                                                       strempty(archive_error_string(w)));
                }
                if (archive_write_finish_entry(w) != ARCHIVE_OK)
                        return log_error_errno(EIO, "%s: /%s: %s", deb, path, archive_error_string(w));

                if (archive_entry_filetype(e) != AE_IFDIR) {
                        stats->files++;
                        if (archive_entry_filetype(e) == AE_IFREG)
                                stats->bytes += (uint64_t) archive_entry_size(e);
                }
        }

        if (archive_write_close(w) != ARCHIVE_OK)
                return log_error_errno(EIO, "%s: %s", deb, archive_error_string(w));
        return 0;
}

int deb_unpack(const char *deb, const char *root, char *const *exclude, DebControl **ret_control,
               DebUnpackStats *stats) {
        _cleanup_(archive_read_free_nullp) struct archive *ar = archive_read_new();
        _cleanup_(deb_control_freep) DebControl *control = NULL;
        _cleanup_free_ Outer *o = calloc(1, sizeof(Outer));
        _cleanup_free_ char *real_root = NULL;
        struct archive_entry *e;
        bool have_data = false;
        int r = 0;

        if (!ar || !o)
                return log_oom();

        archive_read_support_format_ar(ar);
        if (archive_read_open_filename(ar, deb, 64 * 1024) != ARCHIVE_OK)
                return log_error_errno(archive_errno(ar) > 0 ? archive_errno(ar) : EBADMSG, "%s: %s", deb,
                                       archive_error_string(ar));
        o->ar = ar;

        real_root = realpath(root, NULL);
        if (!real_root)
                return log_error_errno(errno, "Cannot enter '%s': %m", root);

        while (r >= 0 && archive_read_next_header(ar, &e) == ARCHIVE_OK) {
                const char *name = archive_entry_pathname(e);

                if (strncmp(name, "control.tar", 11) == 0)
                        r = read_control(o, deb, &control);
                else if (strncmp(name, "data.tar", 8) == 0) {
                        if (!control)
                                r = log_error_errno(EBADMSG, "%s: data.tar comes before control.tar.", deb);
                        else
                                r = unpack_data(o, deb, real_root, control, exclude, stats);
                        have_data = true;
                }
        }

        if (r < 0)
                return r;
        if (!control || !have_data)
                return log_error_errno(EBADMSG, "%s: not a Debian package (control or data missing).", deb);

        if (ret_control)
                *ret_control = TAKE_PTR(control);
        return 0;
}
