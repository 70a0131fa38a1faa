/* SPDX-License-Identifier: MIT */

/* berth-fetch --archive: a container's OCI archive (docs/host-state.md,
 * `archive =`) from an http or https URL into a file, for berth-ctr to
 * import. Here rather than in berth-ctr so that the one copy of the HTTP
 * rules (http.c: connect timeout, deadline, back-off, TLS against the
 * image's CA bundle, no proxy, redirects never to plain http) serves both
 * the state document and archives, and libcurl is mapped only by this
 * short-lived process. Plain http is allowed: the sha256 pin, which the
 * document must give, is what makes the bytes trusted, as for a pinned
 * state document. The body is streamed to a temporary file beside OUT and
 * hashed as it comes; only a file whose sha256 is the pin is renamed to
 * OUT, so OUT is always a verified archive and a restart finds it there
 * instead of downloading it again. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch.h"
#include "macro.h"

typedef struct FileSink {
        int fd;
        EVP_MD_CTX *md;
} FileSink;

static int file_reset(void *data) {
        FileSink *f = data;
        if (ftruncate(f->fd, 0) < 0 || lseek(f->fd, 0, SEEK_SET) < 0)
                return -errno;
        return EVP_DigestInit_ex(f->md, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
}

static int file_write(void *data, const void *p, size_t n) {
        FileSink *f = data;
        if (EVP_DigestUpdate(f->md, p, n) != 1)
                return -EIO;
        while (n > 0) {
                ssize_t k = write(f->fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p = (const char *) p + k;
                n -= (size_t) k;
        }
        return 0;
}

static int digest_hex(EVP_MD_CTX *md, char out[static 65]) {
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        if (EVP_DigestFinal_ex(md, d, &len) != 1 || len != 32)
                return -EIO;
        for (unsigned i = 0; i < len; i++)
                snprintf(out + 2 * i, 3, "%02x", d[i]);
        return 0;
}

/* The sha256 of a file there already: 1 when it is pin, 0 when it is not
 * (or it is not there), <0 when it cannot be read. */
static int file_is_pin(const char *path, const char *pin, EVP_MD_CTX *md) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        char buf[65536], hex[65];
        ssize_t n;

        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
                return -EIO;
        while ((n = read(fd, buf, sizeof(buf))) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (EVP_DigestUpdate(md, buf, (size_t) n) != 1)
                        return -EIO;
        }
        if (digest_hex(md, hex) < 0)
                return -EIO;
        return streq(hex, pin);
}

/* What an earlier berth-fetch killed in the middle (its runner stopped)
 * left: OUT.tmp-* files nobody holds. A writer holds a lock on its
 * temporary file for as long as it writes, so another runner's download of
 * the same archive is left alone. */
static void remove_leftovers(const char *out) {
        _cleanup_free_ char *dir_copy = strdup(out), *base_copy = strdup(out), *prefix = NULL;
        _cleanup_close_ int dfd = -EBADF;
        DIR *d;
        struct dirent *e;

        if (!dir_copy || !base_copy || asprintf(&prefix, "%s.tmp-", basename(base_copy)) < 0)
                return;
        dfd = open(dirname(dir_copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || !(d = fdopendir(dup(dfd))))
                return;
        while ((e = readdir(d)))
                if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
                        _cleanup_close_ int fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
                                (void) unlinkat(dfd, e->d_name, 0);
                }
        closedir(d);
}

static void md_freep(EVP_MD_CTX **md) {
        EVP_MD_CTX_free(*md);
}

int archive_fetch(const char *url, const char *pin, const char *out, const FetchOptions *o) {
        _cleanup_free_ char *shown = url_redact(url), *tmp = NULL;
        _cleanup_(md_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        _cleanup_close_ int fd = -EBADF;
        FetchBuffer body = { .limit = o->max_size };
        char why[512] = "", hex[65];
        long status = 0;
        int r;

        if (!shown || !md) {
                /* Not the URL: it may hold credentials, which url_redact() hides. */
                printf("out of memory\n");
                return FETCH_EXIT_FAILED;
        }
        r = state_url_check(url, true, false, why, sizeof(why));
        if (r < 0) {
                printf("%s: %s\n", shown, why);
                return FETCH_EXIT_USAGE;
        }
        r = file_is_pin(out, pin, md);
        if (r > 0) {
                printf("%s sha256:%s (there already)\n", shown, pin);
                return FETCH_EXIT_OK;
        }
        if (r == 0 && unlink(out) < 0 && errno != ENOENT)
                r = -errno;
        if (r < 0) {
                printf("%s: %s: %s\n", shown, out, strerror(-r));
                return FETCH_EXIT_FAILED;
        }

        remove_leftovers(out);
        if (asprintf(&tmp, "%s.tmp-XXXXXX", out) < 0) {
                tmp = NULL;
                printf("%s: out of memory\n", shown);
                return FETCH_EXIT_FAILED;
        }
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0 || flock(fd, LOCK_EX) < 0) {
                printf("%s: cannot make %s: %m\n", shown, tmp);
                if (fd >= 0)
                        (void) unlink(tmp);
                free(TAKE_PTR(tmp));
                return FETCH_EXIT_FAILED;
        }
        FileSink file = { .fd = fd, .md = md };
        HttpSink sink = { .reset = file_reset, .write = file_write, .data = &file };
        HttpRequest req = {
                .url = url, .follow_redirects = true, .sink = &sink, .stall_seconds = ARCHIVE_STALL_SECONDS
        };
        r = http_fetch(&req, o, &body, &status, why, sizeof(why));
        if (r == 0 && (status < 200 || status >= 300)) {
                snprintf(why, sizeof(why), "HTTP %ld", status);
                r = -EPROTO;
        }
        if (r == 0 && digest_hex(md, hex) < 0) {
                snprintf(why, sizeof(why), "cannot compute its sha256");
                r = -EIO;
        }
        if (r == 0 && !streq(hex, pin)) {
                snprintf(why, sizeof(why), "sha256:%s (%zu bytes) is not the pin sha256:%s", hex, body.size,
                         pin);
                r = -EBADMSG;
        }
        if (r == 0 && (fsync(fd) < 0 || fchmod(fd, 0600) < 0 || rename(tmp, out) < 0)) {
                r = -errno;
                snprintf(why, sizeof(why), "cannot write %s: %s", out, strerror(errno));
        }
        if (r < 0) {
                (void) unlink(tmp);
                printf("%s: %s\n", shown, why[0] ? why : strerror(-r));
                return FETCH_EXIT_FAILED;
        }
        printf("%s sha256:%s %zu bytes\n", shown, hex, body.size);
        return FETCH_EXIT_OK;
}
