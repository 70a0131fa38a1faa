/* SPDX-License-Identifier: MIT */

/* sandbox.h says what the sandbox holds. How, in fn's process (PID 1 of its
 * namespace):
 *
 *   1. every mount private, so nothing below reaches the host's namespace;
 *   2. each path to show opened (O_PATH) while the host's tree is still there;
 *   3. a tmpfs over /tmp becomes the root (pivot_root), the old root stays
 *      under /oldroot while the binds are made from the fds of step 2
 *      (/proc/self/fd/N: the path as opened, whatever symlinks led there);
 *   4. /oldroot detached, the root made read-only, /proc/sys too;
 *   5. every other fd closed, capabilities dropped, no_new_privs set; fn.
 *
 * Before step 1, fn's process leaves build-image's session (setsid): the
 * terminal stays on 0, 1, 2 for output, but is no controlling terminal.
 *
 * Capabilities are set with capset(2) and prctl(2) directly, not libcap:
 * three calls on a stable kernel ABI do not need a library's dependency.
 *
 * The process tree: build-image forks a keeper, which unshares the
 * namespaces and forks fn's process (the first of the new PID namespace:
 * unshare(CLONE_NEWPID) applies to children only). glibc's fork(), not a raw
 * clone(), so that fn's process has a consistent libc. The keeper passes
 * SIGINT/SIGTERM on and turns fn's death by a signal into an exit status;
 * when fn's process ends, the kernel kills whatever is left in its namespace. */

#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build-context.h"
#include "fs-util.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"

/* fn's exit status when the sandbox could not be set up is the errno; fn
 * dying of a signal is this one (no errno is 255). */
#define EXIT_KILLED 255

/* The source and type of a bind, remount or propagation change, which the
 * kernel ignores: a string rather than NULL, which valgrind takes for a bad pointer. */
#define NONE "none"

#define NEW_ROOT "/tmp" /* where the root's tmpfs is mounted before pivot_root */
#define OLD_ROOT "/oldroot"

/* A path to show in the sandbox, opened before the root changes. */
typedef struct Bind {
        char *path; /* absolute, normalized: where it goes in the sandbox */
        int fd; /* O_PATH */
        unsigned long flags; /* MS_RDONLY, MS_NOSUID, MS_NODEV */
} Bind;

/* The host's paths every sandbox shows: tools, their libraries, devices. */
static const char *const host_paths[] = {
        "/usr",
        "/bin",
        "/sbin",
        "/lib",
        "/lib64",
        "/lib32",
        "/libx32",
        /* The dynamic linker's cache: the host's tools find their libraries by it. */
        "/etc/ld.so.cache",
        /* Debian's alternatives: symlinks that name which tool a command is (awk). */
        "/etc/alternatives",
};
static const char *const devices[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                       "/dev/urandom" };
/* Parts of /proc that would let root change the host: read-only (docker's list). */
static const char *const proc_read_only[] = { "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus",
                                              "/proc/fs" };

/* The host's own paths are shown as they are (a symlink as a symlink);
 * the spec's are followed, as the stage's code follows them. */
static int add_bind(Bind *binds, size_t *n, const char *path, unsigned long flags, bool host) {
        _cleanup_free_ char *where = path_absolute_lexical(path);
        int fd;

        if (!where)
                return -ENOMEM;
        fd = open(where, O_PATH | O_CLOEXEC | (host ? O_NOFOLLOW : 0));
        if (fd < 0) {
                if (host && errno == ENOENT)
                        return 0;
                return log_error_errno(errno, "sandbox: cannot open %s: %m", where);
        }
        binds[(*n)++] = (Bind){ .path = TAKE_PTR(where), .fd = fd, .flags = flags };
        return 0;
}

typedef struct Binds {
        Bind *items;
        size_t n;
} Binds;

static void binds_done(Binds *b) {
        for (size_t i = 0; i < b->n; i++) {
                safe_close(b->items[i].fd);
                free(b->items[i].path);
        }
        free(b->items);
        *b = (Binds){ 0 };
}

static int cmp_bind(const void *a, const void *b) {
        /* Parents before what lies under them. */
        return strcmp(((const Bind *) a)->path, ((const Bind *) b)->path);
}

/* Makes b->path in the new root (a folder, or an empty file for a file) and
 * binds b->fd there, then applies b->flags. A host path that is a symlink
 * (merged-usr /bin) becomes the same symlink. */
static int mount_bind(const Bind *b) {
        _cleanup_free_ char *dir = path_dirname_absolute(b->path);
        char src[64], target[4096];
        struct stat st;
        ssize_t n;
        int r;

        if (!dir)
                return -ENOMEM;
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return log_error_errno(r, "sandbox: cannot create %s: %m", dir);
        if (fstatat(b->fd, "", &st, AT_EMPTY_PATH) < 0)
                return log_error_errno(errno, "sandbox: cannot stat %s: %m", b->path);
        if (S_ISLNK(st.st_mode)) {
                n = readlinkat(b->fd, "", target, sizeof(target) - 1);
                if (n < 0)
                        return log_error_errno(errno, "sandbox: cannot read the link %s: %m", b->path);
                target[n] = 0;
                if (symlink(target, b->path) < 0 && errno != EEXIST)
                        return log_error_errno(errno, "sandbox: cannot link %s: %m", b->path);
                return 0;
        }
        /* What lies under another bind (berth-init installed under /usr) is there already. */
        if (S_ISDIR(st.st_mode))
                r = mkdir(b->path, 0755) < 0 && errno != EEXIST ? -errno : 0;
        else if (faccessat(AT_FDCWD, b->path, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                r = 0;
        else {
                int fd = open(b->path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
                r = fd < 0 ? -errno : 0;
                safe_close(fd);
        }
        if (r < 0)
                return log_error_errno(r, "sandbox: cannot create %s: %m", b->path);
        snprintf(src, sizeof(src), "/proc/self/fd/%d", b->fd);
        if (mount(src, b->path, NONE, MS_BIND, NULL) < 0 ||
            mount(NONE, b->path, NONE, MS_REMOUNT | MS_BIND | b->flags, NULL) < 0)
                return log_error_errno(errno, "sandbox: cannot bind %s: %m", b->path);
        return 0;
}

static int mount_tmpfs(const char *where, const char *options) {
        int r = mkdir_p(where, 0755);

        if (r < 0)
                return log_error_errno(r, "sandbox: cannot create %s: %m", where);
        if (mount("tmpfs", where, "tmpfs", MS_NOSUID | MS_NODEV, options) < 0)
                return log_error_errno(errno, "sandbox: cannot mount a tmpfs on %s: %m", where);
        return 0;
}

/* /dev/fd and the standard streams, as udev makes them: bash's process
 * substitution (dracut) opens /dev/fd/N. */
static int make_dev_links(void) {
        static const char *const links[][2] = {
                { "/dev/fd", "/proc/self/fd" },
                { "/dev/stdin", "/proc/self/fd/0" },
                { "/dev/stdout", "/proc/self/fd/1" },
                { "/dev/stderr", "/proc/self/fd/2" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(links); i++)
                if (symlink(links[i][1], links[i][0]) < 0)
                        return log_error_errno(errno, "sandbox: cannot link %s: %m", links[i][0]);
        return 0;
}

static int close_other_fds(void) {
        DIR *d;
        struct dirent *de;

        if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
                return 0;
        /* A kernel (or valgrind) without close_range. */
        d = opendir("/proc/self/fd");
        if (!d)
                return log_error_errno(errno, "sandbox: cannot list /proc/self/fd: %m");
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name);
                if (fd > 2 && fd != dirfd(d))
                        (void) close(fd);
        }
        closedir(d);
        return 0;
}

static int drop_capabilities(uint64_t keep) {
        struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[2] = {
                { .effective = (uint32_t) keep, .permitted = (uint32_t) keep },
                { .effective = (uint32_t) (keep >> 32), .permitted = (uint32_t) (keep >> 32) },
        };

        /* The bounding set first: dropping from it needs CAP_SETPCAP, which goes next. */
        for (unsigned long c = 0; c < 64 && prctl(PR_CAPBSET_READ, c, 0, 0, 0) >= 0; c++)
                if (!(keep & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
                        return log_error_errno(errno, "sandbox: cannot drop capability %lu: %m", c);
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return log_error_errno(errno, "sandbox: cannot clear the ambient capabilities: %m");
        if (syscall(SYS_capset, &header, data) < 0)
                return log_error_errno(errno, "sandbox: cannot set capabilities: %m");
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_error_errno(errno, "sandbox: cannot set no_new_privs: %m");
        return 0;
}

/* Steps 1 to 5 of the header; returns only on failure. */
static int enter(const SandboxSpec *spec) {
        const unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV, rw = MS_NOSUID | MS_NODEV;
        size_t max = ARRAY_SIZE(host_paths) + ARRAY_SIZE(devices);
        _cleanup_(binds_done) Binds all = { 0 };
        _cleanup_free_ char *cwd = getcwd(NULL, 0);
        int r;

        for (char *const *p = spec->read_write; p && *p; p++)
                max++;
        for (char *const *p = spec->read_only; p && *p; p++)
                max++;
        Bind *binds = all.items = calloc(max, sizeof(Bind));
        size_t *n = &all.n;
        if (!binds || !cwd)
                return log_oom();

        if (mount(NONE, "/", NONE, MS_REC | MS_PRIVATE, NULL) < 0)
                return log_error_errno(errno, "sandbox: cannot make the mounts private: %m");

        for (size_t i = 0; i < ARRAY_SIZE(host_paths); i++) {
                /* A host's own /bin (not merged-usr) shows as it is. */
                r = add_bind(binds, n, host_paths[i], ro, true);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
                /* Read-only, yet writable: a device's writes go to its driver. */
                r = add_bind(binds, n, devices[i], MS_RDONLY | MS_NOSUID, true);
                if (r < 0)
                        return r;
        }
        for (char *const *p = spec->read_only; p && *p; p++) {
                r = add_bind(binds, n, *p, ro, false);
                if (r < 0)
                        return r;
        }
        for (char *const *p = spec->read_write; p && *p; p++) {
                r = add_bind(binds, n, *p, rw, false);
                if (r < 0)
                        return r;
        }
        qsort(binds, *n, sizeof(Bind), cmp_bind);

        r = mount_tmpfs(NEW_ROOT, "mode=0755,size=16m");
        if (r < 0)
                return r;
        if (mkdir(NEW_ROOT OLD_ROOT, 0700) < 0 || syscall(SYS_pivot_root, NEW_ROOT, NEW_ROOT OLD_ROOT) < 0 ||
            chdir("/") < 0)
                return log_error_errno(errno, "sandbox: cannot change the root: %m");

        /* A /proc of this PID namespace alone: the host's would show the host's
         * processes, and their /proc/PID/root is the host's root. */
        if (mkdir("/proc", 0555) < 0 ||
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return log_error_errno(errno, "sandbox: cannot mount /proc: %m");
        /* Before the binds: a path of the spec's under /tmp goes on top. */
        r = mount_tmpfs("/tmp", "mode=01777");
        if (r < 0)
                return r;
        r = mount_tmpfs("/var/tmp", "mode=01777");
        if (r < 0)
                return r;
        for (size_t i = 0; i < *n; i++) {
                r = mount_bind(&binds[i]);
                if (r < 0)
                        return r;
        }
        r = make_dev_links();
        if (r < 0)
                return r;
        /* Relative paths of the caller's resolve as outside. */
        r = mkdir_p(cwd, 0755);
        if (r < 0)
                return log_error_errno(r, "sandbox: cannot create %s: %m", cwd);

        if (umount2(OLD_ROOT, MNT_DETACH) < 0 || rmdir(OLD_ROOT) < 0)
                return log_error_errno(errno, "sandbox: cannot detach the host's root: %m");
        if (mount(NONE, "/", NONE, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                return log_error_errno(errno, "sandbox: cannot make the root read-only: %m");
        for (size_t i = 0; i < ARRAY_SIZE(proc_read_only); i++)
                if (access(proc_read_only[i], F_OK) == 0 &&
                    (mount(proc_read_only[i], proc_read_only[i], NONE, MS_BIND | MS_REC, NULL) < 0 ||
                     mount(NONE, proc_read_only[i], NONE, MS_REMOUNT | MS_BIND | ro, NULL) < 0))
                        return log_error_errno(errno, "sandbox: cannot make %s read-only: %m",
                                               proc_read_only[i]);
        if (chdir(cwd) < 0)
                return log_error_errno(errno, "sandbox: cannot enter %s: %m", cwd);
        /* The caller's TMPDIR is not there; the sandbox's own /tmp is. */
        if (setenv("TMPDIR", "/tmp", 1) < 0)
                return log_oom();

        binds_done(&all);
        r = close_other_fds();
        if (r < 0)
                return r;
        return drop_capabilities(SANDBOX_CAPABILITIES | (spec->chroot ? 1ULL << CAP_SYS_CHROOT : 0));
}

/* In a chroot whose root is no mount point (a CI's, say), "/" cannot be made
 * private nor pivoted: a mount made there could appear in the build host's
 * namespace. There the sandbox keeps its namespaces, closed fds, reduced
 * capabilities and no_new_privs, but not its own view of the files. Where
 * no namespace can be made (a container without CAP_SYS_ADMIN), the same
 * without namespaces. */
static int enter_without_mounts(const SandboxSpec *spec) {
        char *const *lists[] = { spec->read_write, spec->read_only };
        int r;

        for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
                for (char *const *p = lists[i]; p && *p; p++)
                        if (access(*p, F_OK) < 0)
                                return log_error_errno(errno, "sandbox: cannot open %s: %m", *p);
        r = close_other_fds();
        if (r < 0)
                return r;
        return drop_capabilities(SANDBOX_CAPABILITIES | 1ULL << CAP_SYS_CHROOT);
}

#define NAMESPACES (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET)

/* What this machine allows, found once before the first fork: whether "/"
 * is a mount's root (not in a chroot), and whether namespaces can be made
 * (a container without CAP_SYS_ADMIN cannot). */
static bool root_is_mount, can_unshare;

static int check_host(void) {
        static bool checked;
        struct statx stx;
        int status;
        pid_t pid;

        if (checked)
                return 0;
        if (statx(AT_FDCWD, "/", 0, STATX_BASIC_STATS, &stx) < 0)
                return log_error_errno(errno, "sandbox: cannot stat /: %m");
        root_is_mount = !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
                        (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
        pid = fork();
        if (pid < 0)
                return log_error_errno(errno, "sandbox: cannot fork: %m");
        if (pid == 0)
                _exit(unshare(NAMESPACES) < 0 ? errno : 0);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(errno, "sandbox: cannot wait: %m");
        can_unshare = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        checked = true;
        if (!can_unshare)
                log_warning("Namespaces cannot be made here (a container?): the stages that touch package "
                            "content run with few capabilities, but see the files and processes as "
                            "build-image does.");
        else if (!root_is_mount)
                log_warning(
                        "/ is no mount point (a chroot): the stages that touch package content run in "
                        "namespaces of their own with few capabilities, but see the files as build-image "
                        "does.");
        return 0;
}

static _noreturn_ void run_inside(const SandboxSpec *spec, int (*fn)(void *), void *userdata) {
        int r;

        /* The keeper's end is ours: nothing of the sandbox outlives it. */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        /* A session of its own, without build-image's controlling terminal:
         * on it, TIOCSTI would push keystrokes into the shell that started
         * build-image, as root (bubblewrap's CVE-2017-5226). The terminal's
         * SIGINT reaches the keeper, which passes it on. */
        if (setsid() < 0)
                _exit(-log_error_errno(errno, "sandbox: cannot make a session: %m"));
        r = root_is_mount && can_unshare ? enter(spec) : enter_without_mounts(spec);
        if (r >= 0)
                r = fn(userdata);
        fflush(NULL);
        _exit(r >= 0 ? 0 : -r < EXIT_KILLED ? -r : EIO);
}

static volatile pid_t inside_pid;

static void pass_signal(int sig) {
        if (inside_pid > 0)
                (void) kill(inside_pid, sig);
}

static _noreturn_ void keeper(const SandboxSpec *spec, pid_t parent, int (*fn)(void *), void *userdata) {
        struct sigaction sa = { .sa_handler = pass_signal };
        int status;
        pid_t pid;

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getppid() != parent)
                _exit(EINTR);
        if (can_unshare && unshare(NAMESPACES) < 0)
                _exit(-log_error_errno(errno, "sandbox: cannot make namespaces for the %s stage: %m",
                                       spec->name));
        pid = fork();
        if (pid < 0)
                _exit(-log_error_errno(errno, "sandbox: cannot fork: %m"));
        if (pid == 0)
                run_inside(spec, fn, userdata);
        inside_pid = pid;
        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGTERM, &sa, NULL);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        _exit(ECHILD);
        if (WIFEXITED(status))
                _exit(WEXITSTATUS(status));
        log_error("The sandboxed %s stage was killed by signal %d (%s).", spec->name, WTERMSIG(status),
                  strsignal(WTERMSIG(status)));
        _exit(EXIT_KILLED);
}

int sandbox_run(const SandboxSpec *spec, int (*fn)(void *userdata), void *userdata) {
        pid_t parent = getpid(), pid;
        bool passed = false;
        int status, r;

        r = check_host();
        if (r < 0)
                return r;
        fflush(NULL); /* or the child writes our buffered output again */
        pid = fork();
        if (pid < 0)
                return log_error_errno(errno, "sandbox: cannot fork: %m");
        if (pid == 0)
                keeper(spec, parent, fn, userdata);

        while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR)
                        return log_error_errno(errno, "sandbox: cannot wait for the %s stage: %m",
                                               spec->name);
                /* A signal that build.c took (its handler sets the flag) goes on
                 * to the stage, which stops at its next check. */
                if (build_interrupted() && !passed) {
                        (void) kill(pid, SIGTERM);
                        passed = true;
                }
        }
        if (build_interrupted())
                return -EINTR;
        if (!WIFEXITED(status))
                return log_error_errno(EIO, "The sandbox of the %s stage was killed by signal %d.",
                                       spec->name, WTERMSIG(status));
        if (WEXITSTATUS(status) == EXIT_KILLED)
                return -EIO;
        return -WEXITSTATUS(status);
}
