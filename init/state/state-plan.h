/* SPDX-License-Identifier: MIT */
#pragma once

/* Where host state comes from (docs/state-providers.md): the sources to ask,
 * in order, from the kernel arguments and the DMI strings; and the checks
 * every document's source passes before anything is fetched. Pure logic:
 * stage 2 uses it to build berth-fetch's command line, berth-fetch to parse
 * it, the unit tests to check both. */

#include <stdbool.h>
#include <stddef.h>

#include "kernel-args.h"

typedef enum ProviderKind {
        PROVIDER_URL, /* where: an http or https URL */
        PROVIDER_FWCFG, /* where: the fw_cfg entry's name */
        PROVIDER_NOCLOUD, /* where: the config drive's label */
        PROVIDER_EC2, /* where: the metadata service's base URL */
        PROVIDER_GCE, /* where: the metadata service's base URL */
        _PROVIDER_MAX,
} ProviderKind;

/* "url", "fw_cfg", "nocloud", "ec2", "gce": the KIND of a KIND:WHERE source. */
extern const char *const provider_names[_PROVIDER_MAX];

typedef struct StateSource {
        ProviderKind kind;
        const char *where; /* points into the spec it was parsed from */
} StateSource;

/* Parses "KIND:WHERE" (berth-fetch's arguments). -EINVAL with msg set for
 * an unknown kind, an empty WHERE, or a URL that is not http(s)://host...
 * (url, ec2 and gce). */
int state_source_parse(const char *spec, StateSource *ret, char *msg, size_t n);

/* The DMI strings that tell a cloud from another (/sys/class/dmi/id), as
 * cloud-init's ds-identify reads them. "" when absent. */
typedef struct DmiStrings {
        char sys_vendor[64];
        char product_name[64];
        char bios_vendor[64];
        char chassis_asset_tag[64];
} DmiStrings;

/* Reads them from dir (/sys/class/dmi/id), trailing white space removed;
 * a file that is missing is "". */
void dmi_read(const char *dir, DmiStrings *ret);
/* EC2 (Amazon EC2 as vendor or asset tag, an Amazon BIOS), GCE (Google
 * Compute Engine, or Google as vendor), QEMU, else metal. */
Platform platform_from_dmi(const DmiStrings *dmi);

/* The sources to ask, in order, as KIND:WHERE words: berth.state's URL alone
 * when given; else the platform's providers (auto: the DMI's platform).
 * -ENOMEM. */
int state_plan(const char *state_url, Platform platform, const DmiStrings *dmi, char ***ret_specs);

/* True for http:// or https:// (any case), a host, no white space or
 * control characters. *ret_https says which. */
bool url_is_http(const char *url, bool *ret_https);
/* A berth.state URL may be fetched: http(s) only, and plain http only with
 * a pin or when the image allows unpinned http. -EINVAL with msg set. */
int state_url_check(const char *url, bool pinned, bool http_unpinned_ok, char *msg, size_t n);

/* url without its user:password@ part, for messages. NULL when out of memory. */
char *url_redact(const char *url);

/* A pin: exactly 64 hex digits, any case; *out gets them in lower case.
 * -EINVAL with msg set. */
int sha256_pin_parse(const char *text, char out[static 65], char *msg, size_t n);
