/* SPDX-License-Identifier: MIT */

/* sbom.c: Debian licence expressions become valid SPDX expressions. */

#include <stdlib.h>
#include <string.h>

#include "../../lib/tests/tap.h"
#include "manifest.h"
#include "strv.h"

static void check(const char *debian, const char *want) {
        json_object *refs = json_object_new_array();
        char **declared = NULL;
        char *got = sbom_license_expression(debian, refs, &declared);

        ok(got && streq(got, want), "'%s' -> '%s' (got '%s')", debian, want, got ? got : "(null)");
        free(got);
        strv_free(declared);
        json_object_put(refs);
}

int main(void) {
        check("GPL-2+", "GPL-2.0-or-later");
        check("Expat", "MIT");
        check("GPL-2+ AND MIT", "GPL-2.0-or-later AND MIT");
        check("Apache-2.0 AND (Artistic or GPL-1+)", "Apache-2.0 AND (Artistic-1.0 OR GPL-1.0-or-later)");
        check("(GPL-2 with Linux-syscall-note exception) AND LGPL-2.1+",
              "(GPL-2.0-only WITH Linux-syscall-note) AND LGPL-2.1-or-later");
        check("BSD-3-clause-Cambridge", "LicenseRef-BSD-3-clause-Cambridge");
        check("GPL-2+-or-X11", "LicenseRef-GPL-2--or-X11");
        check("(unbalanced", "NOASSERTION");
        check("", "NOASSERTION");

        json_object *refs = json_object_new_array();
        char **declared = NULL;
        free(sbom_license_expression("PD AND PD AND (PD or GPL-2)", refs, &declared));
        ok(json_object_array_length(refs) == 1, "a LicenseRef is declared once");
        ok(streq(json_object_get_string(
                         json_object_object_get(json_object_array_get_idx(refs, 0), "licenseId")),
                 "LicenseRef-PD"),
           "the declaration names it");
        strv_free(declared);
        json_object_put(refs);
        return tap_done();
}
