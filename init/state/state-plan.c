/* SPDX-License-Identifier: MIT */
#include "state-plan.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "boot-contract.h"
#include "fileio.h"
#include "macro.h"
#include "strv.h"

const char *const provider_names[_PROVIDER_MAX] = {
        [PROVIDER_URL] = "url", [PROVIDER_FWCFG] = "fw_cfg", [PROVIDER_NOCLOUD] = "nocloud",
        [PROVIDER_EC2] = "ec2", [PROVIDER_GCE] = "gce",
};

bool url_is_http(const char *url, bool *ret_https) {
        size_t skip;
        bool https;

        if (strncasecmp(url, "https://", 8) == 0)
                https = true, skip = 8;
        else if (strncasecmp(url, "http://", 7) == 0)
                https = false, skip = 7;
        else
                return false;
        /* A host: something before the path, which is not an empty userinfo. */
        if (url[skip] == 0 || url[skip] == '/' || url[skip] == '?' || url[skip] == '#' || url[skip] == '@')
                return false;
        for (const char *c = url; *c; c++)
                if ((unsigned char) *c <= 0x20 || (unsigned char) *c == 0x7f)
                        return false;
        if (ret_https)
                *ret_https = https;
        return true;
}

int state_source_parse(const char *spec, StateSource *ret, char *msg, size_t n) {
        const char *colon = strchr(spec, ':');

        for (size_t i = 0; colon && i < _PROVIDER_MAX; i++) {
                if (strlen(provider_names[i]) != (size_t) (colon - spec) ||
                    strncmp(spec, provider_names[i], (size_t) (colon - spec)) != 0)
                        continue;
                const char *where = colon + 1;
                if (!*where) {
                        snprintf(msg, n, "source '%s': nothing after '%s:'", spec, provider_names[i]);
                        return -EINVAL;
                }
                if ((i == PROVIDER_URL || i == PROVIDER_EC2 || i == PROVIDER_GCE) &&
                    !url_is_http(where, NULL)) {
                        snprintf(msg, n, "source '%s': not an http:// or https:// URL", spec);
                        return -EINVAL;
                }
                *ret = (StateSource){ .kind = (ProviderKind) i, .where = where };
                return 0;
        }
        snprintf(msg, n, "source '%s': not url:, fw_cfg:, nocloud:, ec2: or gce:", spec);
        return -EINVAL;
}

static void read_dmi_file(const char *dir, const char *name, char *buf, size_t size) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t len;

        buf[0] = 0;
        if (asprintf(&path, "%s/%s", dir, name) < 0 || read_full_file(path, 4096, &text, NULL) < 0)
                return;
        len = strlen(text);
        while (len > 0 && isspace((unsigned char) text[len - 1]))
                len--;
        snprintf(buf, size, "%.*s", (int) len, text);
}

void dmi_read(const char *dir, DmiStrings *ret) {
        read_dmi_file(dir, "sys_vendor", ret->sys_vendor, sizeof(ret->sys_vendor));
        read_dmi_file(dir, "product_name", ret->product_name, sizeof(ret->product_name));
        read_dmi_file(dir, "bios_vendor", ret->bios_vendor, sizeof(ret->bios_vendor));
        read_dmi_file(dir, "chassis_asset_tag", ret->chassis_asset_tag, sizeof(ret->chassis_asset_tag));
}

static bool starts_with(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ds-identify's rules, reduced to the platforms berth knows: Nitro
 * instances say "Amazon EC2" as vendor (and as asset tag), Xen ones have an
 * Amazon BIOS ("Amazon EC2" or "Xen" with version "4.11.amazon"): the BIOS
 * vendor starting "Amazon" covers both we can tell by. */
Platform platform_from_dmi(const DmiStrings *dmi) {
        if (streq(dmi->sys_vendor, "Amazon EC2") || streq(dmi->chassis_asset_tag, "Amazon EC2") ||
            starts_with(dmi->bios_vendor, "Amazon"))
                return PLATFORM_EC2;
        if (streq(dmi->product_name, "Google Compute Engine") || streq(dmi->sys_vendor, "Google"))
                return PLATFORM_GCE;
        if (streq(dmi->sys_vendor, "QEMU"))
                return PLATFORM_QEMU;
        return PLATFORM_METAL;
}

int state_plan(const char *state_url, Platform platform, const DmiStrings *dmi, char ***ret_specs) {
        _cleanup_strv_free_ char **specs = NULL;
        int r = 0;

        if (state_url) {
                _cleanup_free_ char *spec = NULL;
                if (asprintf(&spec, "url:%s", state_url) < 0)
                        return -ENOMEM;
                r = strv_push(&specs, spec);
                if (r < 0)
                        return r;
                spec = NULL;
                *ret_specs = TAKE_PTR(specs);
                return 0;
        }
        if (platform == PLATFORM_AUTO)
                platform = platform_from_dmi(dmi);
        switch (platform) {
        case PLATFORM_QEMU:
                /* fw_cfg first: it is there or not at once, no disk is probed. */
                r = strv_extend(&specs, "fw_cfg:" BERTH_FWCFG_STATE_NAME);
                if (r >= 0)
                        r = strv_extend(&specs, "nocloud:" BERTH_NOCLOUD_LABEL);
                break;
        case PLATFORM_EC2:
                r = strv_extend(&specs, "ec2:" BERTH_EC2_METADATA_URL);
                break;
        case PLATFORM_GCE:
                r = strv_extend(&specs, "gce:" BERTH_GCE_METADATA_URL);
                break;
        case PLATFORM_NOCLOUD:
        case PLATFORM_METAL:
        default:
                /* A config drive can be plugged into anything. */
                r = strv_extend(&specs, "nocloud:" BERTH_NOCLOUD_LABEL);
                break;
        }
        if (r < 0)
                return r;
        *ret_specs = TAKE_PTR(specs);
        return 0;
}

int state_url_check(const char *url, bool pinned, bool http_unpinned_ok, char *msg, size_t n) {
        bool https = false;

        if (!url_is_http(url, &https)) {
                snprintf(msg, n, "not an http:// or https:// URL");
                return -EINVAL;
        }
        if (!https && !pinned && !http_unpinned_ok) {
                snprintf(msg, n,
                         "plain http without " BERTH_KARG_STATE_SHA256 "= is refused (the image allows it "
                         "with " BERTH_KARG_STATE_HTTP "=" BERTH_STATE_HTTP_ANY ")");
                return -EINVAL;
        }
        return 0;
}

char *url_redact(const char *url) {
        const char *host = strstr(url, "://");
        const char *end, *at;

        if (!host)
                return strdup(url);
        host += 3;
        end = host + strcspn(host, "/?#");
        at = memchr(host, '@', (size_t) (end - host));
        /* The last '@' of the authority ends the userinfo. */
        for (const char *c = at; c && c < end; c = memchr(c + 1, '@', (size_t) (end - c - 1)))
                at = c;
        if (!at)
                return strdup(url);
        char *out = malloc(strlen(url) + 1);
        if (!out)
                return NULL;
        snprintf(out, strlen(url) + 1, "%.*s%s", (int) (host - url), url, at + 1);
        return out;
}

int sha256_pin_parse(const char *text, char out[static 65], char *msg, size_t n) {
        size_t len = strlen(text);

        if (len != 64 || strspn(text, "0123456789abcdefABCDEF") != 64) {
                snprintf(msg, n, "%s=%.80s: not 64 hex digits", BERTH_KARG_STATE_SHA256, text);
                return -EINVAL;
        }
        for (size_t i = 0; i < 64; i++)
                out[i] = (char) tolower((unsigned char) text[i]);
        out[64] = 0;
        return 0;
}
