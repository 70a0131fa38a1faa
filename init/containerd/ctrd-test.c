/* SPDX-License-Identifier: MIT */
/* ctrd-test: drives berth's containerd client from the command line, for
 * the tests and as a debug aid on a host.
 *
 *   ctrd-test [-a SOCKET] [-n NAMESPACE] [-t SECONDS] COMMAND ...
 *
 *   version                 containerd's version and revision
 *   pull REF [USER PASSWORD] pull through CRI; prints the image's id
 *   image REF               a pulled image's chain id and process defaults
 *
 * Errors go to stderr with the server's grpc-message; the exit status is 1.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "strv.h"
#include "ctrd.h"

static const char *arg_address = "/run/containerd/containerd.sock";
static const char *arg_namespace = "k8s.io";
static uint64_t arg_timeout_usec = 30ULL * 1000000;

static int fail(GrpcConn *c, const char *what, int r) {
        const char *e = grpc_error(c);
        fprintf(stderr, "ctrd-test: %s: %s\n", what, *e ? e : strerror(-r));
        return 1;
}

static int cmd_version(GrpcConn *c, int argc, char **argv) {
        _cleanup_free_ char *version = NULL, *revision = NULL;
        int r = ctrd_version(c, &version, &revision);
        if (r < 0)
                return fail(c, "version", r);
        printf("%s %s\n", version, revision);
        return 0;
}

static int cmd_pull(GrpcConn *c, int argc, char **argv) {
        if (argc != 2 && argc != 4) {
                fprintf(stderr, "usage: ctrd-test pull REF [USER PASSWORD]\n");
                return 2;
        }
        CtrdAuth auth = {};
        if (argc == 4) {
                auth.username = argv[2];
                auth.password = argv[3];
        }
        _cleanup_free_ char *id = NULL;
        int r = ctrd_pull(c, argv[1], argc == 4 ? &auth : NULL, arg_timeout_usec, &id);
        if (r < 0)
                return fail(c, argv[1], r);
        printf("%s\n", id);
        return 0;
}

static void print_strv(const char *key, char **l) {
        _cleanup_free_ char *s = l ? strv_join(l, " ") : NULL;
        printf("%s=%s\n", key, strempty(s));
}

static int cmd_image(GrpcConn *c, int argc, char **argv) {
        if (argc != 2) {
                fprintf(stderr, "usage: ctrd-test image REF\n");
                return 2;
        }
        CtrdImage img = {};
        int r = ctrd_image_get(c, argv[1], &img);
        if (r < 0)
                return fail(c, argv[1], r);
        printf("id=%s\nchain_id=%s\n", img.id, img.chain_id);
        print_strv("entrypoint", img.entrypoint);
        print_strv("cmd", img.cmd);
        print_strv("env", img.env);
        printf("workdir=%s\n", strempty(img.workdir));
        ctrd_image_done(&img);
        return 0;
}

static const struct {
        const char *name;
        int (*run)(GrpcConn *c, int argc, char **argv);
} commands[] = {
        { "version", cmd_version },
        { "pull", cmd_pull },
        { "image", cmd_image },
};

int main(int argc, char **argv) {
        int opt;
        while ((opt = getopt(argc, argv, "+a:n:t:")) != -1) {
                switch (opt) {
                case 'a':
                        arg_address = optarg;
                        break;
                case 'n':
                        arg_namespace = optarg;
                        break;
                case 't':
                        arg_timeout_usec = (uint64_t) (strtod(optarg, NULL) * 1e6);
                        break;
                default:
                        fprintf(stderr,
                                "usage: ctrd-test [-a SOCKET] [-n NAMESPACE] [-t SECONDS] COMMAND ...\n");
                        return 2;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "ctrd-test: no command (version, pull, image)\n");
                return 2;
        }
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
                if (!streq(argv[optind], commands[i].name))
                        continue;
                _cleanup_grpc_ GrpcConn *c = NULL;
                int r = grpc_connect(arg_address, arg_namespace, &c);
                if (r < 0) {
                        fprintf(stderr, "ctrd-test: %s: %s\n", arg_address, strerror(-r));
                        return 1;
                }
                return commands[i].run(c, argc - optind, argv + optind);
        }
        fprintf(stderr, "ctrd-test: unknown command '%s'\n", argv[optind]);
        return 2;
}
