/* SPDX-License-Identifier: MIT */
/* berth-ctr: runs one container of the host state through containerd, for
 * as long as the container runs. PID 1 supervises one per container (a
 * service, init/stage2/containers.c) and decides on restarts; the client's
 * calls block, so they are made here, never in PID 1.
 *
 *   berth-ctr run NAME --image REF [OPTIONS]
 *
 * pulls REF unless containerd has it (CRI PullImage, with the credentials of
 * BERTH_REGISTRY_AUTH_PATH), removes what an earlier run left of NAME,
 * creates and starts the task (in the cgroup containers/NAME with its
 * limits), says READY=1 on $NOTIFY_SOCKET, copies each line of its output
 * to standard output (PID 1 prefixes it with NAME on the console) and to
 * LOGDIR/NAME.log (rotated by size), waits for it, deletes it and exits
 * with its status (128+N for a signal N). SIGTERM or SIGINT: the task gets
 * SIGTERM, SIGKILL --grace seconds later, and is deleted.
 *
 * Options: --memory BYTES, --pids N, --cpu-max "QUOTA|max PERIOD",
 * --cpu-weight W, --env K=V (repeated), --mount SOURCE --to TARGET [--ro]
 * (repeated), --host-network, --command ARG and --arg ARG (repeated: the
 * image's entrypoint and cmd replaced; --no-command and --no-args replace
 * them with nothing), --grace SECONDS (10),
 * --log-dir DIR (/var/log/berth), --run-dir DIR (/run/berth/ctr, the
 * FIFOs), --address SOCKET, --auth FILE, --cgroup-parent PATH.
 *
 * Exit status: the task's; 125 when it could not be run (pull, create,
 * start), 2 for bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boot-contract.h"
#include "ctr-log.h"
#include "ctrd.h"
#include "macro.h"
#include "oci-spec.h"
#include "strv.h"

#define EXIT_NOT_RUN 125
#define PULL_TIMEOUT_USEC (600ULL * 1000000)
#define CONNECT_TRIES 50 /* 100 ms apart: containerd may be restarting */

static const char *arg_address = "/run/containerd/containerd.sock";
static const char *arg_auth = BERTH_REGISTRY_AUTH_PATH;
static const char *arg_log_dir = CTR_LOG_DIR;
static const char *arg_run_dir = "/run/berth/ctr";
static const char *arg_image;
static unsigned arg_grace = 10;

static const char *name = "berth-ctr";

static void json_putp(json_object **o) {
        json_object_put(*o);
}

_printf_(1, 2) static void say(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "berth-ctr: %s: ", name);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

static int parse_u64(const char *s, uint64_t *ret) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-')
                return -EINVAL;
        *ret = v;
        return 0;
}

/* "QUOTA PERIOD" or "max PERIOD", cgroup v2's cpu.max. */
static int parse_cpu_max(const char *s, CtrdContainerSpec *spec) {
        char quota[32], period[32] = "100000";
        if (sscanf(s, "%31s %31s", quota, period) < 1)
                return -EINVAL;
        if (parse_u64(period, &spec->cpu_period_usec) < 0)
                return -EINVAL;
        if (streq(quota, "max")) {
                spec->cpu_quota_usec = 0;
                return 0;
        }
        return parse_u64(quota, &spec->cpu_quota_usec);
}

/* The registry a reference names, as docker's reference rules find it: the
 * first path element when it looks like a host (a dot, a colon or
 * "localhost"), else Docker Hub. */
static char *registry_of(const char *ref) {
        const char *slash = strchr(ref, '/');
        if (slash) {
                size_t n = (size_t) (slash - ref);
                char *first = strndup(ref, n);
                if (first && (strpbrk(first, ".:") || streq(first, "localhost")))
                        return first;
                free(first);
        }
        return strdup("docker.io");
}

/* Credentials for ref's registry from the auth file; none is not an error. */
static int auth_load(const char *ref, CtrdAuth *auth, json_object **keep) {
        _cleanup_free_ char *host = registry_of(ref);
        json_object *o, *entry, *v;

        if (!host)
                return -ENOMEM;
        if (access(arg_auth, F_OK) < 0)
                return 0;
        o = json_object_from_file(arg_auth);
        if (!o) {
                say("%s: not JSON; pulling without credentials", arg_auth);
                return 0;
        }
        *keep = o;
        if (!json_object_object_get_ex(o, host, &entry) || !json_object_is_type(entry, json_type_object))
                return 0;
        if (json_object_object_get_ex(entry, "username", &v))
                auth->username = json_object_get_string(v);
        if (json_object_object_get_ex(entry, "password", &v))
                auth->password = json_object_get_string(v);
        if (json_object_object_get_ex(entry, "token", &v))
                auth->registry_token = json_object_get_string(v);
        return 1;
}

static int connect_retry(GrpcConn **ret) {
        int r = 0;
        for (int i = 0; i < CONNECT_TRIES; i++) {
                r = grpc_connect(arg_address, CTRD_NAMESPACE, ret);
                if (r >= 0)
                        return r;
                usleep(100 * 1000);
        }
        return r;
}

/* What an earlier run (killed before it could clean up) left of NAME. */
static void remove_leftover(GrpcConn *c) {
        CtrdTask t;
        if (ctrd_task_get(c, name, &t) < 0)
                return;
        if (t.state == CTRD_TASK_RUNNING || t.state == CTRD_TASK_PAUSED || t.state == CTRD_TASK_CREATED) {
                uint32_t status;
                (void) ctrd_kill(c, name, SIGKILL, true);
                (void) ctrd_wait(c, name, 5ULL * 1000000, &status);
        }
        (void) ctrd_delete(c, name);
}

static void notify_ready(void) {
        const char *path = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        if (!path || path[0] != '/' || strlen(path) >= sizeof(sa.sun_path))
                return;
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd >= 0)
                (void) sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *) &sa, sizeof(sa));
}

/* A stream of the task's output, cut into lines. */
typedef struct Stream {
        int fd;
        char buf[4096];
        size_t len;
} Stream;

static CtrLog log_file = { .fd = -1 };

static void emit(const char *line, size_t len) {
        struct iovec iov[] = { { (void *) line, len }, { (void *) "\n", 1 } };
        (void) !writev(STDOUT_FILENO, iov, 2);
        if (log_file.fd >= 0)
                (void) ctr_log_line(&log_file, line, len);
}

/* Reads what is there; at the end (eof) a last partial line is emitted. */
static void stream_read(Stream *s, bool eof) {
        for (;;) {
                ssize_t n = s->fd >= 0 ? read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len) : 0;
                if (n > 0) {
                        s->len += (size_t) n;
                        char *start = s->buf, *nl;
                        while ((nl = memchr(start, '\n', s->len - (size_t) (start - s->buf)))) {
                                emit(start, (size_t) (nl - start));
                                start = nl + 1;
                        }
                        s->len -= (size_t) (start - s->buf);
                        memmove(s->buf, start, s->len);
                        if (s->len == sizeof(s->buf)) {
                                emit(s->buf, s->len);
                                s->len = 0;
                        }
                        continue;
                }
                if (n < 0 && errno == EINTR)
                        continue;
                if (n == 0 && s->fd >= 0 && !eof) {
                        /* The writer closed: no more output from this FIFO. */
                        s->fd = safe_close(s->fd);
                }
                if (eof && s->len > 0) {
                        emit(s->buf, s->len);
                        s->len = 0;
                }
                return;
        }
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* The task ended, but the shim may still be copying its last output into
 * the FIFOs: read until it closes them (a second at most), then whatever
 * partial lines are left. */
static void drain(Stream *out, Stream *err) {
        double deadline = now() + 1.0;
        while ((out->fd >= 0 || err->fd >= 0) && now() < deadline) {
                struct pollfd p[] = { { .fd = out->fd, .events = POLLIN },
                                      { .fd = err->fd, .events = POLLIN } };
                if (poll(p, ARRAY_SIZE(p), 100) < 0 && errno != EINTR)
                        break;
                if (p[0].revents)
                        stream_read(out, false);
                if (p[1].revents)
                        stream_read(err, false);
        }
        stream_read(out, true);
        stream_read(err, true);
}

/* Copies output until the status arrives, or the deadline (0: none)
 * passes; a signal on sig_fd (when >= 0) ends the wait early too. Returns 1
 * with *status, 0 at the deadline or a signal (*signalled), < 0 on error. */
static int pump(Stream *out, Stream *err, int status_fd, int sig_fd, double deadline, uint32_t *status,
                bool *signalled) {
        for (;;) {
                struct pollfd p[] = {
                        { .fd = out->fd, .events = POLLIN },
                        { .fd = err->fd, .events = POLLIN },
                        { .fd = status_fd, .events = POLLIN },
                        { .fd = sig_fd, .events = POLLIN },
                };
                int timeout = -1;
                if (deadline > 0) {
                        double left = deadline - now();
                        if (left <= 0)
                                return 0;
                        timeout = (int) (left * 1000) + 1;
                }
                int n = poll(p, ARRAY_SIZE(p), timeout);
                if (n < 0 && errno != EINTR)
                        return -errno;
                if (n <= 0)
                        continue;
                if (p[0].revents)
                        stream_read(out, false);
                if (p[1].revents)
                        stream_read(err, false);
                if (p[2].revents) {
                        ssize_t k = read(status_fd, status, sizeof(*status));
                        drain(out, err);
                        return k == sizeof(*status) ? 1 : -EIO;
                }
                if (p[3].revents) {
                        struct signalfd_siginfo si;
                        (void) !read(sig_fd, &si, sizeof(si));
                        *signalled = true;
                        return 0;
                }
        }
}

typedef struct {
        CtrdContainerSpec spec;
        char **env, **command, **args;
        CtrdMount mounts[32]; /* HOST_STATE_MAX_MOUNTS */
} RunArgs;

static int parse_run(int argc, char **argv, RunArgs *a) {
        enum {
                OPT_TO = 0x100,
                OPT_RO,
                OPT_GRACE,
                OPT_LOG_DIR,
                OPT_RUN_DIR,
                OPT_AUTH,
                OPT_ARG,
                OPT_NO_COMMAND,
                OPT_NO_ARGS,
        };
        static const struct option options[] = {
                { "image", required_argument, NULL, 'i' },
                { "memory", required_argument, NULL, 'm' },
                { "pids", required_argument, NULL, 'p' },
                { "cpu-max", required_argument, NULL, 'c' },
                { "cpu-weight", required_argument, NULL, 'w' },
                { "env", required_argument, NULL, 'e' },
                { "mount", required_argument, NULL, 'v' },
                { "to", required_argument, NULL, OPT_TO },
                { "ro", no_argument, NULL, OPT_RO },
                { "host-network", no_argument, NULL, 'H' },
                { "command", required_argument, NULL, 'x' },
                { "arg", required_argument, NULL, OPT_ARG },
                { "no-command", no_argument, NULL, OPT_NO_COMMAND },
                { "no-args", no_argument, NULL, OPT_NO_ARGS },
                { "grace", required_argument, NULL, OPT_GRACE },
                { "log-dir", required_argument, NULL, OPT_LOG_DIR },
                { "run-dir", required_argument, NULL, OPT_RUN_DIR },
                { "address", required_argument, NULL, 'a' },
                { "auth", required_argument, NULL, OPT_AUTH },
                { "cgroup-parent", required_argument, NULL, 'g' },
                {},
        };
        int opt;
        uint64_t u;
        while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
                int r = 0;
                CtrdMount *last = a->spec.n_mounts ? &a->mounts[a->spec.n_mounts - 1] : NULL;
                switch (opt) {
                case 'i':
                        arg_image = optarg;
                        break;
                case 'm':
                        r = parse_u64(optarg, &a->spec.memory_max);
                        break;
                case 'p':
                        r = parse_u64(optarg, &a->spec.pids_max);
                        break;
                case 'c':
                        r = parse_cpu_max(optarg, &a->spec);
                        break;
                case 'w':
                        r = parse_u64(optarg, &a->spec.cpu_weight);
                        break;
                case 'e':
                        r = strv_extend(&a->env, optarg);
                        break;
                case 'v':
                        if (a->spec.n_mounts >= ARRAY_SIZE(a->mounts))
                                return -E2BIG;
                        a->mounts[a->spec.n_mounts++] =
                                (CtrdMount){ .source = optarg, .destination = optarg };
                        break;
                case OPT_TO:
                        if (!last)
                                return -EINVAL;
                        last->destination = optarg;
                        break;
                case OPT_RO:
                        if (!last)
                                return -EINVAL;
                        last->readonly = true;
                        break;
                case 'H':
                        a->spec.host_network = true;
                        break;
                case 'x':
                        r = strv_extend(&a->command, optarg);
                        break;
                case OPT_ARG:
                        r = strv_extend(&a->args, optarg);
                        break;
                case OPT_NO_COMMAND: /* command = []: an empty entrypoint, not the image's */
                        if (!a->command && !(a->command = calloc(1, sizeof(char *))))
                                r = -ENOMEM;
                        break;
                case OPT_NO_ARGS:
                        if (!a->args && !(a->args = calloc(1, sizeof(char *))))
                                r = -ENOMEM;
                        break;
                case OPT_GRACE:
                        r = parse_u64(optarg, &u);
                        arg_grace = (unsigned) u;
                        break;
                case OPT_LOG_DIR:
                        arg_log_dir = optarg;
                        break;
                case OPT_RUN_DIR:
                        arg_run_dir = optarg;
                        break;
                case 'a':
                        arg_address = optarg;
                        break;
                case OPT_AUTH:
                        arg_auth = optarg;
                        break;
                case 'g':
                        a->spec.cgroup_parent = optarg;
                        break;
                default:
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        if (optind != argc || !arg_image)
                return -EINVAL;
        a->spec.name = name;
        a->spec.env = a->env;
        a->spec.command = a->command;
        a->spec.args = a->args;
        a->spec.mounts = a->mounts;
        return 0;
}

static int fifo_open(const char *dir, const char *what, char **ret_path, int *ret_fd) {
        if (asprintf(ret_path, "%s/%s", dir, what) < 0)
                return -ENOMEM;
        if (mkfifo(*ret_path, 0600) < 0)
                return -errno;
        /* Opened for reading before the task exists: the shim opens it for
         * writing when it creates the task. */
        *ret_fd = open(*ret_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        return *ret_fd < 0 ? -errno : 0;
}

static int run(GrpcConn *c, RunArgs *a) {
        CtrdImage img = {};
        _cleanup_free_ char *spec = NULL, *dir = NULL, *out_path = NULL, *err_path = NULL;
        _cleanup_(json_putp) json_object *auth_json = NULL;
        Stream out = { .fd = -1 }, err = { .fd = -1 };
        _cleanup_close_ int status_fd = -EBADF, sig_fd = -EBADF;
        int ret = EXIT_NOT_RUN, r;
        bool created = false;

        r = ctrd_image_get(c, arg_image, &img);
        if (r == -ENOENT) {
                CtrdAuth auth = {};
                bool with = auth_load(arg_image, &auth, &auth_json) > 0;
                say("pulling %s%s", arg_image, with ? " (with credentials)" : "");
                r = ctrd_pull(c, arg_image, with ? &auth : NULL, PULL_TIMEOUT_USEC, NULL);
                if (r < 0) {
                        say("cannot pull %s: %s", arg_image, *grpc_error(c) ? grpc_error(c) : strerror(-r));
                        goto out;
                }
                r = ctrd_image_get(c, arg_image, &img);
        }
        if (r < 0) {
                say("%s: %s", arg_image, *grpc_error(c) ? grpc_error(c) : strerror(-r));
                goto out;
        }
        r = oci_spec_build(&a->spec, &img, &spec);
        if (r < 0) {
                say("cannot make the OCI spec: %s", strerror(-r));
                goto out;
        }
        remove_leftover(c);

        r = ctr_log_open(&log_file, arg_log_dir, name, CTR_LOG_MAX_BYTES);
        if (r < 0)
                say("no log file in %s: %s", arg_log_dir, strerror(-r));
        if (asprintf(&dir, "%s/%s.XXXXXX", arg_run_dir, name) < 0 ||
            (mkdir(arg_run_dir, 0700) < 0 && errno != EEXIST) || !mkdtemp(dir) ||
            fifo_open(dir, "stdout", &out_path, &out.fd) < 0 ||
            fifo_open(dir, "stderr", &err_path, &err.fd) < 0) {
                say("cannot make its FIFOs in %s: %m", arg_run_dir);
                goto out;
        }

        /* From here SIGTERM is ours to handle: the task must be stopped and
         * deleted, not left behind. */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

        uint32_t pid;
        r = ctrd_create(c, name, arg_image, &img, spec, out_path, err_path, &pid);
        if (r < 0) {
                say("cannot create: %s", *grpc_error(c) ? grpc_error(c) : strerror(-r));
                goto out;
        }
        created = true;
        r = ctrd_start(c, name, &pid);
        if (r < 0) {
                say("cannot start: %s", *grpc_error(c) ? grpc_error(c) : strerror(-r));
                goto out;
        }
        notify_ready();

        char who[300];
        snprintf(who, sizeof(who), "berth-ctr: %s", name); /* as say() prefixes its lines */
        pid_t child = ctrd_wait_in_child(arg_address, CTRD_NAMESPACE, name, who, &status_fd);
        if (child < 0) {
                say("cannot wait: %s", strerror((int) -child));
                (void) ctrd_kill(c, name, SIGKILL, true);
                goto out;
        }
        uint32_t status = 0;
        bool signalled = false;
        r = pump(&out, &err, status_fd, sig_fd, 0, &status, &signalled);
        if (r == 0 && signalled) {
                say("stopping: SIGTERM, SIGKILL after %u s", arg_grace);
                (void) ctrd_kill(c, name, SIGTERM, true);
                r = pump(&out, &err, status_fd, -1, now() + arg_grace, &status, &signalled);
                if (r == 0) {
                        say("still running %u s after SIGTERM: SIGKILL", arg_grace);
                        (void) ctrd_kill(c, name, SIGKILL, true);
                        r = pump(&out, &err, status_fd, -1, now() + 10, &status, &signalled);
                }
        }
        (void) kill(child, SIGKILL);
        (void) waitpid(child, NULL, 0);
        if (r > 0) {
                ret = status > 255 ? 255 : (int) status;
                if (status != 0)
                        say("exited with status %u", status);
        } else
                say("lost track of the task: %s", r < 0 ? strerror(-r) : "no status");
out:
        if (created) {
                r = ctrd_delete(c, name);
                if (r < 0)
                        say("cannot delete: %s", *grpc_error(c) ? grpc_error(c) : strerror(-r));
        }
        safe_close(out.fd);
        safe_close(err.fd);
        if (out_path)
                unlink(out_path);
        if (err_path)
                unlink(err_path);
        if (dir)
                rmdir(dir);
        ctr_log_close(&log_file);
        ctrd_image_done(&img);
        return ret;
}

int main(int argc, char **argv) {
        RunArgs a = {};
        int ret;

        if (argc < 3 || !streq(argv[1], "run")) {
                fprintf(stderr, "usage: berth-ctr run NAME --image REF [OPTIONS]\n");
                return 2;
        }
        name = argv[2];
        if (!ctrd_name_is_valid(name)) {
                fprintf(stderr, "berth-ctr: '%s' is not a valid container name\n", name);
                return 2;
        }
        if (parse_run(argc - 2, argv + 2, &a) < 0) {
                fprintf(stderr, "berth-ctr: %s: bad options (see the comment at the top of berth-ctr.c)\n",
                        name);
                ret = 2;
                goto out;
        }
        /* Lines, not blocks: the console and the log see each as it comes. */
        setvbuf(stderr, NULL, _IOLBF, 0);
        _cleanup_grpc_ GrpcConn *c = NULL;
        int r = connect_retry(&c);
        if (r < 0) {
                say("%s: %s", arg_address, strerror(-r));
                ret = EXIT_NOT_RUN;
                goto out;
        }
        grpc_set_timeout(c, 60ULL * 1000000);
        ret = run(c, &a);
out:
        strv_free(a.env);
        strv_free(a.command);
        strv_free(a.args);
        return ret;
}
