/* SPDX-License-Identifier: MIT */

/* `build-image --check`: what a recipe will build, without building it. */

#include <json-c/json.h>
#include <stdio.h>

#include "build.h"
#include "strv.h"

static json_object *json_strv(char *const *l) {
        json_object *a = json_object_new_array();
        STRV_FOREACH (s, (char **) l)
                json_object_array_add(a, json_object_new_string(*s));
        return a;
}

static void print_list(const char *label, char *const *l) {
        _cleanup_free_ char *joined = strv_join(l, " ");
        printf("%-12s %zu%s%s\n", label, strv_length(l), l && *l ? ": " : "", strempty(joined));
}

int build_print_plan(const Recipe *r, const BuildOptions *opts) {
        if (opts->json) {
                json_object *o = json_object_new_object(), *ov = json_object_new_array();

                json_object_object_add(o, "recipe", json_object_new_string(r->path));
                json_object_object_add(o, "name", json_object_new_string(r->name));
                json_object_object_add(o, "version", json_object_new_string(r->version));
                json_object_object_add(o, "description", json_object_new_string(r->description));
                json_object_object_add(o, "kernel", json_object_new_string(r->kernel_package));
                json_object_object_add(o, "cmdline", json_object_new_string(r->kernel_cmdline));
                json_object_object_add(o, "modules", json_strv(r->kernel_modules));
                json_object_object_add(o, "packages", json_strv(r->packages));
                json_object_object_add(o, "exclude_paths", json_strv(r->exclude_paths));
                for (size_t i = 0; i < r->n_overlays; i++)
                        json_object_array_add(ov, json_object_new_string(r->overlays[i].path));
                json_object_object_add(o, "overlays", ov);
                json_object_object_add(o, "formats", json_strv(r->formats));
                json_object_object_add(o, "sources", json_strv(r->source_lines));
                puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(o);
                return 0;
        }

        printf("%s: valid recipe\n", r->path);
        printf("%-12s %s %s%s%s\n", "image", r->name, r->version, r->description[0] ? " — " : "",
               r->description);
        printf("%-12s %s%s%s\n", "kernel", r->kernel_package, r->kernel_cmdline[0] ? ", cmdline: " : "",
               r->kernel_cmdline);
        if (r->kernel_modules)
                print_list("modules", r->kernel_modules);
        print_list("packages", r->packages);
        print_list("excluded", r->exclude_paths);
        printf("%-12s %zu\n", "overlays", r->n_overlays);
        for (size_t i = 0; i < r->n_overlays; i++)
                printf("%-12s   %s\n", "", r->overlays[i].path);
        print_list("outputs", r->formats);
        if (r->source_lines)
                print_list("sources", r->source_lines);
        else
                printf("%-12s the build host's apt sources and keyrings\n", "sources");
        return 0;
}
