/* SPDX-License-Identifier: MIT */

/* The SPDX 2.3 SBOM: one SPDX package per Debian package, with its version,
 * the sha256 of its .deb, its Debian source package, a purl, and its licence
 * when the package's copyright file is machine-readable (DEP-5). Debian's
 * licence short names are mapped to SPDX identifiers where one exists and
 * become LicenseRef-* otherwise, each declared in hasExtractedLicensingInfos
 * as SPDX requires. Everything is derived from the inputs (no clock, no
 * random namespace), so the same image gives the same SBOM. */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hash.h"
#include "json-util.h"
#include "manifest.h"
#include "strv.h"
#include "version.h"

static const struct {
        const char *debian, *spdx;
} license_map[] = {
        { "GPL-1", "GPL-1.0-only" },
        { "GPL-1+", "GPL-1.0-or-later" },
        { "GPL-2", "GPL-2.0-only" },
        { "GPL-2+", "GPL-2.0-or-later" },
        { "GPL-3", "GPL-3.0-only" },
        { "GPL-3+", "GPL-3.0-or-later" },
        { "LGPL-2", "LGPL-2.0-only" },
        { "LGPL-2+", "LGPL-2.0-or-later" },
        { "LGPL-2.1", "LGPL-2.1-only" },
        { "LGPL-2.1+", "LGPL-2.1-or-later" },
        { "LGPL-3", "LGPL-3.0-only" },
        { "LGPL-3+", "LGPL-3.0-or-later" },
        { "AGPL-3", "AGPL-3.0-only" },
        { "AGPL-3+", "AGPL-3.0-or-later" },
        { "Apache-2.0", "Apache-2.0" },
        { "Apache-2", "Apache-2.0" },
        { "Expat", "MIT" },
        { "MIT", "MIT" },
        { "BSD-2-clause", "BSD-2-Clause" },
        { "BSD-3-clause", "BSD-3-Clause" },
        { "BSD-4-clause", "BSD-4-Clause" },
        { "ISC", "ISC" },
        { "Zlib", "Zlib" },
        { "MPL-1.1", "MPL-1.1" },
        { "MPL-2.0", "MPL-2.0" },
        { "Artistic", "Artistic-1.0" },
        { "Artistic-2.0", "Artistic-2.0" },
        { "BSL-1.0", "BSL-1.0" },
        { "CC0-1.0", "CC0-1.0" },
        { "CC0", "CC0-1.0" },
        { "OpenSSL", "OpenSSL" },
        { "FTL", "FTL" },
        { "X11", "X11" },
        { "PSF-2", "PSF-2.0" },
        { "Unicode-DFS-2016", "Unicode-DFS-2016" },
        { "public-domain", NULL },
};

/* SPDX ids allow letters, digits, '.' and '-'. */
static char *license_ref(const char *name) {
        char *r;
        if (asprintf(&r, "LicenseRef-%s", name) < 0)
                return NULL;
        for (char *p = r + 11; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '.' && *p != '-')
                        *p = '-';
        return r;
}

/* Maps one Debian licence token to SPDX, declaring LicenseRefs in *refs. */
static char *map_token(const char *tok, json_object *refs, char ***declared) {
        char *ref;

        for (size_t i = 0; i < ARRAY_SIZE(license_map); i++)
                if (strcasecmp(tok, license_map[i].debian) == 0 && license_map[i].spdx)
                        return strdup(license_map[i].spdx);
        ref = license_ref(tok);
        if (ref && !strv_contains(*declared, ref)) {
                json_object *info = json_object_new_object();
                char text[300];

                snprintf(text, sizeof(text),
                         "Debian copyright licence short name '%s'; see the package's "
                         "/usr/share/doc/<package>/copyright.",
                         tok);
                json_object_object_add(info, "licenseId", json_object_new_string(ref));
                json_object_object_add(info, "name", json_object_new_string(tok));
                json_object_object_add(info, "extractedText", json_object_new_string(text));
                json_object_array_add(refs, info);
                (void) strv_extend(declared, ref);
        }
        return ref;
}

/* SPDX license exceptions that Debian copyright files name with "with X exception". */
static const char *const known_exceptions[] = { "Linux-syscall-note",      "GCC-exception-3.1",
                                                "Classpath-exception-2.0", "LLVM-exception",
                                                "Autoconf-exception-3.0",  "Bison-exception-2.2" };

static bool is_operator(const char *t) {
        return t && (streq(t, "AND") || streq(t, "OR") || streq(t, "WITH") || streq(t, "("));
}

/* Debian expressions ("(GPL-2+ or Artistic) AND MIT", "GPL-2 with
 * Linux-syscall-note exception") to SPDX: "or"/"and" become operators,
 * parentheses stay, "with X exception" becomes WITH X when X is an SPDX
 * exception, and every other word is a licence. */
char *sbom_license_expression(const char *debian, json_object *refs, char ***declared) {
        _cleanup_strv_free_ char **out = NULL, **words = NULL;
        _cleanup_free_ char *spaced = malloc(strlen(debian) * 3 + 1);
        char *save = NULL, *q;

        if (!spaced)
                return NULL;
        q = spaced;
        *q = 0;
        for (const char *p = debian; *p; p++)
                q += *p == '(' || *p == ')' ? sprintf(q, " %c ", *p)
                                            : sprintf(q, "%c", *p == ',' ? ' ' : *p);
        for (char *t = strtok_r(spaced, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
                if (strv_extend(&words, t) < 0)
                        return NULL;

        for (size_t i = 0; words && words[i]; i++) {
                const char *w = words[i], *last = strv_length(out) ? out[strv_length(out) - 1] : NULL;

                if (strcasecmp(w, "or") == 0 || strcasecmp(w, "and") == 0 || streq(w, "|")) {
                        if (last && !is_operator(last) &&
                            strv_extend(&out, strcasecmp(w, "and") == 0 ? "AND" : "OR") < 0)
                                return NULL;
                        continue;
                }
                if (strcasecmp(w, "with") == 0 && words[i + 1]) {
                        bool known = false;
                        for (size_t k = 0; k < ARRAY_SIZE(known_exceptions); k++)
                                known = known || strcasecmp(words[i + 1], known_exceptions[k]) == 0;
                        if (known && last && !is_operator(last)) {
                                if (strv_extend(&out, "WITH") < 0 || strv_extend(&out, words[i + 1]) < 0)
                                        return NULL;
                        }
                        i++;
                        if (words[i + 1] && strcasecmp(words[i + 1], "exception") == 0)
                                i++;
                        continue;
                }
                if (streq(w, ")")) {
                        while (last && is_operator(last) && !streq(last, "(")) {
                                free(out[strv_length(out) - 1]);
                                out[strv_length(out) - 1] = NULL;
                                last = strv_length(out) ? out[strv_length(out) - 1] : NULL;
                        }
                        if (last && streq(last, "(")) { /* "()" says nothing */
                                free(out[strv_length(out) - 1]);
                                out[strv_length(out) - 1] = NULL;
                        } else if (strv_extend(&out, ")") < 0)
                                return NULL;
                        continue;
                }
                /* Two licences side by side: both apply. */
                if (last && !is_operator(last) && strv_extend(&out, "AND") < 0)
                        return NULL;
                if (streq(w, "(")) {
                        if (strv_extend(&out, "(") < 0)
                                return NULL;
                        continue;
                }
                char *m = map_token(w, refs, declared);
                if (!m || strv_push(&out, m) < 0)
                        return NULL;
        }
        while (strv_length(out) > 0 && is_operator(out[strv_length(out) - 1])) {
                free(out[strv_length(out) - 1]);
                out[strv_length(out) - 1] = NULL;
        }
        if (strv_length(out) == 0)
                return strdup("NOASSERTION");
        /* Parentheses must balance for the expression to parse; if Debian's did
         * not, give up on the expression rather than emit a broken one. */
        int depth = 0;
        STRV_FOREACH (t, out) {
                depth += streq(*t, "(") - streq(*t, ")");
                if (depth < 0)
                        break;
        }
        if (depth != 0)
                return strdup("NOASSERTION");
        char *joined = strv_join(out, " ");
        if (!joined)
                return NULL;
        /* "( A" and "B )" read better as "(A" and "B)". */
        char *w = joined;
        for (char *r = joined; *r; r++) {
                if ((r[0] == '(' && r[1] == ' ') || (r[0] == ' ' && r[1] == ')')) {
                        *w++ = r[0] == '(' ? '(' : ')';
                        r++;
                        continue;
                }
                *w++ = *r;
        }
        *w = 0;
        return joined;
}

static char *spdx_id(const char *name) {
        char *r;
        if (asprintf(&r, "SPDXRef-Package-deb-%s", name) < 0)
                return NULL;
        for (char *p = r; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '.' && *p != '-')
                        *p = '-';
        return r;
}

static char *purl(const Package *p) {
        _cleanup_free_ char *v = NULL;
        char *r;
        size_t n = 0;

        /* purl percent-encodes ':' and '+' in versions. */
        v = malloc(strlen(p->version) * 3 + 1);
        if (!v)
                return NULL;
        for (const char *s = p->version; *s; s++)
                n += (size_t) sprintf(v + n, *s == ':' ? "%%3A" : *s == '+' ? "%%2B" : "%c", *s);
        if (asprintf(&r, "pkg:deb/debian/%s@%s?arch=%s", p->name, v, p->architecture) < 0)
                return NULL;
        return r;
}

json_object *sbom_new(const Recipe *recipe, const PackageSet *packages, const BaseTree *base) {
        json_object *doc = json_object_new_object(), *ci = json_object_new_object();
        json_object *creators = json_object_new_array(), *pkgs = json_object_new_array();
        json_object *rels = json_object_new_array(), *refs = json_object_new_array();
        _cleanup_strv_free_ char **declared = NULL;
        _cleanup_free_ char *ns = NULL, *name = NULL;
        char created[32];
        time_t t = (time_t) base->source_date_epoch;
        struct tm tm;

        /* The date was checked when it was read (epoch_valid()); should
         * gmtime_r() still fail, strftime() must not read through NULL. */
        if (gmtime_r(&t, &tm))
                (void) strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
        else
                snprintf(created, sizeof(created), "1970-01-01T00:00:00Z");
        if (asprintf(&name, "%s-%s", recipe->name, recipe->version) < 0 ||
            asprintf(&ns, "urn:berth:sbom:%s:%s:%s", recipe->name, recipe->version, base->key) < 0) {
                json_object_put(doc);
                return NULL;
        }

        json_object_object_add(doc, "spdxVersion", json_object_new_string("SPDX-2.3"));
        json_object_object_add(doc, "dataLicense", json_object_new_string("CC0-1.0"));
        json_object_object_add(doc, "SPDXID", json_object_new_string("SPDXRef-DOCUMENT"));
        json_object_object_add(doc, "name", json_object_new_string(name));
        json_object_object_add(doc, "documentNamespace", json_object_new_string(ns));
        json_object_array_add(creators, json_object_new_string("Tool: build-image-" BERTH_VERSION));
        json_object_object_add(ci, "creators", creators);
        json_object_object_add(ci, "created", json_object_new_string(created));
        json_object_object_add(doc, "creationInfo", ci);

        for (size_t i = 0; i < packages->n_packages; i++) {
                const Package *p = &packages->packages[i];
                const PackageOrigin *origin = &base->origins[i];
                _cleanup_free_ char *id = spdx_id(p->name), *locator = purl(p), *lic = NULL, *src = NULL;
                json_object *j = json_object_new_object(), *sums = json_object_new_array();
                json_object *sum = json_object_new_object(), *ext = json_object_new_array();
                json_object *ref = json_object_new_object(), *rel = json_object_new_object();

                lic = origin->license ? sbom_license_expression(origin->license, refs, &declared)
                                      : strdup("NOASSERTION");
                if (asprintf(&src, "built from the Debian source package %s", origin->source) < 0)
                        src = NULL;
                json_object_object_add(j, "name", json_object_new_string(p->name));
                json_object_object_add(j, "SPDXID", json_object_new_string(id ? id : "SPDXRef-Package-oom"));
                json_object_object_add(j, "versionInfo", json_object_new_string(p->version));
                json_object_object_add(j, "supplier", json_object_new_string("Organization: Debian"));
                json_object_object_add(j, "downloadLocation", json_object_new_string("NOASSERTION"));
                json_object_object_add(j, "filesAnalyzed", json_object_new_boolean(0));
                json_object_object_add(sum, "algorithm", json_object_new_string("SHA256"));
                json_object_object_add(sum, "checksumValue", json_object_new_string(p->sha256));
                json_object_array_add(sums, sum);
                json_object_object_add(j, "checksums", sums);
                json_object_object_add(j, "licenseConcluded", json_object_new_string("NOASSERTION"));
                json_object_object_add(j, "licenseDeclared",
                                       json_object_new_string(lic ? lic : "NOASSERTION"));
                json_object_object_add(j, "copyrightText", json_object_new_string("NOASSERTION"));
                json_object_object_add(j, "sourceInfo", json_object_new_string(src ? src : ""));
                json_object_object_add(ref, "referenceCategory", json_object_new_string("PACKAGE-MANAGER"));
                json_object_object_add(ref, "referenceType", json_object_new_string("purl"));
                json_object_object_add(ref, "referenceLocator",
                                       json_object_new_string(locator ? locator : ""));
                json_object_array_add(ext, ref);
                json_object_object_add(j, "externalRefs", ext);
                json_object_array_add(pkgs, j);

                json_object_object_add(rel, "spdxElementId", json_object_new_string("SPDXRef-DOCUMENT"));
                json_object_object_add(rel, "relationshipType", json_object_new_string("DESCRIBES"));
                json_object_object_add(rel, "relatedSpdxElement", json_object_new_string(id ? id : ""));
                json_object_array_add(rels, rel);
        }
        json_object_object_add(doc, "packages", pkgs);
        json_object_object_add(doc, "relationships", rels);
        if (json_object_array_length(refs) > 0)
                json_object_object_add(doc, "hasExtractedLicensingInfos", refs);
        else
                json_object_put(refs);
        return doc;
}
