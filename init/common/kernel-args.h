/* SPDX-License-Identifier: MIT */
#pragma once

/* Every kernel argument berth-init reads, parsed in one place: a table of
 * the known arguments (name, type, range, default, what it does), read from
 * /proc/cmdline once per process. A value that is not valid (not a number,
 * out of range, not one of the choices, missing) is a warning on the
 * console and the default. docs/boot.md lists the same table. */

#include <stdbool.h>

typedef enum KernelArgId {
        KARG_ROOT,
        KARG_OSTREE,
        KARG_VAR,
        KARG_SHELL,
        KARG_ROOT_TIMEOUT,
        KARG_NETWORK_TIMEOUT,
        KARG_STATE,
        KARG_STATE_SHA256,
        KARG_STATE_HTTP,
        KARG_STATE_TIMEOUT,
        KARG_PLATFORM,
        _KARG_MAX,
} KernelArgId;

/* berth.var's values, in the order of its choices. */
typedef enum VarMode {
        VAR_PERSISTENT,
        VAR_TMPFS,
} VarMode;

/* berth.state.http's values. */
typedef enum StateHttp {
        STATE_HTTP_PINNED,
        STATE_HTTP_ANY,
} StateHttp;

/* berth.platform's values: where host state is looked for
 * (init/common/state-plan.h); auto lets the DMI strings decide. */
typedef enum Platform {
        PLATFORM_AUTO,
        PLATFORM_QEMU,
        PLATFORM_NOCLOUD,
        PLATFORM_EC2,
        PLATFORM_GCE,
        PLATFORM_METAL,
        _PLATFORM_MAX,
} Platform;
extern const char *const platform_names[_PLATFORM_MAX + 1];

typedef enum KernelArgType {
        KARG_STRING, /* any text; a bare key is "" */
        KARG_UNSIGNED, /* decimal digits only, within [min, max] */
        KARG_ENUM, /* one of choices; its number is the index */
} KernelArgType;

typedef struct KernelArgSpec {
        const char *name;
        KernelArgType type;
        unsigned min, max; /* KARG_UNSIGNED */
        const char *const *choices; /* KARG_ENUM: NULL-terminated */
        unsigned def; /* KARG_UNSIGNED, KARG_ENUM: the default */
        const char *doc;
} KernelArgSpec;

extern const KernelArgSpec kernel_arg_specs[_KARG_MAX];

typedef struct KernelArg {
        bool present; /* on the command line (the last occurrence counts) */
        char *text; /* its value, quotes removed; NULL for a bare key */
        unsigned number; /* KARG_UNSIGNED, KARG_ENUM: the value, or the default */
        char warning[200]; /* why the given value is not used; "" when it is */
} KernelArg;

typedef struct KernelArgs {
        KernelArg arg[_KARG_MAX];
} KernelArgs;

/* Splits one word off *p by the kernel's rule (lib/cmdline.c, next_arg()):
 * words end at white space outside double quotes; a quote that opens the
 * word or its value is dropped, and so is the quote that ends the word;
 * there are no escapes. `key="a b"` and `"key=a b"` both give key, "a b".
 * Returns 1 with *ret_key and *ret_value (NULL: no '=') allocated, 0 at
 * the end, -ENOMEM. */
int kernel_cmdline_next(const char **p, char **ret_key, char **ret_value);

/* Parses a command line into the table's arguments. Unknown words are
 * ignored; a key given twice: the last wins; a bare `--` ends the
 * kernel's arguments (what follows is init's argv). Names match with '-'
 * and '_' alike, as the kernel's. 0 or -ENOMEM. */
int kernel_args_parse(const char *cmdline, KernelArgs *ret);
void kernel_args_clear(KernelArgs *a);

/* This boot's arguments, from /proc/cmdline at the first call. The first
 * read of an argument whose value is not valid prints its warning
 * ("berth: warning: berth.root_timeout=abc: not a number; using the
 * default 30"), so the stage that uses an argument is the one that warns. */
const char *kernel_arg_string(KernelArgId id); /* NULL when absent */
unsigned kernel_arg_unsigned(KernelArgId id); /* KARG_UNSIGNED, KARG_ENUM */
