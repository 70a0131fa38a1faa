/* SPDX-License-Identifier: MIT */

/* berthctl VERB [ARGS]: parses nothing but the verb; each verb is a file. */

#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "berthctl.h"
#include "version.h"

typedef struct Verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
        const char *help;
} Verb;

static const Verb verbs[] = {
        { "status", berthctl_status, "status [--json]   services, their state, milestones" },
        { "reload", berthctl_reload, "reload            fetch the host state again and converge to it" },
        { "check", berthctl_check, "check FILE...     validate host state documents (no guest needed)" },
};

static int usage(FILE *f) {
        fprintf(f, "Usage: berthctl VERB [ARGS]\n\nVerbs:\n");
        for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
                fprintf(f, "  %s\n", verbs[i].help);
        return f == stdout ? 0 : 2;
}

int berthctl_main(int argc, char *argv[]) {
        if (argc < 2)
                return usage(stderr);
        if (streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help"))
                return usage(stdout);
        if (streq(argv[1], "--version")) {
                printf("berthctl (berth) %s\n", BERTH_VERSION);
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
                if (streq(argv[1], verbs[i].name))
                        return verbs[i].run(argc - 1, argv + 1);
        fprintf(stderr, "berthctl: unknown verb '%s'\n", argv[1]);
        return usage(stderr);
}
