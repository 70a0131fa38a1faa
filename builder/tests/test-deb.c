/* SPDX-License-Identifier: MIT */

/* deb.c and usrmerge.c: a .deb made here with libarchive (ar, control.tar.gz,
 * data.tar.xz) is unpacked, and the tree is checked for usr-merged paths,
 * modes with setuid, hard links, symlinks, file capabilities, exclusions and
 * the licence found in its DEP-5 copyright file; device nodes and members
 * over the size limits are refused. */

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../lib/tests/tap.h"
#include "cache.h"
#include "deb.h"
#include "log.h"
#include "usrmerge.h"

typedef struct Member {
        const char *path;
        int type; /* AE_IFREG, AE_IFDIR, AE_IFLNK, 0 = hard link */
        int mode;
        const char *data; /* file content, symlink target or hard link target */
        bool capability;
        int64_t mtime; /* 0: 1700000000 plus the member's index */
} Member;

static int write_tar(const Member *m, size_t n, bool xz, char **ret, size_t *ret_size) {
        struct archive *a = archive_write_new();
        size_t cap = 1 << 20, used = 0;
        char *buf = malloc(cap);

        archive_write_set_format_pax_restricted(a);
        if (xz)
                archive_write_add_filter_xz(a);
        else
                archive_write_add_filter_gzip(a);
        archive_write_open_memory(a, buf, cap, &used);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();
                archive_entry_set_pathname(e, m[i].path);
                archive_entry_set_uid(e, 0);
                archive_entry_set_gid(e, 0);
                archive_entry_set_mtime(e, m[i].mtime ? (time_t) m[i].mtime : 1700000000 + (time_t) i, 0);
                if (m[i].type == 0) {
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_perm(e, (mode_t) m[i].mode);
                        archive_entry_set_hardlink(e, m[i].data);
                        archive_entry_set_size(e, 0);
                } else {
                        archive_entry_set_filetype(e, (mode_t) m[i].type);
                        archive_entry_set_perm(e, (mode_t) m[i].mode);
                        if (m[i].type == AE_IFLNK)
                                archive_entry_set_symlink(e, m[i].data);
                        archive_entry_set_size(e,
                                               m[i].type == AE_IFREG ? (la_int64_t) strlen(m[i].data) : 0);
                }
                if (m[i].capability) {
                        /* cap_net_bind_service=ep, VFS_CAP_REVISION_2 */
                        static const unsigned char caps[20] = { 1, 0, 0, 2, 0, 4 };
                        archive_entry_xattr_add_entry(e, "security.capability", caps, sizeof(caps));
                }
                archive_write_header(a, e);
                if (m[i].type == AE_IFREG)
                        archive_write_data(a, m[i].data, strlen(m[i].data));
                archive_entry_free(e);
        }
        archive_write_close(a);
        archive_write_free(a);
        *ret = buf;
        *ret_size = used;
        return 0;
}

static void ar_member(struct archive *a, const char *name, const void *data, size_t size) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t) size);
        archive_write_header(a, e);
        archive_write_data(a, data, size);
        archive_entry_free(e);
}

static void make_deb(const char *path, const Member *data, size_t n) {
        static const Member control[] = {
                { "./control", AE_IFREG, 0644,
                  "Package: fixture\nVersion: 1:2.0-1\nArchitecture: amd64\nSource: fixture-src (2.0-1)\n"
                  "Installed-Size: 12\nDescription: test\n continuation: not a field\n" },
        };
        struct archive *a = archive_write_new();
        _cleanup_free_ char *ctl = NULL, *dat = NULL;
        size_t ctl_size, dat_size;

        write_tar(control, ARRAY_SIZE(control), false, &ctl, &ctl_size);
        write_tar(data, n, true, &dat, &dat_size);
        archive_write_set_format_ar_svr4(a);
        archive_write_open_filename(a, path);
        ar_member(a, "debian-binary", "2.0\n", 4);
        ar_member(a, "control.tar.gz", ctl, ctl_size);
        ar_member(a, "data.tar.xz", dat, dat_size);
        archive_write_close(a);
        archive_write_free(a);
}

/* "./d/d/.../d/f": n components. */
static char *deep_path(size_t n) {
        char *p = malloc(2 + 2 * n + 1);
        size_t len = 0;

        if (!p)
                abort();
        p[len++] = '.';
        for (size_t i = 0; i < n; i++) {
                p[len++] = '/';
                p[len++] = i + 1 < n ? 'd' : 'f';
        }
        p[len] = 0;
        return p;
}

static void test_usrmerge(void) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "./bin/ls", "usr/bin/ls" },
                { "./sbin/", "usr/sbin" },
                { "/./bin/x", "usr/bin/x" },
                { "./bin//x", "usr/bin/x" },
                { "bin/./x", "usr/bin/x" },
                { ".//./lib/./a//b/", "usr/lib/a/b" },
                { "//sbin", "usr/sbin" },
                { "./lib64/ld.so", "usr/lib64/ld.so" },
                { "./lib/x86_64-linux-gnu/a", "usr/lib/x86_64-linux-gnu/a" },
                { "./library/x", "library/x" },
                { "./usr/bin/x", "usr/bin/x" },
                { "etc/motd", "etc/motd" },
                { "./binary", "binary" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *out = NULL;
                int r = usrmerge_path(cases[i].in, &out);
                ok(r == 0 && out && streq(out, cases[i].out), "usrmerge_path(%s) = %s", cases[i].in,
                   cases[i].out);
        }
        char *none = (char *) 1;
        ok(usrmerge_path("./", &none) == 0 && !none, "usrmerge_path(./) is the root");
        ok(usrmerge_path("./usr/../etc/x", &none) == -EPERM, "usrmerge_path refuses ..");
        ok(usrmerge_path("../x", &none) == -EPERM, "usrmerge_path refuses a leading ..");
        _cleanup_free_ char *dots = NULL;
        ok(usrmerge_path("./usr/..x/y", &dots) == 0, "usrmerge_path allows '..x' names");
        ok(usrmerge_path("./bin/./../etc/x", &none) == -EPERM, "usrmerge_path refuses .. after .");
        ok(usrmerge_path("/./.", &none) == 0 && !none, "usrmerge_path(/./.) is the root");

        _cleanup_free_ char *deep = deep_path(USRMERGE_MAX_COMPONENTS),
                            *deeper = deep_path(USRMERGE_MAX_COMPONENTS + 1);
        _cleanup_free_ char *d1 = NULL;
        ok(usrmerge_path(deep, &d1) == 0, "usrmerge_path allows %d components", USRMERGE_MAX_COMPONENTS);
        ok(usrmerge_path(deeper, &none) == -ENAMETOOLONG, "usrmerge_path refuses %d components",
           USRMERGE_MAX_COMPONENTS + 1);
}

static void test_excluded(void) {
        char *globs[] = { (char *) "/usr/share/doc/*", (char *) "/usr/bin/containerd-shim", NULL };
        ok(path_excluded("/usr/share/doc/foo", globs), "a folder matching a glob is excluded");
        ok(path_excluded("/usr/share/doc/foo/copyright", globs), "files below it are excluded");
        ok(!path_excluded("/usr/share/doc", globs), "the parent is kept");
        ok(!path_excluded("/usr/bin/containerd-shim-runc-v2", globs), "a longer name is kept");
        ok(path_excluded("/usr/bin/containerd-shim", globs), "an exact path is excluded");
        ok(!path_excluded("/usr/bin/x", NULL), "no globs exclude nothing");
}

static void test_control(void) {
        _cleanup_(deb_control_freep) DebControl *c = NULL;
        const char *text = "Package: foo\nSource: bar (1.0)\nVersion: 1.0-1\nArchitecture: all\n";
        _cleanup_free_ char *lic = NULL, *none = NULL;
        const char *dep5 = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
                           "Files: *\nLicense: GPL-2+\n\nFiles: x\nLicense: MIT\n\nLicense: GPL-2+\n text\n";

        ok(deb_control_parse(text, strlen(text), &c) == 0 && streq(c->source, "bar") &&
                   streq(c->package, "foo"),
           "control: Source without its version");
        ok(deb_control_parse("Package: x\n", 11, &c) == -EBADMSG, "control without Version is refused");
        int r = deb_copyright_licenses(dep5, strlen(dep5), &lic);
        ok(r == 0 && lic && streq(lic, "GPL-2+ AND MIT"), "DEP-5 licences, each once: %s",
           lic ? lic : "(null)");
        ok(deb_copyright_licenses("Just text\nLicense: GPL\n", 23, &none) == 0 && !none,
           "a copyright file that is not DEP-5 gives no licence");
}

static void test_unpack(void) {
        static const Member data[] = {
                { "./", AE_IFDIR, 0755, NULL },
                { "./bin/", AE_IFDIR, 0755, NULL },
                { "./bin/tool", AE_IFREG, 04755, "#!/bin/true\n" },
                { "./bin/tool-link", 0, 04755, "./bin/tool" },
                { "./sbin/", AE_IFDIR, 0755, NULL },
                { "./sbin/capable", AE_IFREG, 0755, "cap\n", true },
                { "./lib/", AE_IFDIR, 0755, NULL },
                { "./lib/libx.so", AE_IFLNK, 0777, "libx.so.1" },
                { "./etc/", AE_IFDIR, 0755, NULL },
                { "./etc/fixture.conf", AE_IFREG, 0640, "a=1\n" },
                { "./usr/share/doc/fixture/", AE_IFDIR, 0755, NULL },
                { "./usr/share/doc/fixture/copyright", AE_IFREG, 0644,
                  "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\n"
                  "License: Apache-2.0\n" },
        };
        static const Member evil[] = {
                { "./../escape", AE_IFREG, 0644, "x\n" },
        };
        /* A symlink out of the tree, then a file through it. */
        static const Member through_link[] = {
                { "./usr/", AE_IFDIR, 0755, NULL },
                { "./usr/out", AE_IFLNK, 0777, "../.." },
                { "./usr/out/escape2", AE_IFREG, 0644, "x\n" },
        };
        char dir[] = "/tmp/test-deb-XXXXXX";
        char *globs[] = { (char *) "/usr/share/doc/*", NULL };
        _cleanup_(deb_control_freep) DebControl *c = NULL;
        _cleanup_free_ char *deb = NULL, *bad = NULL, *tree = NULL, *linked = NULL, *tree3 = NULL;
        _cleanup_free_ char *cwd_before = getcwd(NULL, 0), *cwd_after = NULL;
        DebUnpackStats stats = { 0 };
        struct stat a, b;
        char buf[64];

        if (!mkdtemp(dir))
                return (void) ok(false, "mkdtemp");
        if (asprintf(&deb, "%s/fixture.deb", dir) < 0 || asprintf(&bad, "%s/evil.deb", dir) < 0 ||
            asprintf(&tree, "%s/tree", dir) < 0 || asprintf(&linked, "%s/linked.deb", dir) < 0 ||
            asprintf(&tree3, "%s/tree3", dir) < 0)
                return;
        mkdir(tree, 0755);
        mkdir(tree3, 0755);
        make_deb(deb, data, ARRAY_SIZE(data));
        make_deb(bad, evil, ARRAY_SIZE(evil));
        make_deb(linked, through_link, ARRAY_SIZE(through_link));

        ok(deb_unpack(deb, tree, globs, &c, &stats) == 0, "unpack a .deb");
        cwd_after = getcwd(NULL, 0);
        ok(cwd_before && cwd_after && streq(cwd_before, cwd_after), "the working folder is unchanged");
        ok(c && streq(c->package, "fixture") && streq(c->version, "1:2.0-1") &&
                   streq(c->source, "fixture-src"),
           "control read from control.tar.gz");
        ok(c && c->license && streq(c->license, "Apache-2.0"),
           "licence read before the doc folder was dropped");
        chdir(tree);
        ok(stat("usr/bin/tool", &a) == 0 && (a.st_mode & 07777) == 04755,
           "/bin/tool lands in usr/bin, setuid kept");
        ok(access("bin", F_OK) < 0, "no /bin folder is made");
        ok(stat("usr/bin/tool-link", &b) == 0 && a.st_ino == b.st_ino, "hard link kept (and usr-merged)");
        ok(readlink("usr/lib/libx.so", buf, sizeof(buf)) == 9 && memcmp(buf, "libx.so.1", 9) == 0,
           "symlink kept");
        ok(lgetxattr("usr/sbin/capable", "security.capability", buf, sizeof(buf)) == 20,
           "security.capability kept");
        ok(stat("etc/fixture.conf", &a) == 0 && (a.st_mode & 0777) == 0640, "/etc file with its mode");
        ok(access("usr/share/doc/fixture", F_OK) < 0 && stats.excluded == 2, "excluded paths dropped (%llu)",
           (unsigned long long) stats.excluded);
        ok(stats.max_mtime == 1700000000 + 11, "newest mtime recorded");
        chdir("/");

        /* Excluded by the package's own path (/bin, not /usr/bin): the file and its hard link go. */
        {
                char *by_old_path[] = { (char *) "/bin/tool", NULL };
                _cleanup_free_ char *tree2 = NULL;
                DebUnpackStats s2 = { 0 };
                deb_control_free(c);
                c = NULL;
                if (asprintf(&tree2, "%s/tree2", dir) < 0)
                        return;
                mkdir(tree2, 0755);
                ok(deb_unpack(deb, tree2, by_old_path, &c, &s2) == 0,
                   "a hard link to an excluded file does not fail the unpack");
                chdir(tree2);
                ok(access("usr/bin/tool", F_OK) < 0 && access("usr/bin/tool-link", F_OK) < 0 &&
                           s2.excluded == 2,
                   "/bin/tool excluded by its unmerged path, with its hard link (%llu)",
                   (unsigned long long) s2.excluded);
                ok(access("usr/sbin/capable", F_OK) == 0, "the rest is unpacked");
                chdir("/");
        }

        log_set_max_level(0); /* the refusal below logs an error on purpose */
        deb_control_free(c);
        c = NULL;
        ok(deb_unpack(bad, tree, NULL, &c, &stats) == -EPERM, "a member with .. is refused");
        _cleanup_free_ char *escape = NULL;
        ok(asprintf(&escape, "%s/escape", dir) > 0 && access(escape, F_OK) < 0,
           "nothing written outside the tree");
        deb_control_free(c);
        c = NULL;
        /* libarchive (SECURE_SYMLINKS with UNLINK) replaces the symlink by a folder. */
        ok(deb_unpack(linked, tree3, NULL, &c, &stats) == 0, "a member through a symlink is unpacked");
        _cleanup_free_ char *escape2 = NULL, *inside = NULL;
        ok(asprintf(&escape2, "%s/escape2", dir) > 0 && access(escape2, F_OK) < 0,
           "nothing written through a symlink out of the tree");
        ok(asprintf(&inside, "%s/usr/out/escape2", tree3) > 0 && lstat(inside, &a) == 0 &&
                   S_ISREG(a.st_mode),
           "the file lands inside the tree");
        ok(deb_unpack("/nonexistent.deb", tree, NULL, &c, &stats) < 0, "a missing .deb is an error");

        /* A path thousands of folders deep would leave a tree nothing can walk or remove. */
        {
                _cleanup_free_ char *deep_member = deep_path(USRMERGE_MAX_COMPONENTS + 1), *deep = NULL;
                _cleanup_free_ char *tree5 = NULL, *first = NULL;
                const Member too_deep[] = { { deep_member, AE_IFREG, 0644, "x\n" } };
                if (asprintf(&deep, "%s/deep.deb", dir) < 0 || asprintf(&tree5, "%s/tree5", dir) < 0 ||
                    asprintf(&first, "%s/d", tree5) < 0)
                        return;
                mkdir(tree5, 0755);
                make_deb(deep, too_deep, ARRAY_SIZE(too_deep));
                deb_control_free(c);
                c = NULL;
                ok(deb_unpack(deep, tree5, NULL, &c, &stats) == -ENAMETOOLONG,
                   "a member deeper than %d folders is refused", USRMERGE_MAX_COMPONENTS);
                ok(access(first, F_OK) < 0, "nothing of it is written");
        }
        /* Device nodes are refused; sizes over the limits are refused before anything is written. */
        {
                static const Member device[] = { { "./dev/", AE_IFDIR, 0755, NULL },
                                                 { "./dev/sda", AE_IFBLK, 0600, NULL } };
                static const Member big[] = { { "./usr/", AE_IFDIR, 0755, NULL },
                                              { "./usr/small", AE_IFREG, 0644, "0123456789\n" },
                                              { "./usr/big", AE_IFREG, 0644,
                                                "0123456789012345678901234\n" } };
                _cleanup_free_ char *dev = NULL, *bigdeb = NULL, *tree6 = NULL, *node = NULL,
                                    *bigfile = NULL;
                DebUnpackStats s6 = { .limit_member_bytes = 20 }, s7 = { .limit_bytes = 30 };
                if (asprintf(&dev, "%s/device.deb", dir) < 0 || asprintf(&bigdeb, "%s/big.deb", dir) < 0 ||
                    asprintf(&tree6, "%s/tree6", dir) < 0 || asprintf(&node, "%s/dev/sda", tree6) < 0 ||
                    asprintf(&bigfile, "%s/usr/big", tree6) < 0)
                        return;
                mkdir(tree6, 0755);
                make_deb(dev, device, ARRAY_SIZE(device));
                make_deb(bigdeb, big, ARRAY_SIZE(big));
                deb_control_free(c);
                c = NULL;
                ok(deb_unpack(dev, tree6, NULL, &c, &stats) == -EPERM, "a device node is refused");
                ok(lstat(node, &a) < 0, "and not created");
                ok(deb_unpack(bigdeb, tree6, NULL, &c, &s6) == -EFBIG,
                   "a file over the per-file limit is refused");
                ok(lstat(bigfile, &a) < 0 && s6.bytes == 11, "nothing of it is written (%llu bytes before)",
                   (unsigned long long) s6.bytes);
                ok(deb_unpack(bigdeb, tree6, NULL, &c, &s7) == -EFBIG,
                   "files over the total limit are refused");
                ok(lstat(bigfile, &a) < 0 && s7.bytes == 11, "nothing of the one over it is written");
                s7 = (DebUnpackStats){ .limit_bytes = 37, .limit_member_bytes = 26 };
                ok(deb_unpack(bigdeb, tree6, NULL, &c, &s7) == 0, "exactly at both limits is unpacked");
        }

        /* A date gmtime_r() cannot express does not date the build (it crashed the SBOM). */
        {
                _cleanup_free_ char *late = NULL, *tree7 = NULL;
                const Member dated[] = {
                        { "usr/", AE_IFDIR, 0755, NULL, false, 1600000000 },
                        { "usr/new", AE_IFREG, 0644, "x\n", false, INT64_C(99999999999999999) },
                        { "usr/old", AE_IFREG, 0644, "y\n", false, 1600000001 },
                };
                DebUnpackStats s8 = { 0 };
                int r8;

                if (asprintf(&late, "%s/late.deb", dir) < 0 || asprintf(&tree7, "%s/tree7", dir) < 0)
                        return;
                mkdir(tree7, 0755);
                make_deb(late, dated, ARRAY_SIZE(dated));
                deb_control_free(c);
                c = NULL;
                r8 = deb_unpack(late, tree7, NULL, &c, &s8);
                ok(r8 == 0 && s8.max_mtime == 1600000001,
                   "a member dated past year 9999 does not date the build (%d, %lld)", r8,
                   (long long) s8.max_mtime);
        }
        log_set_max_level(LOG_LEVEL_INFO);

        /* "/./bin/x" is a /bin path: it goes to usr/bin and the tree's bin ->
         * usr/bin symlink stays a symlink. */
        {
                static const Member dotted[] = {
                        { "/./bin/", AE_IFDIR, 0755, NULL },
                        { "/./bin/x", AE_IFREG, 0755, "x\n" },
                        { "./bin//y", AE_IFREG, 0755, "y\n" },
                        { "bin/./z", AE_IFREG, 0755, "z\n" },
                };
                _cleanup_free_ char *dot = NULL, *tree4 = NULL;
                if (asprintf(&dot, "%s/dotted.deb", dir) < 0 || asprintf(&tree4, "%s/tree4", dir) < 0)
                        return;
                mkdir(tree4, 0755);
                make_deb(dot, dotted, ARRAY_SIZE(dotted));
                chdir(tree4);
                mkdir("usr", 0755);
                mkdir("usr/bin", 0755);
                symlink("usr/bin", "bin");
                deb_control_free(c);
                c = NULL;
                ok(deb_unpack(dot, tree4, NULL, &c, &stats) == 0, "a .deb with /./bin members is unpacked");
                ok(lstat("bin", &a) == 0 && S_ISLNK(a.st_mode), "bin -> usr/bin is still a symlink");
                ok(lstat("usr/bin/x", &a) == 0 && lstat("usr/bin/y", &a) == 0 && lstat("usr/bin/z", &a) == 0,
                   "/./bin/x, ./bin//y and bin/./z land in usr/bin");
                chdir("/");
        }
        rm_rf(dir);
}

int main(void) {
        test_usrmerge();
        test_excluded();
        test_control();
        if (geteuid() == 0)
                test_unpack();
        else
                ok(false, "test-deb needs root to unpack with owners and capabilities");
        return tap_done();
}
