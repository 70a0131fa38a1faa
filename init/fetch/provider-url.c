/* SPDX-License-Identifier: MIT */

/* berth.state=<URL>: the document at an http or https URL. Plain http is
 * refused without a pin unless the image allows it (berth.state.http=any);
 * every HTTP status but 200-299 is a failure, 404 included: the URL was
 * named on purpose. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fetch.h"
#include "macro.h"

int provider_url_fetch(const StateSource *src, const FetchOptions *o, FetchBuffer *doc, char *name,
                       size_t name_size, char *why, size_t why_size) {
        _cleanup_free_ char *shown = url_redact(src->where);
        HttpRequest req = { .url = src->where, .follow_redirects = true };
        long status = 0;
        int r;

        snprintf(name, name_size, "%s", shown ?: src->where);
        r = state_url_check(src->where, o->pinned, o->http_unpinned_ok, why, why_size);
        if (r < 0)
                return r;
        r = http_fetch(&req, o, doc, &status, why, why_size);
        if (r < 0)
                return r;
        if (status < 200 || status >= 300) {
                snprintf(why, why_size, "HTTP %ld", status);
                return -EPROTO;
        }
        return 1;
}
