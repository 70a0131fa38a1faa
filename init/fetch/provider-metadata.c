/* SPDX-License-Identifier: MIT */

/* The clouds' metadata services: the instance's user data is the document.
 * EC2 with IMDSv2 only (a PUT for a session token, then the GET with it), GCE
 * with its Metadata-Flavor header and metadata.google.internal resolved to
 * its documented address without DNS. No user data (404) means no
 * document here; other statuses are failures. The WHERE of the source is
 * the service's base URL, which stage 2 passes as boot-contract.h names
 * it (tests pass their own server's). */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "boot-contract.h"
#include "fetch.h"
#include "macro.h"

#define EC2_TOKEN_PATH "/latest/api/token"
#define EC2_USER_DATA_PATH "/latest/user-data"
#define EC2_TOKEN_TTL "X-aws-ec2-metadata-token-ttl-seconds: 300"
#define EC2_TOKEN_HEADER "X-aws-ec2-metadata-token: "
#define GCE_USER_DATA_PATH "/computeMetadata/v1/instance/attributes/user-data"
#define GCE_FLAVOR "Metadata-Flavor: Google"
#define TOKEN_MAX 512

static int user_data(const char *url, const char *const *headers, const char *resolve, const FetchOptions *o,
                     FetchBuffer *doc, char *why, size_t why_size) {
        HttpRequest req = { .url = url, .headers = headers, .resolve = resolve };
        long status = 0;
        int r = http_fetch(&req, o, doc, &status, why, why_size);

        if (r < 0)
                return r;
        if (status == 404) {
                snprintf(why, why_size, "%s: no user data", url);
                return 0;
        }
        if (status < 200 || status >= 300) {
                snprintf(why, why_size, "HTTP %ld", status);
                return -EPROTO;
        }
        return 1;
}

/* base without the slashes that end it, so paths join with one. */
static int join(char *out, size_t size, const char *base, const char *path) {
        size_t len = strlen(base);
        while (len > 0 && base[len - 1] == '/')
                len--;
        return snprintf(out, size, "%.*s%s", (int) len, base, path) < (int) size ? 0 : -ENAMETOOLONG;
}

int provider_ec2_fetch(const StateSource *src, const FetchOptions *o, FetchBuffer *doc, char *name,
                       size_t name_size, char *why, size_t why_size) {
        char token_url[1024], data_url[1024], header[sizeof(EC2_TOKEN_HEADER) + TOKEN_MAX];
        const char *const token_headers[] = { EC2_TOKEN_TTL, NULL };
        const char *const data_headers[] = { header, NULL };
        FetchBuffer token = { .limit = TOKEN_MAX };
        HttpRequest req = { .url = token_url, .put = true, .headers = token_headers };
        long status = 0;
        int r;

        if (join(token_url, sizeof(token_url), src->where, EC2_TOKEN_PATH) < 0 ||
            join(data_url, sizeof(data_url), src->where, EC2_USER_DATA_PATH) < 0) {
                snprintf(name, name_size, "ec2:%.200s", src->where);
                snprintf(why, why_size, "the metadata URL is too long");
                return -ENAMETOOLONG;
        }
        snprintf(name, name_size, "ec2:%s", token_url);
        r = http_fetch(&req, o, &token, &status, why, why_size);
        if (r >= 0 && (status < 200 || status >= 300)) {
                snprintf(why, why_size, "no IMDSv2 token: HTTP %ld", status);
                r = -EPROTO;
        }
        if (r >= 0 && (token.size == 0 || strcspn(token.data, "\r\n") != token.size)) {
                snprintf(why, why_size, "the IMDSv2 token is empty or not one line");
                r = -EPROTO;
        }
        if (r < 0) {
                fetch_buffer_reset(&token);
                return r;
        }
        snprintf(header, sizeof(header), EC2_TOKEN_HEADER "%s", token.data);
        fetch_buffer_reset(&token);
        snprintf(name, name_size, "ec2:%s", data_url);
        return user_data(data_url, data_headers, NULL, o, doc, why, why_size);
}

int provider_gce_fetch(const StateSource *src, const FetchOptions *o, FetchBuffer *doc, char *name,
                       size_t name_size, char *why, size_t why_size) {
        static const char *const headers[] = { GCE_FLAVOR, NULL };
        char url[1024];
        const char *resolve = NULL;

        if (join(url, sizeof(url), src->where, GCE_USER_DATA_PATH) < 0) {
                snprintf(name, name_size, "gce:%.200s", src->where);
                snprintf(why, why_size, "the metadata URL is too long");
                return -ENAMETOOLONG;
        }
        snprintf(name, name_size, "gce:%s", url);
        /* GCE documents the name and its address: no DNS is needed, or
         * trusted, for it. */
        if (strncasecmp(src->where, BERTH_GCE_METADATA_URL, strlen(BERTH_GCE_METADATA_URL)) == 0)
                resolve = BERTH_GCE_METADATA_HOST ":80:" BERTH_GCE_METADATA_ADDRESS;
        return user_data(url, headers, resolve, o, doc, why, why_size);
}
