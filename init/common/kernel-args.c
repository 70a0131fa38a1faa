/* SPDX-License-Identifier: MIT */
#include "kernel-args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-contract.h"
#include "console.h"
#include "fileio.h"
#include "macro.h"

static const char *const var_choices[] = {
        [VAR_PERSISTENT] = BERTH_VAR_PERSISTENT, [VAR_TMPFS] = BERTH_VAR_TMPFS, NULL
};

static const char *const state_http_choices[] = {
        [STATE_HTTP_PINNED] = BERTH_STATE_HTTP_PINNED, [STATE_HTTP_ANY] = BERTH_STATE_HTTP_ANY, NULL
};

const char *const platform_names[_PLATFORM_MAX + 1] = {
        [PLATFORM_AUTO] = "auto", [PLATFORM_QEMU] = "qemu", [PLATFORM_NOCLOUD] = "nocloud",
        [PLATFORM_EC2] = "ec2",   [PLATFORM_GCE] = "gce",   [PLATFORM_METAL] = "metal",
        [_PLATFORM_MAX] = NULL,
};

const KernelArgSpec kernel_arg_specs[_KARG_MAX] = {
        [KARG_ROOT] = { .name = BERTH_KARG_ROOT,
                        .type = KARG_STRING,
                        .doc = "the root device: LABEL=, UUID=, PARTLABEL= or /dev/..." },
        [KARG_OSTREE] = { .name = BERTH_KARG_OSTREE,
                          .type = KARG_STRING,
                          .doc = "the ostree deployment to boot (/ostree/boot.N/berth/CSUM/0)" },
        [KARG_VAR] = { .name = BERTH_KARG_VAR,
                       .type = KARG_ENUM,
                       .choices = var_choices,
                       .def = VAR_PERSISTENT,
                       .doc = "/var kept on the root disk, or a fresh tmpfs each boot" },
        [KARG_SHELL] = { .name = BERTH_KARG_SHELL,
                         .type = KARG_STRING,
                         .doc = "a root shell on this console (a name under /dev); none when empty" },
        [KARG_ROOT_TIMEOUT] = { .name = BERTH_KARG_ROOT_TIMEOUT,
                                .type = KARG_UNSIGNED,
                                .min = 1,
                                .max = 86400,
                                .def = 30,
                                .doc = "seconds to wait for the root device" },
        [KARG_NETWORK_TIMEOUT] = { .name = BERTH_KARG_NETWORK_TIMEOUT,
                                   .type = KARG_UNSIGNED,
                                   .min = 0,
                                   .max = 86400,
                                   .def = 30,
                                   .doc = "seconds to wait for a DHCP lease before containerd starts "
                                          "without one; 0: wait for ever" },
        [KARG_STATE] = { .name = BERTH_KARG_STATE,
                         .type = KARG_STRING,
                         .doc = "the host state document's http or https URL; when given, the only source" },
        [KARG_STATE_SHA256] = { .name = BERTH_KARG_STATE_SHA256,
                                .type = KARG_STRING,
                                .doc = "the document's SHA-256 (64 hex digits): any other document is "
                                       "refused" },
        [KARG_STATE_HTTP] = { .name = BERTH_KARG_STATE_HTTP,
                              .type = KARG_ENUM,
                              .choices = state_http_choices,
                              .def = STATE_HTTP_PINNED,
                              .doc = "a plain-http berth.state needs berth.state.sha256 (pinned), or not "
                                     "(any)" },
        [KARG_STATE_TIMEOUT] = { .name = BERTH_KARG_STATE_TIMEOUT,
                                 .type = KARG_UNSIGNED,
                                 .min = 1,
                                 .max = 3600,
                                 .def = 60,
                                 .doc = "seconds the host state's fetch may take, every source and retry "
                                        "together" },
        [KARG_PLATFORM] = { .name = BERTH_KARG_PLATFORM,
                            .type = KARG_ENUM,
                            .choices = platform_names,
                            .def = PLATFORM_AUTO,
                            .doc = "where host state is looked for; auto: the DMI strings decide" },
};

/* The kernel's isspace() on the command line. */
static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int kernel_cmdline_next(const char **p, char **ret_key, char **ret_value) {
        const char *w = *p;
        size_t i, equals = 0, key_end, value_start = 0, value_end = 0;
        bool quoted = false, in_quote = false;
        _cleanup_free_ char *key = NULL, *value = NULL;

        while (is_space(*w))
                w++;
        if (!*w) {
                *p = w;
                return 0;
        }
        if (*w == '"') {
                w++;
                quoted = in_quote = true;
        }
        /* As next_arg(): the first '=' splits, except at the word's start. */
        for (i = 0; w[i]; i++) {
                if (is_space(w[i]) && !in_quote)
                        break;
                if (equals == 0 && w[i] == '=')
                        equals = i;
                if (w[i] == '"')
                        in_quote = !in_quote;
        }
        key_end = equals ? equals : i;
        if (equals) {
                value_start = equals + 1;
                value_end = i;
                if (w[value_start] == '"') {
                        value_start++;
                        if (w[i - 1] == '"')
                                value_end = i - 1;
                }
        }
        /* A quote that opened the word goes with the one that ends it. */
        if (quoted && i > 0 && w[i - 1] == '"') {
                if (equals)
                        value_end = i - 1;
                else
                        key_end = i - 1;
        }
        if (value_end < value_start)
                value_end = value_start;

        key = strndup(w, key_end);
        if (!key)
                return -ENOMEM;
        if (equals) {
                value = strndup(w + value_start, value_end - value_start);
                if (!value)
                        return -ENOMEM;
        }
        *p = w[i] ? w + i + 1 : w + i;
        *ret_key = TAKE_PTR(key);
        *ret_value = TAKE_PTR(value);
        return 1;
}

/* As the kernel's parameq(): '-' and '_' are the same in a name. */
static bool name_eq(const char *a, const char *b) {
        for (;; a++, b++) {
                char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
                if (x != y)
                        return false;
                if (!x)
                        return true;
        }
}

/* Decimal digits only: no sign, no space, no base prefix, no overflow. */
static int parse_unsigned(const char *s, unsigned long long *ret) {
        unsigned long long v = 0;

        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                if (v > (~0ULL - (unsigned) (*s - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (unsigned) (*s - '0');
        }
        *ret = v;
        return 0;
}

static void default_text(const KernelArgSpec *s, char *buf, size_t n) {
        if (s->type == KARG_ENUM)
                snprintf(buf, n, "%s", s->choices[s->def]);
        else
                snprintf(buf, n, "%u", s->def);
}

/* The number of arg's value, or its default and a warning why not. */
static void validate(const KernelArgSpec *s, KernelArg *arg) {
        char def[32], why[96];
        unsigned long long v;

        arg->number = s->def;
        arg->warning[0] = 0;
        if (!arg->present || s->type == KARG_STRING)
                return;
        default_text(s, def, sizeof(def));
        if (!arg->text) {
                snprintf(arg->warning, sizeof(arg->warning), "%s: no value; using the default %s", s->name,
                         def);
                return;
        }
        if (s->type == KARG_ENUM) {
                for (unsigned i = 0; s->choices[i]; i++)
                        if (streq(arg->text, s->choices[i])) {
                                arg->number = i;
                                return;
                        }
                snprintf(why, sizeof(why), "not one of");
                for (unsigned i = 0; s->choices[i]; i++) {
                        size_t len = strlen(why);
                        snprintf(why + len, sizeof(why) - len, "%s %s", i ? "," : "", s->choices[i]);
                }
        } else {
                int r = parse_unsigned(arg->text, &v);
                if (r == 0 && v >= s->min && v <= s->max) {
                        arg->number = (unsigned) v;
                        return;
                }
                if (r == -EINVAL)
                        snprintf(why, sizeof(why), "not a number");
                else
                        snprintf(why, sizeof(why), "out of range (%u to %u)", s->min, s->max);
        }
        snprintf(arg->warning, sizeof(arg->warning), "%s=%s: %s; using the default %s", s->name, arg->text,
                 why, def);
}

void kernel_args_clear(KernelArgs *a) {
        for (size_t i = 0; i < _KARG_MAX; i++)
                free(a->arg[i].text);
        *a = (KernelArgs){};
}

int kernel_args_parse(const char *cmdline, KernelArgs *ret) {
        KernelArgs a = {};
        const char *p = cmdline;
        int r;

        for (;;) {
                _cleanup_free_ char *key = NULL, *value = NULL;

                r = kernel_cmdline_next(&p, &key, &value);
                if (r < 0) {
                        kernel_args_clear(&a);
                        return r;
                }
                if (r == 0 || (!value && streq(key, "--")))
                        break;
                for (size_t i = 0; i < _KARG_MAX; i++)
                        if (name_eq(key, kernel_arg_specs[i].name)) {
                                free(a.arg[i].text);
                                a.arg[i].text = TAKE_PTR(value);
                                a.arg[i].present = true;
                                break;
                        }
        }
        for (size_t i = 0; i < _KARG_MAX; i++)
                validate(&kernel_arg_specs[i], &a.arg[i]);
        *ret = a;
        return 0;
}

/* This process's arguments: PID 1 reads them once, and keeps them. */
static KernelArgs boot_args;

static KernelArg *boot_arg(KernelArgId id) {
        static bool loaded;

        if (!loaded) {
                _cleanup_free_ char *text = NULL;
                loaded = true;
                /* Unreadable: every argument is absent, and has its default. */
                if (read_full_file("/proc/cmdline", 0, &text, NULL) < 0 ||
                    kernel_args_parse(text, &boot_args) < 0)
                        (void) kernel_args_parse("", &boot_args);
        }
        KernelArg *arg = &boot_args.arg[id];
        if (arg->warning[0]) {
                console_warning("%s", arg->warning);
                arg->warning[0] = 0;
        }
        return arg;
}

const char *kernel_arg_string(KernelArgId id) {
        KernelArg *arg = boot_arg(id);

        if (!arg->present)
                return NULL;
        return arg->text ?: "";
}

unsigned kernel_arg_unsigned(KernelArgId id) {
        return boot_arg(id)->number;
}
