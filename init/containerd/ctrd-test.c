/* SPDX-License-Identifier: MIT */
/* ctrd-test: drives berth's containerd client from the command line, for
 * the tests and as a debug aid on a host.
 *
 *   ctrd-test [-a SOCKET] [-n NAMESPACE] [-t SECONDS] COMMAND ...
 *
 *   version                 containerd's version and revision
 *   pull REF [USER PASSWORD] pull through CRI; prints the image's id
 *   image REF               a pulled image's chain id and process defaults
 *   import ARCHIVE NAME     an OCI image archive into containerd as NAME
 *   spec NAME REF [OPTIONS] [-- COMMAND...]   print the OCI spec run would use
 *   run NAME REF [OPTIONS] [-- COMMAND...]
 *                           create and start a container from a pulled image;
 *                           its output is copied from FIFOs to ours, and
 *                           ctrd-test exits with its status (after deleting
 *                           it with --rm). Options: --memory BYTES,
 *                           --pids N, --cpu-max QUOTA,PERIOD (microseconds),
 *                           --cpu-weight W, --env K=V, --mount SRC:DST[:ro],
 *                           --host-network, --cgroup-parent PATH,
 *                           --detach (output to --log FILE, or nowhere)
 *   wait NAME               wait for the task's end; prints its status
 *   kill NAME [SIGNAL]      signal every process of the task (default TERM)
 *   rm NAME                 delete task, container and snapshot
 *   ps                      berth's containers: name, task state, pid, exit status
 *   bench REF [N]           the cost of each call: Version N times (default
 *                           100), then one container's life step by step
 *
 * Errors go to stderr with the server's grpc-message; the exit status is 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "strv.h"
#include "ctrd.h"
#include "import.h"
#include "oci-spec.h"
#include "parse-util.h"

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
        if (r == -ENOENT) {
                fprintf(stderr, "ctrd-test: %s: image not pulled\n", argv[1]);
                return 1;
        }
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

static int cmd_import(GrpcConn *c, int argc, char **argv) {
        if (argc != 3) {
                fprintf(stderr, "usage: ctrd-test import ARCHIVE NAME\n");
                return 2;
        }
        CtrdImage img = {};
        int r = ctrd_import(c, argv[1], argv[2], &img);
        if (r < 0)
                return fail(c, argv[1], r);
        printf("id=%s\nchain_id=%s\n", img.id, img.chain_id);
        ctrd_image_done(&img);
        return 0;
}

/* What `run` and `spec` take after NAME REF. */
typedef struct {
        CtrdContainerSpec spec;
        char **env, **command;
        CtrdMount mounts[16];
        bool detach, rm;
        const char *log;
} RunArgs;

static void run_args_done(RunArgs *a) {
        strv_free(a->env);
        strv_free(a->command);
}

static int parse_run(int argc, char **argv, RunArgs *a) {
        static const struct option options[] = {
                { "memory", required_argument, NULL, 'm' },
                { "pids", required_argument, NULL, 'p' },
                { "cpu-max", required_argument, NULL, 'c' },
                { "cpu-weight", required_argument, NULL, 'w' },
                { "env", required_argument, NULL, 'e' },
                { "mount", required_argument, NULL, 'v' },
                { "host-network", no_argument, NULL, 'H' },
                { "cgroup-parent", required_argument, NULL, 'g' },
                { "detach", no_argument, NULL, 'd' },
                { "log", required_argument, NULL, 'l' },
                { "rm", no_argument, NULL, 'r' },
                {},
        };
        int opt;
        optind = 0;
        while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
                int r = 0;
                char *comma;
                switch (opt) {
                case 'm':
                        r = parse_u64(optarg, &a->spec.memory_max);
                        break;
                case 'p':
                        r = parse_u64(optarg, &a->spec.pids_max);
                        break;
                case 'c':
                        comma = strchr(optarg, ',');
                        if (!comma)
                                return -EINVAL;
                        *comma = 0;
                        r = parse_u64(optarg, &a->spec.cpu_quota_usec);
                        if (r >= 0)
                                r = parse_u64(comma + 1, &a->spec.cpu_period_usec);
                        break;
                case 'w':
                        r = parse_u64(optarg, &a->spec.cpu_weight);
                        break;
                case 'e':
                        r = strv_extend(&a->env, optarg);
                        break;
                case 'v': {
                        if (a->spec.n_mounts >= ARRAY_SIZE(a->mounts))
                                return -E2BIG;
                        CtrdMount *m = &a->mounts[a->spec.n_mounts++];
                        m->source = optarg;
                        char *colon = strchr(optarg, ':');
                        if (!colon)
                                return -EINVAL;
                        *colon = 0;
                        m->destination = colon + 1;
                        colon = strchr(colon + 1, ':');
                        if (colon) {
                                *colon = 0;
                                if (!streq(colon + 1, "ro"))
                                        return -EINVAL;
                                m->readonly = true;
                        }
                        break;
                }
                case 'H':
                        a->spec.host_network = true;
                        break;
                case 'g':
                        a->spec.cgroup_parent = optarg;
                        break;
                case 'd':
                        a->detach = true;
                        break;
                case 'l':
                        a->log = optarg;
                        break;
                case 'r':
                        a->rm = true;
                        break;
                default:
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        for (int i = optind; i < argc; i++)
                if (strv_extend(&a->command, argv[i]) < 0)
                        return -ENOMEM;
        a->spec.env = a->env;
        a->spec.command = a->command;
        a->spec.mounts = a->mounts;
        return 0;
}

/* NAME REF [OPTIONS]: the image and the spec. */
static int prepare(GrpcConn *c, int argc, char **argv, RunArgs *a, CtrdImage *img, char **spec_json) {
        if (argc < 3) {
                fprintf(stderr, "usage: ctrd-test %s NAME REF [OPTIONS] [-- COMMAND...]\n", argv[0]);
                return 2;
        }
        a->spec.name = argv[1];
        if (parse_run(argc - 2, argv + 2, a) < 0) {
                fprintf(stderr, "ctrd-test: %s: bad options\n", argv[0]);
                return 2;
        }
        int r = ctrd_image_get(c, argv[2], img);
        if (r == -ENOENT) {
                fprintf(stderr, "ctrd-test: %s: image not pulled\n", argv[2]);
                return 1;
        }
        if (r < 0)
                return fail(c, argv[2], r);
        r = oci_spec_build(&a->spec, img, spec_json);
        if (r < 0) {
                fprintf(stderr, "ctrd-test: %s: cannot make the OCI spec: %s\n", argv[1], strerror(-r));
                return 1;
        }
        return 0;
}

static int cmd_spec(GrpcConn *c, int argc, char **argv) {
        RunArgs a = {};
        CtrdImage img = {};
        _cleanup_free_ char *spec = NULL;
        int r = prepare(c, argc, argv, &a, &img, &spec);
        if (r == 0)
                printf("%s\n", spec);
        ctrd_image_done(&img);
        run_args_done(&a);
        return r;
}

static void copy_out(int from, int to) {
        char buf[4096];
        ssize_t n;
        while ((n = read(from, buf, sizeof(buf))) > 0)
                if (write(to, buf, (size_t) n) != n)
                        break;
}

static int cmd_run(GrpcConn *c, int argc, char **argv) {
        RunArgs a = {};
        CtrdImage img = {};
        _cleanup_free_ char *spec = NULL, *log_uri = NULL;
        char dir[] = "/tmp/ctrd-test.XXXXXX", out_path[64], err_path[64];
        _cleanup_close_ int out_fd = -EBADF, err_fd = -EBADF, status_fd = -EBADF;
        bool made_dir = false;
        int ret = prepare(c, argc, argv, &a, &img, &spec);
        if (ret != 0)
                goto out;
        ret = 1;
        const char *so = NULL, *se = NULL;
        if (a.detach) {
                if (a.log) {
                        if (asprintf(&log_uri, "file://%s", a.log) < 0)
                                goto out;
                        so = se = log_uri;
                }
        } else {
                /* Opened for reading before the task exists: the shim opens
                 * them for writing when it creates the task. */
                if (!mkdtemp(dir))
                        goto out;
                made_dir = true;
                snprintf(out_path, sizeof(out_path), "%s/stdout", dir);
                snprintf(err_path, sizeof(err_path), "%s/stderr", dir);
                if (mkfifo(out_path, 0600) < 0 || mkfifo(err_path, 0600) < 0 ||
                    (out_fd = open(out_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0 ||
                    (err_fd = open(err_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
                        perror("ctrd-test: fifo");
                        goto out;
                }
                so = out_path;
                se = err_path;
        }
        int r = ctrd_create(c, a.spec.name, argv[2], &img, spec, so, se, NULL);
        if (r < 0) {
                ret = fail(c, a.spec.name, r);
                goto out;
        }
        uint32_t pid;
        r = ctrd_start(c, a.spec.name, &pid);
        if (r < 0) {
                ret = fail(c, a.spec.name, r);
                (void) ctrd_delete(c, a.spec.name);
                goto out;
        }
        if (a.detach) {
                printf("%u\n", pid);
                ret = 0;
                goto out;
        }
        pid_t child = ctrd_wait_in_child(arg_address, arg_namespace, a.spec.name, "ctrd-test", &status_fd);
        if (child < 0)
                goto out;
        uint32_t status = 0;
        for (;;) {
                struct pollfd p[] = {
                        { .fd = out_fd, .events = POLLIN },
                        { .fd = err_fd, .events = POLLIN },
                        { .fd = status_fd, .events = POLLIN },
                };
                if (poll(p, ARRAY_SIZE(p), -1) < 0 && errno != EINTR)
                        break;
                if (p[0].revents)
                        copy_out(out_fd, STDOUT_FILENO);
                if (p[1].revents)
                        copy_out(err_fd, STDERR_FILENO);
                if (p[2].revents) {
                        /* The task ended: what is left in the FIFOs is its last output. */
                        ssize_t n = read(status_fd, &status, sizeof(status));
                        copy_out(out_fd, STDOUT_FILENO);
                        copy_out(err_fd, STDERR_FILENO);
                        ret = n == sizeof(status) ? (int) (status > 255 ? 255 : status) : 1;
                        break;
                }
                /* A FIFO whose writer closed reports POLLHUP until a new
                 * writer comes: stop polling it. */
                if (p[0].revents & POLLHUP)
                        out_fd = safe_close(out_fd);
                if (p[1].revents & POLLHUP)
                        err_fd = safe_close(err_fd);
        }
        (void) waitpid(child, NULL, 0);
        if (a.rm && (r = ctrd_delete(c, a.spec.name)) < 0)
                fail(c, a.spec.name, r);
out:
        if (made_dir) {
                unlink(out_path);
                unlink(err_path);
                rmdir(dir);
        }
        ctrd_image_done(&img);
        run_args_done(&a);
        return ret;
}

static int cmd_wait(GrpcConn *c, int argc, char **argv) {
        if (argc != 2) {
                fprintf(stderr, "usage: ctrd-test wait NAME\n");
                return 2;
        }
        uint32_t status;
        int r = ctrd_wait(c, argv[1], arg_timeout_usec, &status);
        if (r < 0)
                return fail(c, argv[1], r);
        printf("%u\n", status);
        return 0;
}

static int cmd_kill(GrpcConn *c, int argc, char **argv) {
        if (argc != 2 && argc != 3) {
                fprintf(stderr, "usage: ctrd-test kill NAME [SIGNAL]\n");
                return 2;
        }
        int sig = argc == 3 ? atoi(argv[2]) : SIGTERM;
        int r = ctrd_kill(c, argv[1], sig, true);
        return r < 0 ? fail(c, argv[1], r) : 0;
}

static int cmd_rm(GrpcConn *c, int argc, char **argv) {
        if (argc != 2) {
                fprintf(stderr, "usage: ctrd-test rm NAME\n");
                return 2;
        }
        int r = ctrd_delete(c, argv[1]);
        return r < 0 ? fail(c, argv[1], r) : 0;
}

static int cmd_ps(GrpcConn *c, int argc, char **argv) {
        _cleanup_strv_free_ char **names = NULL;
        int r = ctrd_list(c, &names);
        if (r < 0)
                return fail(c, "ps", r);
        for (char **n = names; *n; n++) {
                CtrdTask t;
                r = ctrd_task_get(c, *n, &t);
                if (r < 0)
                        return fail(c, *n, r);
                printf("%s %s %u %u\n", *n, ctrd_task_state_name(t.state), t.pid, t.exit_status);
        }
        return 0;
}

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmd_bench(GrpcConn *c, int argc, char **argv) {
        if (argc != 2 && argc != 3) {
                fprintf(stderr, "usage: ctrd-test bench REF [N]\n");
                return 2;
        }
        int n = argc == 3 ? atoi(argv[2]) : 100;
        if (n <= 0)
                return 2;
        double t = now_ms();
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *v = NULL, *rev = NULL;
                int r = ctrd_version(c, &v, &rev);
                if (r < 0)
                        return fail(c, "version", r);
        }
        printf("version: %.3f ms a call (%d calls on one connection)\n", (now_ms() - t) / n, n);

        t = now_ms();
        _cleanup_grpc_ GrpcConn *fresh = NULL;
        _cleanup_free_ char *v = NULL, *rev = NULL;
        int r = grpc_connect(arg_address, arg_namespace, &fresh);
        if (r >= 0)
                r = ctrd_version(fresh, &v, &rev);
        if (r < 0)
                return fail(fresh ? fresh : c, "connect", r);
        printf("connect + version: %.3f ms\n", now_ms() - t);

        const char *name = "ctrd-bench";
        char *cmd[] = { (char *) "/bin/echo", NULL };
        CtrdContainerSpec spec = { .name = name, .command = cmd };
        CtrdImage img = {};
        _cleanup_free_ char *json = NULL;
        uint32_t pid, status;
        double t0 = now_ms();
#define STEP(what, call)                                        \
        do {                                                    \
                t = now_ms();                                   \
                if ((r = (call)) < 0) {                         \
                        fail(c, what, r);                       \
                        goto out;                               \
                }                                               \
                printf("%-28s %8.3f ms\n", what, now_ms() - t); \
        } while (0)
        STEP("pull (already present)", ctrd_pull(c, argv[1], NULL, 0, NULL));
        STEP("image (CRI ImageStatus)", ctrd_image_get(c, argv[1], &img));
        STEP("spec (local)", oci_spec_build(&spec, &img, &json));
        STEP("create (record+snapshot+task)", ctrd_create(c, name, argv[1], &img, json, NULL, NULL, &pid));
        STEP("start", ctrd_start(c, name, &pid));
        STEP("wait", ctrd_wait(c, name, 0, &status));
        STEP("delete (task+record+snapshot)", ctrd_delete(c, name));
        printf("%-28s %8.3f ms\n", "whole life", now_ms() - t0);
#undef STEP
out:
        if (r < 0)
                (void) ctrd_delete(c, name);
        ctrd_image_done(&img);
        return r < 0;
}

static const struct {
        const char *name;
        int (*run)(GrpcConn *c, int argc, char **argv);
} commands[] = {
        { "version", cmd_version }, { "pull", cmd_pull },     { "image", cmd_image }, { "spec", cmd_spec },
        { "run", cmd_run },         { "wait", cmd_wait },     { "kill", cmd_kill },   { "rm", cmd_rm },
        { "bench", cmd_bench },     { "import", cmd_import }, { "ps", cmd_ps },
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
                fprintf(stderr, "ctrd-test: no command (version, pull, image, spec, run, wait, kill, rm)\n");
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
                grpc_set_timeout(c, arg_timeout_usec);
                return commands[i].run(c, argc - optind, argv + optind);
        }
        fprintf(stderr, "ctrd-test: unknown command '%s'\n", argv[optind]);
        return 2;
}
