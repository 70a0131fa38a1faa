/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "build-context.h"

/* manifest.json without the commit: the image's packages, kernel, ref and
 * size (base tree and delta). Its hash goes into the commit's metadata, so a
 * commit names the exact manifest that describes it. */
json_object *manifest_new(const Recipe *recipe, const PackageSet *packages, const BaseTree *base,
                          const char *ref, uint64_t delta_size);

/* The SPDX 2.3 SBOM of the image's packages (docs/manifest.md). */
json_object *sbom_new(const Recipe *recipe, const PackageSet *packages, const BaseTree *base);

/* Maps a Debian copyright licence expression to an SPDX one; each
 * LicenseRef it makes is declared once in refs (names kept in *declared). */
char *sbom_license_expression(const char *debian, json_object *refs, char ***declared);

/* Serialises o the one way berth writes JSON (pretty, '/' unescaped). */
const char *json_text(json_object *o);
