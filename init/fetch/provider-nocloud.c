/* SPDX-License-Identifier: MIT */

/* A NoCloud config drive: a vfat or iso9660 volume labelled cidata (any
 * case, as cloud-init takes it) whose user-data file is the document. It is
 * mounted read-only, nosuid, nodev, noexec in a mount namespace of
 * berth-fetch's own (nobody else sees it, and it goes when berth-fetch
 * exits, however it exits), read, and unmounted. The drive is looked for
 * once: stage 2 runs berth-fetch after the kernel modules are loaded, when
 * the disks are there. */

#include <blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "block-util.h"
#include "boot-contract.h"
#include "fetch.h"
#include "fileio.h"
#include "macro.h"
#include "strv.h"

/* The first block device with a vfat or iso9660 file system labelled label. */
static int find_volume(const char *label, char **ret_dev, char **ret_type) {
        _cleanup_free_ char *partitions = NULL;
        _cleanup_strv_free_ char **names = NULL;
        int r = read_full_file("/proc/partitions", 0, &partitions, NULL);

        if (r < 0)
                return r;
        r = block_devices_with_filesystems(partitions, &names);
        if (r < 0)
                return r;
        STRV_FOREACH (n, names) {
                char path[80];
                const char *v, *type;
                blkid_probe pr;
                bool found = false;

                snprintf(path, sizeof(path), "/dev/%s", *n);
                pr = blkid_new_probe_from_filename(path);
                if (!pr)
                        continue;
                (void) blkid_probe_enable_superblocks(pr, 1);
                (void) blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_TYPE);
                if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "LABEL", &v, NULL) == 0 &&
                    strcasecmp(v, label) == 0 && blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0 &&
                    (streq(type, "vfat") || streq(type, "iso9660"))) {
                        *ret_dev = strdup(path);
                        *ret_type = strdup(type);
                        found = true;
                }
                blkid_free_probe(pr);
                if (found)
                        return *ret_dev && *ret_type ? 1 : -ENOMEM;
        }
        return 0;
}

/* user-data, a regular file at the volume's top, no symlink followed. */
static int read_user_data(const char *dir, const FetchOptions *o, FetchBuffer *doc, char *why,
                          size_t why_size) {
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        char buf[65536];

        if (dfd < 0)
                return -errno;
        fd = openat(dfd, BERTH_NOCLOUD_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0 && errno == ENOENT)
                return 0;
        if (fd < 0 || fstat(fd, &st) < 0) {
                int r = -errno;
                snprintf(why, why_size, "cannot open " BERTH_NOCLOUD_FILE ": %s", strerror(-r));
                return r;
        }
        if (!S_ISREG(st.st_mode)) {
                snprintf(why, why_size, BERTH_NOCLOUD_FILE " is not a regular file");
                return -EBADFD;
        }
        if (fetch_size_too_big(st.st_size, o->max_size)) {
                snprintf(why, why_size, "larger than the limit of %zu bytes (%lld)", o->max_size,
                         (long long) st.st_size);
                return -EFBIG;
        }
        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int r = -errno;
                        snprintf(why, why_size, "cannot read " BERTH_NOCLOUD_FILE ": %s", strerror(-r));
                        return r;
                }
                if (n == 0)
                        break;
                if (fetch_buffer_append(doc, buf, (size_t) n) < 0) {
                        snprintf(why, why_size, "larger than the limit of %zu bytes", o->max_size);
                        return -EFBIG;
                }
        }
        if (!doc->data && fetch_buffer_append(doc, "", 0) < 0)
                return -ENOMEM;
        return 1;
}

int provider_nocloud_fetch(const StateSource *src, const FetchOptions *o, FetchBuffer *doc, char *name,
                           size_t name_size, char *why, size_t why_size) {
        _cleanup_free_ char *dev = NULL, *type = NULL;
        char dir[] = "/run/berth-cidata.XXXXXX";
        int r;

        snprintf(name, name_size, "nocloud:%s", src->where);
        fetch_load_modules(berth_state_modules);
        r = find_volume(src->where, &dev, &type);
        if (r < 0) {
                snprintf(why, why_size, "cannot look for the volume: %s", strerror(-r));
                return r;
        }
        if (r == 0) {
                snprintf(why, why_size, "%s: no vfat or iso9660 volume labelled %s", name, src->where);
                return 0;
        }
        snprintf(name, name_size, "nocloud:%s", dev);
        /* A namespace of our own: the mount is nobody else's, and cannot be
         * left behind. */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                r = -errno;
                snprintf(why, why_size, "cannot make a private mount namespace: %s", strerror(-r));
                return r;
        }
        if (!mkdtemp(dir)) {
                r = -errno;
                snprintf(why, why_size, "cannot make a mount point: %s", strerror(-r));
                return r;
        }
        if (mount(dev, dir, type, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  streq(type, "vfat") ? "iocharset=utf8,codepage=437" : NULL) < 0) {
                r = -errno;
                snprintf(why, why_size, "cannot mount %s (%s): %s", dev, type, strerror(-r));
                (void) rmdir(dir);
                return r;
        }
        r = read_user_data(dir, o, doc, why, why_size);
        (void) umount2(dir, MNT_DETACH);
        (void) rmdir(dir);
        if (r == 0)
                snprintf(why, why_size, "%s: no " BERTH_NOCLOUD_FILE " on the volume", name);
        return r;
}
