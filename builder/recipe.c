/* SPDX-License-Identifier: MIT */
#include "recipe.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "kernel-cmdline.h"
#include "path-util.h"
#include "schema.h"

/* The schema lives in tables (lib/schema.h): a key not listed there is an
 * error, so a typo in a recipe ("pakages") is reported instead of silently
 * ignored. */

/* What follows prefix in s, or NULL when s does not start with it. */
static const char *prefix_rest(const char *s, const char *prefix) {
        size_t n = strlen(prefix);
        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

#define LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"
#define ALNUM LOWER_DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* 1 to max characters, the first of `first`, each of first or `more`. */
static bool is_word(const char *v, size_t max, const char *first, const char *more) {
        size_t len = strlen(v);

        if (len == 0 || len > max || !strchr(first, v[0]))
                return false;
        for (const char *p = v; *p; p++)
                if (!strchr(first, *p) && !strchr(more, *p))
                        return false;
        return true;
}

static bool check_image_name(const char *v, char *msg, size_t n) {
        bool ok = is_word(v, 64, LOWER_DIGITS, "._-");
        if (!ok)
                snprintf(msg, n,
                         "image name '%s' must be 1-64 characters of a-z, 0-9, '.', '_', '-', "
                         "starting with a letter or digit",
                         v);
        return ok;
}

/* os-release(5) wants VERSION_ID and IMAGE_VERSION "mostly numeric, no
 * spaces or other characters outside of 0-9, a-z, '.', '_' and '-'";
 * Debian's '+' and '~' are allowed as well, and upper case. */
static bool check_version(const char *v, char *msg, size_t n) {
        bool ok = is_word(v, 64, ALNUM, "._+~-");
        if (!ok)
                snprintf(msg, n,
                         "version '%s' must be 1-64 characters of a-z, A-Z, 0-9, '.', '_', '+', '~', '-', "
                         "starting with a letter or digit",
                         v);
        return ok;
}

static bool check_description(const char *v, char *msg, size_t n) {
        if (strlen(v) <= 256)
                return true;
        snprintf(msg, n, "'image.description' must be at most 256 characters");
        return false;
}

/* The keyring's path goes into apt's configuration as "PATH": apt's syntax
 * has no escape for '"' (one ended the value and began an option of the
 * recipe's choosing), so such characters are refused. */
static bool check_keyring(const char *v, char *msg, size_t n) {
        if (v[0] && !strpbrk(v, "\"\\{};#"))
                return true;
        snprintf(msg, n, "keyring path '%s' must not be empty or hold any of \" \\ { } ; #", v);
        return false;
}

static bool check_cmdline(const char *v, char *msg, size_t n) {
        _cleanup_strv_free_ char **words = NULL;
        return kernel_cmdline_split(v, &words, msg, n) >= 0;
}

/* Debian policy 5.6.1: [a-z0-9][a-z0-9+.-]+; "name=version" pins a version. */
static bool check_package(const char *v, char *msg, size_t n) {
        const char *eq = strchr(v, '=');
        size_t len = eq ? (size_t) (eq - v) : strlen(v);
        bool ok = len >= 2 && strchr(LOWER_DIGITS, v[0]);

        for (size_t i = 0; ok && i < len; i++)
                ok = v[i] && strchr(LOWER_DIGITS "+.-", v[i]);
        if (ok && eq)
                ok = eq[1] && !strpbrk(eq + 1, " \t\n/");
        if (!ok)
                snprintf(msg, n, "'%s' is not a Debian package name (or name=version)", v);
        return ok;
}

static bool check_abs_glob(const char *v, char *msg, size_t n) {
        if (v[0] == '/' && !strstr(v, "/../") && !strpbrk(v, "\n\r"))
                return true;
        snprintf(msg, n, "'%s' must be an absolute path or glob (starting with '/')", v);
        return false;
}

static bool check_module(const char *v, char *msg, size_t n) {
        bool ok = v[0] != 0;
        for (const char *p = v; ok && *p; p++)
                ok = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/", *p);
        if (!ok)
                snprintf(msg, n, "'%s' is not a kernel module name or modules folder", v);
        return ok;
}

static bool check_format(const char *v, char *msg, size_t n) {
        if (streq(v, "raw") || streq(v, "qcow2"))
                return true;
        snprintf(msg, n, "unknown output format '%s' (known: raw, qcow2)", v);
        return false;
}

static bool check_var(const char *v, char *msg, size_t n) {
        if (streq(v, "persistent") || streq(v, "tmpfs"))
                return true;
        snprintf(msg, n, "'image.var' must be \"persistent\" or \"tmpfs\", not '%s'", v);
        return false;
}

static bool check_console(const char *v, char *msg, size_t n) {
        bool ok = strncmp(v, "tty", 3) == 0 || strncmp(v, "hvc", 3) == 0;
        for (const char *p = v; ok && *p; p++)
                ok = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", *p) != NULL;
        if (!ok)
                snprintf(msg, n, "'%s' is not a console name (ttyS1, hvc0, tty2)", v);
        return ok;
}

/* "512M", "1G", "4096": bytes, at most 16T. -EINVAL when not a size. The
 * limit is checked before the unit is applied: 17179869184G shifted by 30
 * wraps around to 0. */
#define SIZE_MAX_BYTES (UINT64_C(1) << 44)
static int parse_size(const char *v, uint64_t *ret) {
        char *end;
        unsigned long long n;
        unsigned shift = 0;

        if (v[0] < '0' || v[0] > '9')
                return -EINVAL;
        errno = 0;
        n = strtoull(v, &end, 10);
        if (errno || end == v)
                return -EINVAL;
        switch (*end) {
        case 0:
                break;
        case 'K':
                shift = 10;
                end++;
                break;
        case 'M':
                shift = 20;
                end++;
                break;
        case 'G':
                shift = 30;
                end++;
                break;
        default:
                return -EINVAL;
        }
        if (*end || n > (SIZE_MAX_BYTES >> shift))
                return -EINVAL;
        *ret = (uint64_t) n << shift;
        return 0;
}

static bool check_size(const char *v, char *msg, size_t n) {
        uint64_t s;
        if (parse_size(v, &s) >= 0)
                return true;
        snprintf(msg, n, "'%s' is not a size (a number of bytes, or with K, M or G, up to 16T)", v);
        return false;
}

static bool check_source_line(const char *v, char *msg, size_t n) {
        if ((strncmp(v, "deb ", 4) == 0 || strncmp(v, "deb [", 5) == 0) && !strpbrk(v, "\n\r"))
                return true;
        snprintf(msg, n, "'%s' is not a one-line apt source ('deb URI SUITE COMPONENT...')", v);
        return false;
}

/* An overlay is a folder inside the recipe's folder, named relative to it,
 * or one of berth's own, "berth:NAME": nothing else of the build host can be
 * copied into an image. */
static bool check_overlay(const char *v, char *msg, size_t n) {
        const char *name = prefix_rest(v, BERTH_OVERLAY_PREFIX);

        if (name) {
                bool ok = is_word(name, SIZE_MAX, ALNUM, "._-");
                if (!ok)
                        snprintf(msg, n,
                                 "'%s': berth's overlays are named " BERTH_OVERLAY_PREFIX
                                 "NAME, NAME of letters, digits, '.', '_', '-'",
                                 v);
                return ok;
        }
        if (!v[0]) {
                snprintf(msg, n, "overlay path must not be empty");
                return false;
        }
        if (v[0] == '/') {
                snprintf(msg, n,
                         "overlay '%s' must be relative to the recipe's folder (or " BERTH_OVERLAY_PREFIX
                         "NAME, one of berth's own)",
                         v);
                return false;
        }
        for (const char *p = v; *p;) {
                size_t len = strcspn(p, "/");
                if (len == 2 && strncmp(p, "..", 2) == 0) {
                        snprintf(msg, n, "overlay '%s' must stay inside the recipe's folder: no '..'", v);
                        return false;
                }
                p += len;
                p += strspn(p, "/");
        }
        return true;
}

/* berth's own overlays ship with build-image, found like its dracut module:
 * under PREFIX/share/berth once installed, or in the checkout whose build
 * folder holds the program (build/, build/sanitize/, and build/tests/ or
 * build/sanitize/tests/ for the unit tests). */
static char *berth_overlays_dir(void) {
        static const char *const candidates[] = {
                "../share/berth/overlays",
                "../overlays",
                "../../overlays",
                "../../../overlays",
        };
        _cleanup_free_ char *exe = realpath("/proc/self/exe", NULL);
        char *slash = exe ? strrchr(exe, '/') : NULL;

        if (!slash)
                return NULL;
        *slash = 0;
        for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
                _cleanup_free_ char *p = path_join(exe, candidates[i]);
                struct stat st;
                if (p && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
                        return realpath(p, NULL);
        }
        return NULL;
}

static int store_overlay(void *base, const char *value, TomlPos pos, TomlError *e) {
        Recipe *r = base;
        _cleanup_free_ char *abs = NULL;
        const char *name = prefix_rest(value, BERTH_OVERLAY_PREFIX);
        size_t len;
        RecipeOverlay *o;

        if (name) {
                if (!r->berth_overlays && !(r->berth_overlays = berth_overlays_dir()))
                        return schema_fail(e, pos,
                                           "'%s': berth's overlays folder is not found beside build-image",
                                           value);
                abs = path_join(r->berth_overlays, name);
        } else
                abs = path_join(r->dir, value);
        if (!abs)
                return -ENOMEM;
        /* "overlay/" names the folder overlay: lstat() must see a symlink as one. */
        for (len = strlen(abs); len > 1 && abs[len - 1] == '/'; len--)
                abs[len - 1] = 0;
        o = realloc(r->overlays, sizeof(RecipeOverlay) * (r->n_overlays + 1));
        if (!o)
                return -ENOMEM;
        r->overlays = o;
        r->overlays[r->n_overlays++] =
                (RecipeOverlay){ .path = TAKE_PTR(abs), .pos = pos, .berth = name != NULL };
        return 0;
}

/* Each package's position is kept for "not found" messages at build time. */
static int store_package(void *base, const char *value, TomlPos pos, TomlError *e) {
        Recipe *r = base;
        TomlPos *pp;
        int k;

        k = strv_extend(&r->packages, value);
        if (k < 0)
                return k;
        pp = realloc(r->package_pos, sizeof(TomlPos) * strv_length(r->packages));
        if (!pp)
                return -ENOMEM;
        r->package_pos = pp;
        pp[strv_length(r->packages) - 1] = pos;
        return 0;
}

/* The sections' fields are members of Recipe itself (offset 0). */
#define STR(k, member, chk, ...) \
        { .key = k, .kind = SCHEMA_STRING, .offset = offsetof(Recipe, member), .check = chk, __VA_ARGS__ }
#define LIST(k, member, chk, ...)                                                                       \
        {                                                                                               \
                .key = k, .kind = SCHEMA_STRING_LIST, .offset = offsetof(Recipe, member), .check = chk, \
                __VA_ARGS__                                                                             \
        }
static const SchemaField image_fields[] = {
        STR("name", name, check_image_name, .flags = SCHEMA_REQUIRED),
        STR("version", version, check_version, .flags = SCHEMA_REQUIRED),
        STR("description", description, check_description),
        STR("var", var, check_var),
        STR("shell", shell, check_console),
};
static const SchemaField packages_fields[] = {
        LIST("include", packages, check_package, .flags = SCHEMA_REQUIRED, .store = store_package),
        LIST("exclude_paths", exclude_paths, check_abs_glob),
};
static const SchemaField kernel_fields[] = {
        STR("package", kernel_package, check_package),
        STR("cmdline", kernel_cmdline, check_cmdline),
        LIST("modules", kernel_modules, check_module),
};
static const SchemaField source_fields[] = {
        LIST("lines", source_lines, check_source_line),
        STR("keyring", source_keyring, check_keyring),
};
static const SchemaField overlays_fields[] = {
        /* Resolved into Recipe.overlays by store_overlay(). */
        { .key = "paths",
          .kind = SCHEMA_STRING_LIST,
          .offset = SCHEMA_NO_OFFSET,
          .check = check_overlay,
          .store = store_overlay },
};
static const SchemaField output_fields[] = {
        LIST("formats", formats, check_format),
        STR("free_space", free_space, check_size),
};
#undef STR
#undef LIST

static const SchemaTable image_table = SCHEMA_TABLE_OF(image_fields, NULL);
static const SchemaTable packages_table = SCHEMA_TABLE_OF(packages_fields, NULL);
static const SchemaTable kernel_table = SCHEMA_TABLE_OF(kernel_fields, NULL);
static const SchemaTable source_table = SCHEMA_TABLE_OF(source_fields, NULL);
static const SchemaTable overlays_table = SCHEMA_TABLE_OF(overlays_fields, NULL);
static const SchemaTable output_table = SCHEMA_TABLE_OF(output_fields, NULL);

#define SECTION(k, t) \
        { .key = k, .kind = SCHEMA_TABLE, .offset = 0, .table = &t }
static const SchemaField sections[] = {
        SECTION("image", image_table),       SECTION("packages", packages_table),
        SECTION("kernel", kernel_table),     SECTION("source", source_table),
        SECTION("overlays", overlays_table), SECTION("output", output_table),
};
#undef SECTION
static const SchemaTable recipe_schema = SCHEMA_TABLE_OF(sections, NULL);

static int load_document(Recipe *r, const TomlValue *doc, TomlError *e) {
        int k = schema_load(&recipe_schema, r, doc, e);
        if (k < 0)
                return k;
        if (strv_length(r->packages) == 0)
                return schema_fail(
                        e, toml_value_pos(toml_table_get(toml_table_get(doc, "packages"), "include")),
                        "'packages.include' must name at least one package");
        return 0;
}

static int recipe_defaults(Recipe *r) {
        if (!r->description && !(r->description = strdup("")))
                return -ENOMEM;
        if (!r->kernel_package && !(r->kernel_package = strdup("linux-image-cloud-amd64")))
                return -ENOMEM;
        if (!r->kernel_cmdline && !(r->kernel_cmdline = strdup("")))
                return -ENOMEM;
        if (!r->formats && strv_extend(&r->formats, "raw") < 0)
                return -ENOMEM;
        if (!r->var && !(r->var = strdup("persistent")))
                return -ENOMEM;
        if (!r->free_space && !(r->free_space = strdup("1G")))
                return -ENOMEM;
        if (parse_size(r->free_space, &r->free_space_bytes) < 0)
                return -EINVAL;
        return 0;
}

/* Overlays are checked here, not at build time, so `build-image --check`
 * catches a missing folder and names the recipe line that lists it. An
 * overlay is copied without following symlinks, its own path included: a
 * symlink to a folder would copy nothing, so it is refused. */
static int check_overlays(Recipe *r, TomlError *e) {
        _cleanup_free_ char *recipe_dir = realpath(r->dir, NULL);

        if (!recipe_dir)
                return schema_fail(e, (TomlPos){ 1, 1 }, "%s: %s", r->dir, strerror(errno));
        for (size_t i = 0; i < r->n_overlays; i++) {
                const char *root = r->overlays[i].berth ? r->berth_overlays : recipe_dir;
                _cleanup_free_ char *real = NULL;
                const char *rest;
                struct stat st;

                if (lstat(r->overlays[i].path, &st) < 0)
                        return schema_fail(e, r->overlays[i].pos, "overlay '%s': %s", r->overlays[i].path,
                                           strerror(errno));
                if (S_ISLNK(st.st_mode))
                        return schema_fail(e, r->overlays[i].pos,
                                           "overlay '%s' is a symlink: name the folder itself",
                                           r->overlays[i].path);
                if (!S_ISDIR(st.st_mode))
                        return schema_fail(e, r->overlays[i].pos, "overlay '%s' is not a folder",
                                           r->overlays[i].path);
                /* No '..' was written, but a folder on the way may be a symlink. */
                real = realpath(r->overlays[i].path, NULL);
                if (!real)
                        return schema_fail(e, r->overlays[i].pos, "overlay '%s': %s", r->overlays[i].path,
                                           strerror(errno));
                rest = prefix_rest(real, root);
                if (!rest || rest[0] != '/')
                        return schema_fail(e, r->overlays[i].pos,
                                           "overlay '%s' leads out of %s (through a symlink on the way)",
                                           r->overlays[i].path,
                                           r->overlays[i].berth ? "berth's overlays folder"
                                                                : "the recipe's folder");
                free(r->overlays[i].path);
                r->overlays[i].path = TAKE_PTR(real);
        }
        return 0;
}

int recipe_load(const char *path, Recipe **ret, TomlError *reterr) {
        _cleanup_(recipe_freep) Recipe *r = NULL;
        _cleanup_(toml_freep) TomlValue *doc = NULL;
        _cleanup_free_ char *text = NULL;
        TomlError scratch;
        TomlError *e = reterr ?: &scratch;
        size_t size;
        int k;

        *e = (TomlError){ 0 };
        k = read_full_file(path, 1u << 20, &text, &size);
        if (k < 0) {
                snprintf(e->msg, sizeof(e->msg), "%s", strerror(-k));
                return k;
        }
        k = toml_parse(text, size, &doc, e);
        if (k < 0)
                return k;

        r = calloc(1, sizeof(Recipe));
        if (!r)
                return -ENOMEM;
        r->path = strdup(path);
        r->dir = path_dirname_absolute(path);
        if (!r->path || !r->dir)
                return -ENOMEM;

        k = load_document(r, doc, e);
        if (k < 0)
                return k;
        k = recipe_defaults(r);
        if (k < 0)
                return k;
        k = check_overlays(r, e);
        if (k < 0)
                return k;
        /* A relative keyring is the recipe's, like its overlays: relative to
         * the recipe's folder, not to wherever build-image was started. */
        if (r->source_keyring && r->source_keyring[0] != '/') {
                char *abs = path_join(r->dir, r->source_keyring);
                if (!abs)
                        return -ENOMEM;
                free(r->source_keyring);
                r->source_keyring = abs;
        }

        *ret = TAKE_PTR(r);
        return 0;
}

Recipe *recipe_free(Recipe *r) {
        if (!r)
                return NULL;
        free(r->path);
        free(r->dir);
        free(r->name);
        free(r->version);
        free(r->description);
        free(r->var);
        free(r->shell);
        free(r->free_space);
        strv_free(r->packages);
        free(r->package_pos);
        strv_free(r->exclude_paths);
        free(r->kernel_package);
        free(r->kernel_cmdline);
        strv_free(r->kernel_modules);
        strv_free(r->source_lines);
        free(r->source_keyring);
        for (size_t i = 0; i < r->n_overlays; i++)
                free(r->overlays[i].path);
        free(r->overlays);
        free(r->berth_overlays);
        strv_free(r->formats);
        free(r);
        return NULL;
}
