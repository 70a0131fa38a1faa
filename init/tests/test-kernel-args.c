/* SPDX-License-Identifier: MIT */
/* Kernel arguments: the kernel's word and quote rule, and the table's
 * validation (a bad value is a warning and the default). */

#include <stdlib.h>
#include <string.h>

#include "../../lib/tests/tap.h"
#include "boot-contract.h"
#include "kernel-args.h"

/* The words of a command line as "key=value|key|..." (no '=' for a bare key). */
static char *words(const char *cmdline) {
        static char out[512];
        const char *p = cmdline;
        char *key, *value;

        out[0] = 0;
        while (kernel_cmdline_next(&p, &key, &value) > 0) {
                size_t n = strlen(out);
                snprintf(out + n, sizeof(out) - n, "%s%s%s%s", n ? "|" : "", key, value ? "=" : "",
                         value ? value : "");
                free(key);
                free(value);
        }
        return out;
}

/* cmdline with its tabs and newlines visible, for a one-line TAP name. */
static const char *visible(const char *cmdline) {
        static char out[256];
        size_t n = 0;

        for (const char *c = cmdline; *c && n + 3 < sizeof(out); c++) {
                if (*c == '\t' || *c == '\n') {
                        out[n++] = '\\';
                        out[n++] = *c == '\t' ? 't' : 'n';
                } else
                        out[n++] = *c;
        }
        out[n] = 0;
        return out;
}

static void check_words(const char *cmdline, const char *want) {
        const char *got = words(cmdline);
        if (!ok(strcmp(got, want) == 0, "split [%s]", visible(cmdline)))
                printf("# got [%s], want [%s]\n", got, want);
}

/* Parses cmdline and checks one argument's number, text and warning. */
static void check_arg(const char *cmdline, KernelArgId id, unsigned number, const char *text,
                      const char *warning) {
        KernelArgs a;
        int r = kernel_args_parse(cmdline, &a);
        const KernelArg *arg = &a.arg[id];
        bool good = r == 0 && arg->number == number &&
                    (text ? arg->text && strcmp(arg->text, text) == 0 : !arg->text) &&
                    strcmp(arg->warning, warning) == 0;

        if (!ok(good, "[%s]: %s %u%s%s", cmdline, kernel_arg_specs[id].name, number, warning[0] ? ", " : "",
                warning))
                printf("# got r=%d number %u text [%s] warning [%s]\n", r, arg->number,
                       arg->text ?: "(null)", arg->warning);
        kernel_args_clear(&a);
}

int main(void) {
        /* The kernel's rule: lib/cmdline.c, next_arg(). */
        check_words("", "");
        check_words("   \t\n", "");
        check_words("a=1 b c=", "a=1|b|c=");
        check_words("  a=1\t\tb=2\n", "a=1|b=2");
        check_words("key=\"a b\" next", "key=a b|next");
        check_words("\"key=a b\" next", "key=a b|next");
        check_words("\"bare key\" x", "bare key|x");
        check_words("key=a\"b c\"d e", "key=a\"b c\"d|e");
        check_words("key=\"\" x", "key=|x");
        check_words("key=\" x", "key= x");
        check_words("key=\"unterminated value", "key=unterminated value");
        check_words("k=v=w", "k=v=w");
        check_words("=v", "=v");

        /* Defaults when absent. */
        check_arg("", KARG_ROOT_TIMEOUT, 30, NULL, "");
        check_arg("", KARG_NETWORK_TIMEOUT, 30, NULL, "");
        check_arg("", KARG_VAR, VAR_PERSISTENT, NULL, "");
        check_arg("", KARG_STATE_TIMEOUT, 60, NULL, "");
        {
                KernelArgs a;
                ok(kernel_args_parse("quiet", &a) == 0 && !a.arg[KARG_SHELL].present &&
                           !a.arg[KARG_ROOT].present,
                   "absent strings are absent");
                kernel_args_clear(&a);
        }

        /* Numbers. */
        check_arg("berth.root_timeout=3", KARG_ROOT_TIMEOUT, 3, "3", "");
        check_arg("berth.network_timeout=0", KARG_NETWORK_TIMEOUT, 0, "0", "");
        check_arg("berth.network_timeout=86400", KARG_NETWORK_TIMEOUT, 86400, "86400", "");
        check_arg("berth.network_timeout=007", KARG_NETWORK_TIMEOUT, 7, "007", "");
        check_arg("berth.state.timeout=10", KARG_STATE_TIMEOUT, 10, "10", "");
        check_arg("berth.state.timeout=0", KARG_STATE_TIMEOUT, 60, "0",
                  "berth.state.timeout=0: out of range (1 to 3600); using the default 60");
        check_arg("berth.network_timeout=\"12\"", KARG_NETWORK_TIMEOUT, 12, "12", "");
        check_arg("berth.root_timeout=4294968", KARG_ROOT_TIMEOUT, 30, "4294968",
                  "berth.root_timeout=4294968: out of range (1 to 86400); using the default 30");
        check_arg("berth.root_timeout=0", KARG_ROOT_TIMEOUT, 30, "0",
                  "berth.root_timeout=0: out of range (1 to 86400); using the default 30");
        check_arg("berth.network_timeout=86401", KARG_NETWORK_TIMEOUT, 30, "86401",
                  "berth.network_timeout=86401: out of range (0 to 86400); using the default 30");
        check_arg("berth.root_timeout=99999999999999999999999", KARG_ROOT_TIMEOUT, 30,
                  "99999999999999999999999",
                  "berth.root_timeout=99999999999999999999999: out of range (1 to 86400); using the default "
                  "30");
        check_arg(
                "berth.root_timeout=18446744073709551616", KARG_ROOT_TIMEOUT, 30, "18446744073709551616",
                "berth.root_timeout=18446744073709551616: out of range (1 to 86400); using the default 30");
        /* 2^64 + 5: a parser that wraps would take 5. */
        check_arg(
                "berth.root_timeout=18446744073709551621", KARG_ROOT_TIMEOUT, 30, "18446744073709551621",
                "berth.root_timeout=18446744073709551621: out of range (1 to 86400); using the default 30");
        check_arg("berth.network_timeout=abc", KARG_NETWORK_TIMEOUT, 30, "abc",
                  "berth.network_timeout=abc: not a number; using the default 30");
        check_arg("berth.network_timeout=5s", KARG_NETWORK_TIMEOUT, 30, "5s",
                  "berth.network_timeout=5s: not a number; using the default 30");
        check_arg("berth.network_timeout=-1", KARG_NETWORK_TIMEOUT, 30, "-1",
                  "berth.network_timeout=-1: not a number; using the default 30");
        check_arg("berth.network_timeout=+5", KARG_NETWORK_TIMEOUT, 30, "+5",
                  "berth.network_timeout=+5: not a number; using the default 30");
        check_arg("berth.network_timeout=0x10", KARG_NETWORK_TIMEOUT, 30, "0x10",
                  "berth.network_timeout=0x10: not a number; using the default 30");
        check_arg("berth.network_timeout=\" 5\"", KARG_NETWORK_TIMEOUT, 30, " 5",
                  "berth.network_timeout= 5: not a number; using the default 30");
        check_arg("berth.network_timeout=", KARG_NETWORK_TIMEOUT, 30, "",
                  "berth.network_timeout=: not a number; using the default 30");
        check_arg("berth.network_timeout", KARG_NETWORK_TIMEOUT, 30, NULL,
                  "berth.network_timeout: no value; using the default 30");

        /* Repeated keys: the last one counts, even when it is not valid. */
        check_arg("berth.root_timeout=5 quiet berth.root_timeout=7", KARG_ROOT_TIMEOUT, 7, "7", "");
        check_arg("berth.root_timeout=5 berth.root_timeout=x", KARG_ROOT_TIMEOUT, 30, "x",
                  "berth.root_timeout=x: not a number; using the default 30");
        check_arg("berth.root_timeout=x berth.root_timeout=5", KARG_ROOT_TIMEOUT, 5, "5", "");

        /* Names: '-' and '_' alike; nothing else. */
        check_arg("berth.root-timeout=9", KARG_ROOT_TIMEOUT, 9, "9", "");
        check_arg("berth.root_timeout_x=9 xberth.root_timeout=9 berth.root_timeoutx=9", KARG_ROOT_TIMEOUT,
                  30, NULL, "");
        check_arg("\"berth.root_timeout=9\"", KARG_ROOT_TIMEOUT, 9, "9", "");

        /* `--` ends the kernel's arguments. */
        check_arg("berth.root_timeout=5 -- berth.root_timeout=7", KARG_ROOT_TIMEOUT, 5, "5", "");
        check_arg("--=x berth.root_timeout=7", KARG_ROOT_TIMEOUT, 7, "7", "");

        /* Choices. */
        check_arg("berth.var=tmpfs", KARG_VAR, VAR_TMPFS, "tmpfs", "");
        check_arg("berth.var=persistent", KARG_VAR, VAR_PERSISTENT, "persistent", "");
        check_arg("berth.var=tmpfs berth.var=\"persistent\"", KARG_VAR, VAR_PERSISTENT, "persistent", "");
        check_arg("berth.var=ramfs", KARG_VAR, VAR_PERSISTENT, "ramfs",
                  "berth.var=ramfs: not one of persistent, tmpfs; using the default persistent");
        check_arg("berth.var", KARG_VAR, VAR_PERSISTENT, NULL,
                  "berth.var: no value; using the default persistent");

        /* Strings: as given; a bare key is there with no text. */
        check_arg("root=LABEL=berth-root", KARG_ROOT, 0, "LABEL=berth-root", "");
        check_arg("root=\"LABEL=my root\"", KARG_ROOT, 0, "LABEL=my root", "");
        check_arg("berth.shell=ttyS1", KARG_SHELL, 0, "ttyS1", "");
        check_arg("berth.shell", KARG_SHELL, 0, NULL, "");
        check_arg("ostree=/ostree/boot.1/berth/abc/0 ro", KARG_OSTREE, 0, "/ostree/boot.1/berth/abc/0", "");
        {
                KernelArgs a;
                ok(kernel_args_parse("berth.shell", &a) == 0 && a.arg[KARG_SHELL].present,
                   "a bare key is present");
                kernel_args_clear(&a);
        }

        /* A command line as build-image writes it. */
        {
                KernelArgs a;
                int r = kernel_args_parse("console=ttyS0 " BERTH_KARG_ROOT "=LABEL=" BERTH_ROOT_LABEL
                                          " " BERTH_KARG_VAR "=" BERTH_VAR_TMPFS " " BERTH_KARG_SHELL
                                          "=ttyS1 ostree=/ostree/boot.1/berth/x/0\n",
                                          &a);
                ok(r == 0 && strcmp(a.arg[KARG_ROOT].text, "LABEL=" BERTH_ROOT_LABEL) == 0 &&
                           a.arg[KARG_VAR].number == VAR_TMPFS &&
                           strcmp(a.arg[KARG_SHELL].text, "ttyS1") == 0 &&
                           strcmp(a.arg[KARG_OSTREE].text, "/ostree/boot.1/berth/x/0") == 0,
                   "build-image's command line reads back");
                kernel_args_clear(&a);
        }

        /* The table itself: each default is valid. */
        for (size_t i = 0; i < _KARG_MAX; i++) {
                const KernelArgSpec *s = &kernel_arg_specs[i];
                bool good = s->name && s->doc;
                if (s->type == KARG_UNSIGNED)
                        good = good && s->min <= s->def && s->def <= s->max;
                if (s->type == KARG_ENUM) {
                        unsigned n = 0;
                        while (s->choices[n])
                                n++;
                        good = good && s->def < n;
                }
                ok(good, "%s: named, documented, and its default is valid", s->name ?: "?");
        }
        return tap_done();
}
