/* SPDX-License-Identifier: MIT */
/* ctrd-test: drives berth's containerd client from the command line, for
 * the tests and as a debug aid on a host.
 *
 *   ctrd-test [-a SOCKET] [-n NAMESPACE] [-t SECONDS] COMMAND ...
 *
 *   version                 containerd's version and revision
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "grpc.h"
#include "github.com/containerd/containerd/api/services/version/v1/version.pb-c.h"
#include "google/protobuf/empty.pb-c.h"

static const char *arg_address = "/run/containerd/containerd.sock";
static const char *arg_namespace = "k8s.io";
static uint64_t arg_timeout_usec = 30ULL * 1000000;

static int cmd_version(GrpcConn *c, int argc, char **argv) {
        Google__Protobuf__Empty req = GOOGLE__PROTOBUF__EMPTY__INIT;
        ProtobufCMessage *resp = NULL;
        int r = grpc_call(c, "/containerd.services.version.v1.Version/Version", &req.base,
                          &containerd__services__version__v1__version_response__descriptor, &resp,
                          arg_timeout_usec);
        if (r < 0) {
                fprintf(stderr, "ctrd-test: %s\n", grpc_error(c));
                return r;
        }
        Containerd__Services__Version__V1__VersionResponse *v = (void *) resp;
        printf("%s %s\n", v->version, v->revision);
        protobuf_c_message_free_unpacked(resp, NULL);
        return 0;
}

static const struct {
        const char *name;
        int (*run)(GrpcConn *c, int argc, char **argv);
} commands[] = {
        { "version", cmd_version },
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
                fprintf(stderr, "ctrd-test: no command (version)\n");
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
                r = commands[i].run(c, argc - optind, argv + optind);
                return r < 0 ? 1 : r;
        }
        fprintf(stderr, "ctrd-test: unknown command '%s'\n", argv[optind]);
        return 2;
}
