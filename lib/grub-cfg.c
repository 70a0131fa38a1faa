/* SPDX-License-Identifier: MIT */
#include "grub-cfg.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"

void boot_entry_done(BootEntry *e) {
        free(e->title);
        free(e->version);
        free(e->kernel);
        free(e->initrd);
        free(e->options);
        *e = (BootEntry){ 0 };
}

static int set_field(char **field, const char *value, size_t len) {
        char *v = strndup(value, len);

        if (!v)
                return -ENOMEM;
        free(*field);
        *field = v;
        return 0;
}

int boot_entry_parse(const char *text, BootEntry *ret, char *msg, size_t msg_size) {
        BootEntry e = { 0 };
        int r = 0;

        for (const char *line = text; *line && r >= 0;) {
                size_t len = strcspn(line, "\n"), klen = strcspn(line, " \t\n");
                const char *value = line + klen;
                size_t vlen;

                while (value < line + len && (*value == ' ' || *value == '\t'))
                        value++;
                vlen = (size_t) (line + len - value);
                while (vlen > 0 &&
                       (value[vlen - 1] == ' ' || value[vlen - 1] == '\t' || value[vlen - 1] == '\r'))
                        vlen--;
#define KEY(k) (klen == strlen(k) && strncmp(line, k, klen) == 0)
                if (KEY("title"))
                        r = set_field(&e.title, value, vlen);
                else if (KEY("version"))
                        r = set_field(&e.version, value, vlen);
                else if (KEY("linux"))
                        r = set_field(&e.kernel, value, vlen);
                else if (KEY("initrd"))
                        r = set_field(&e.initrd, value, vlen);
                else if (KEY("options"))
                        r = set_field(&e.options, value, vlen);
#undef KEY
                line += len;
                if (*line == '\n')
                        line++;
        }
        if (r < 0) {
                boot_entry_done(&e);
                return r;
        }
        const char *missing = !e.kernel ? "linux" : !e.options ? "options" : !e.version ? "version" : NULL;
        if (missing) {
                snprintf(msg, msg_size, "no '%s' line", missing);
                boot_entry_done(&e);
                return -EINVAL;
        }
        *ret = e;
        return 0;
}

static int compare_newest_first(const void *a, const void *b) {
        const BootEntry *x = a, *y = b;
        return strverscmp(y->version, x->version);
}

void boot_entries_sort(BootEntry *entries, size_t n) {
        qsort(entries, n, sizeof(*entries), compare_newest_first);
}

/* GRUB's shell expands $ and drops double quotes inside words: each word goes
 * in single quotes, a ' in it as '\''. */
static int put_quoted(FILE *f, const char *s, size_t len) {
        fputc('\'', f);
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\n')
                        return -EINVAL;
                if (s[i] == '\'')
                        fputs("'\\''", f);
                else
                        fputc(s[i], f);
        }
        fputc('\'', f);
        return 0;
}

/* The kernel's words: split at blanks outside double quotes, as the kernel does. */
static int put_options(FILE *f, const char *options) {
        const char *p = options;

        while (*p) {
                const char *start;
                bool quoted = false;

                while (*p == ' ' || *p == '\t')
                        p++;
                if (!*p)
                        break;
                start = p;
                for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++)
                        if (*p == '"')
                                quoted = !quoted;
                fputc(' ', f);
                if (put_quoted(f, start, (size_t) (p - start)) < 0)
                        return -EINVAL;
        }
        return 0;
}

int grub_cfg_write(FILE *f, const BootEntry *entries, size_t n, const char *boot_prefix) {
        if (n == 0)
                return -EINVAL;
        fputs("# berth: written by build-image from ostree's boot entries, newest first; do not edit\n", f);
        /* The menu shows for a second on the console (ttyS0 and the screen);
         * on EFI the firmware already copies its console to the serial port,
         * so GRUB's own serial terminal would print every line twice. */
        fputs("set timeout=1\n"
              "if [ \"$grub_platform\" = \"pc\" ]; then\n"
              "  serial --unit=0 --speed=115200\n"
              "  terminal_input serial console\n"
              "  terminal_output serial console\n"
              "fi\n"
              "set default=0\n",
              f);
        if (n > 1)
                fputs("set fallback=1\n", f);
        for (size_t i = 0; i < n; i++) {
                const BootEntry *e = &entries[i];
                char id[32];

                fputs("menuentry ", f);
                if (put_quoted(f, e->title ? e->title : e->version,
                               strlen(e->title ? e->title : e->version)) < 0)
                        return -EINVAL;
                snprintf(id, sizeof(id), "berth-%zu", i);
                fprintf(f, " --id %s {\n  linux ", id);
                _cleanup_free_ char *kernel = NULL, *initrd = NULL;
                if (asprintf(&kernel, "%s%s", boot_prefix, e->kernel) < 0)
                        return -ENOMEM;
                if (put_quoted(f, kernel, strlen(kernel)) < 0 || put_options(f, e->options) < 0)
                        return -EINVAL;
                fputc('\n', f);
                if (e->initrd) {
                        if (asprintf(&initrd, "%s%s", boot_prefix, e->initrd) < 0)
                                return -ENOMEM;
                        fputs("  initrd ", f);
                        if (put_quoted(f, initrd, strlen(initrd)) < 0)
                                return -EINVAL;
                        fputc('\n', f);
                }
                fputs("}\n", f);
        }
        return 0;
}

static void entries_free(BootEntry *entries, size_t n) {
        for (size_t i = 0; i < n; i++)
                boot_entry_done(&entries[i]);
        free(entries);
}

int grub_cfg_generate(const char *entries_dir, const char *boot_prefix, const char *path) {
        _cleanup_free_ char *text = NULL;
        BootEntry *entries = NULL;
        size_t n = 0, len = 0;
        struct dirent *de;
        DIR *d = opendir(entries_dir);
        int r = 0;

        if (!d)
                return log_error_errno(errno, "Cannot open the boot entries %s: %m", entries_dir);
        while ((de = readdir(d))) {
                size_t nl = strlen(de->d_name);
                _cleanup_free_ char *file = NULL, *content = NULL;
                char msg[80];
                BootEntry *grown;

                if (nl < 6 || !streq(de->d_name + nl - 5, ".conf") || de->d_name[0] == '.')
                        continue;
                file = path_join(entries_dir, de->d_name);
                grown = reallocarray(entries, n + 1, sizeof(*entries));
                if (!file || !grown) {
                        r = log_oom();
                        break;
                }
                entries = grown;
                r = read_full_file(file, 64 * 1024, &content, NULL);
                if (r < 0) {
                        log_error_errno(r, "Cannot read %s: %m", file);
                        break;
                }
                r = boot_entry_parse(content, &entries[n], msg, sizeof(msg));
                if (r == -EINVAL)
                        log_error("%s: %s", file, msg);
                else if (r < 0)
                        log_oom();
                if (r < 0)
                        break;
                n++;
        }
        closedir(d);
        if (r >= 0 && n == 0)
                r = log_error_errno(ENOENT, "No boot entry in %s.", entries_dir);
        if (r >= 0) {
                FILE *f = open_memstream(&text, &len);

                boot_entries_sort(entries, n);
                if (!f)
                        r = log_oom();
                else {
                        r = grub_cfg_write(f, entries, n, boot_prefix);
                        if (fclose(f) != 0 && r >= 0)
                                r = -ENOMEM;
                        if (r < 0)
                                log_error_errno(r, "Cannot write the GRUB menu from %s: %m", entries_dir);
                }
        }
        if (r >= 0) {
                r = write_file_atomic(path, text, len, 0644);
                if (r < 0)
                        log_error_errno(r, "Cannot write %s: %m", path);
        }
        entries_free(entries, n);
        return r;
}
