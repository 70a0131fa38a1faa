/* SPDX-License-Identifier: MIT */
/* berth-ctr: runs one container of the host state through containerd, for
 * as long as the container runs. PID 1 supervises one per container (a
 * service, init/stage2/containers.c) and decides on restarts; the client's
 * calls block, so they are made here, never in PID 1.
 *
 *   berth-ctr run NAME --image REF [OPTIONS]
 *   berth-ctr run NAME --archive-url URL --archive-sha256 HEX [OPTIONS]
 *
 * pulls REF unless containerd has it (CRI PullImage, with the credentials of
 * BERTH_REGISTRY_AUTH_PATH), or, for an OCI archive, unless containerd has
 * the image BERTH_ARCHIVE_IMAGE_FMT of HEX: has berth-fetch --archive
 * download URL into --archive-dir (BERTH_ARCHIVE_DIR) as HEX.tar, verified
 * against HEX, imports it (ctrd_import()) and removes the file; then
 * removes what an earlier run left of NAME,
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
 * FIFOs), --address SOCKET, --auth FILE, --cgroup-parent PATH,
 * --archive-dir DIR, --fetch PATH (berth-fetch, BERTH_FETCH_PATH).
 *
 * The download is berth-fetch's, run as a child, not libcurl linked here:
 * one copy of the HTTP rules (limits, deadline, back-off, TLS against the
 * image's CA bundle) for state documents and archives alike, and libcurl
 * mapped only for as long as a download lasts, not by every runner.
 *
 * Exit status: the task's; 125 when it could not be run (pull, download,
 * import, create, start), 2 for bad usage.
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
#include <sys/prctl.h>
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
#include "import.h"
#include "macro.h"
#include "oci-spec.h"
#include "parse-util.h"
#include "strv.h"

#define EXIT_NOT_RUN 125
#define PULL_TIMEOUT_USEC (600ULL * 1000000)
#define CONNECT_TRIES 50 /* 100 ms apart: containerd may be restarting */
/* Each call of an import (a large layer's Diff/Apply under emulation). */
#define IMPORT_CALL_TIMEOUT_USEC (600ULL * 1000000)

static const char *arg_address = "/run/containerd/containerd.sock";
static const char *arg_auth = BERTH_REGISTRY_AUTH_PATH;
static const char *arg_log_dir = CTR_LOG_DIR;
static const char *arg_run_dir = "/run/berth/ctr";
static const char *arg_image;
static const char *arg_archive_url;
static const char *arg_archive_sha256;
static const char *arg_archive_dir = BERTH_ARCHIVE_DIR;
static const char *arg_fetch = BERTH_FETCH_PATH;
static char archive_image_name[128];
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
                OPT_ARCHIVE_URL,
                OPT_ARCHIVE_SHA256,
                OPT_ARCHIVE_DIR,
                OPT_FETCH,
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
                { "archive-url", required_argument, NULL, OPT_ARCHIVE_URL },
                { "archive-sha256", required_argument, NULL, OPT_ARCHIVE_SHA256 },
                { "archive-dir", required_argument, NULL, OPT_ARCHIVE_DIR },
                { "fetch", required_argument, NULL, OPT_FETCH },
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
                case OPT_ARCHIVE_URL:
                        arg_archive_url = optarg;
                        break;
                case OPT_ARCHIVE_SHA256:
                        arg_archive_sha256 = optarg;
                        break;
                case OPT_ARCHIVE_DIR:
                        arg_archive_dir = optarg;
                        break;
                case OPT_FETCH:
                        arg_fetch = optarg;
                        break;
                default:
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        if (optind != argc)
                return -EINVAL;
        /* Exactly one of an image and an archive, whose pin is 64
         * lower-case hex digits (it names a file and an image). */
        if (!!arg_image == !!arg_archive_url || !!arg_archive_url != !!arg_archive_sha256)
                return -EINVAL;
        if (arg_archive_sha256) {
                if (strlen(arg_archive_sha256) != 64 || strspn(arg_archive_sha256, "0123456789abcdef") != 64)
                        return -EINVAL;
                snprintf(archive_image_name, sizeof(archive_image_name), BERTH_ARCHIVE_IMAGE_FMT,
                         arg_archive_sha256);
                arg_image = archive_image_name;
        }
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

/* berth-fetch --archive URL into path: 0, or <0 with its line said. */
static int archive_download(const char *path) {
        int pipe_fd[2];
        char line[1024] = "";
        size_t len = 0;
        int status;

        if (pipe2(pipe_fd, O_CLOEXEC) < 0)
                return -errno;
        pid_t runner = getpid(), pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(pipe_fd[0]);
                close(pipe_fd[1]);
                return r;
        }
        if (pid == 0) {
                /* Ends with the runner (PID 1 stops it: TERM, then KILL). */
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                /* The runner may have died before the prctl: no signal then. */
                if (getppid() != runner)
                        _exit(127);
                if (dup2(pipe_fd[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execl(arg_fetch, BERTH_FETCH_NAME, "--archive", arg_archive_url, "--sha256",
                      arg_archive_sha256, "--out", path, (char *) NULL);
                fprintf(stderr, "berth-ctr: %s: cannot run %s: %m\n", name, arg_fetch);
                _exit(127);
        }
        close(pipe_fd[1]);
        for (;;) {
                ssize_t n = read(pipe_fd[0], line + len, sizeof(line) - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
                if (len == sizeof(line) - 1)
                        break;
        }
        close(pipe_fd[0]);
        line[len] = 0;
        line[strcspn(line, "\n")] = 0;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                say("fetched %s", line);
                return 0;
        }
        if (line[0])
                say("cannot fetch the archive: %s", line);
        else
                say("cannot fetch the archive %s: %s %s %d", arg_archive_url, arg_fetch,
                    WIFEXITED(status) ? "exited with status" : "was killed by signal",
                    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return -EIO;
}

/* The archive's image, unless containerd has it already (imported by an
 * earlier run: nothing is downloaded again): downloaded, imported, and the
 * file removed, the image in containerd being what is kept. A file that
 * did not import stays (it is the one the pin names: a restart imports it
 * without downloading it again). */
static int archive_image(GrpcConn *c, CtrdImage *img) {
        _cleanup_free_ char *path = NULL;
        int r = ctrd_image_get(c, arg_image, img);

        if (r != -ENOENT) {
                if (r < 0)
                        say("%s: %s", arg_image, *grpc_error(c) ? grpc_error(c) : strerror(-r));
                return r;
        }
        if (asprintf(&path, "%s/%s.tar", arg_archive_dir, arg_archive_sha256) < 0) {
                path = NULL;
                return -ENOMEM;
        }
        if (mkdir(arg_archive_dir, 0700) < 0 && errno != EEXIST) {
                r = -errno;
                say("cannot fetch the archive %s: %s: %m", arg_archive_url, arg_archive_dir);
                return r;
        }
        say("fetching %s", arg_archive_url);
        r = archive_download(path);
        if (r < 0)
                return r;
        grpc_set_timeout(c, IMPORT_CALL_TIMEOUT_USEC);
        r = ctrd_import(c, path, arg_image, img);
        grpc_set_timeout(c, 60ULL * 1000000);
        if (r < 0) {
                say("cannot import the archive %s: %s", arg_archive_url,
                    *grpc_error(c) ? grpc_error(c) : strerror(-r));
                return r;
        }
        say("imported %s as %s", arg_archive_url, arg_image);
        if (unlink(path) < 0)
                say("cannot remove %s: %m", path);
        return 0;
}

static int run(GrpcConn *c, RunArgs *a) {
        CtrdImage img = {};
        _cleanup_free_ char *spec = NULL, *dir = NULL, *out_path = NULL, *err_path = NULL;
        _cleanup_(json_putp) json_object *auth_json = NULL;
        Stream out = { .fd = -1 }, err = { .fd = -1 };
        _cleanup_close_ int status_fd = -EBADF, sig_fd = -EBADF;
        int ret = EXIT_NOT_RUN, r;
        bool created = false;

        if (arg_archive_url) {
                r = archive_image(c, &img);
                if (r < 0)
                        goto out;
        } else
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
        uint32_t uid, gid;
        if (oci_user_parse(img.user, &uid, &gid) == -EOPNOTSUPP)
                say("the image's User '%s' is a name, which berth does not resolve: it runs as root",
                    img.user);
        for (size_t i = 0; i < a->spec.n_mounts; i++)
                if ((r = oci_mount_source_check(a->mounts[i].source)) < 0) {
                        say("mount source %s: %s%s", a->mounts[i].source, strerror(-r),
                            r == -ELOOP ? " (a symlink on its way: refused)" : "");
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
                fprintf(stderr,
                        "usage: berth-ctr run NAME --image REF [OPTIONS]\n"
                        "       berth-ctr run NAME --archive-url URL --archive-sha256 HEX [OPTIONS]\n");
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
