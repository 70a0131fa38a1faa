/* SPDX-License-Identifier: MIT */

/* sandbox.c: what a stage's code can see and do inside the sandbox, checked
 * from inside (issue 9, defence in depth). The checks run in the sandboxed
 * process; each writes its verdict into memory shared with this process
 * (MAP_SHARED outlives the fork), which prints them as TAP lines. */

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sched.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include "../../lib/tests/tap.h"
#include "fileio.h"
#include "macro.h"
#include "path-util.h"
#include "rm-rf.h"
#include "sandbox.h"

#define MAX_CHECKS 64

typedef struct Shared {
        unsigned n;
        struct {
                bool pass;
                char name[200];
        } checks[MAX_CHECKS];
} Shared;

static Shared *shared;

/* The paths, the same inside and out. */
/* Static, not malloc'd: the sandbox's processes end with _exit(), and
 * valgrind would call a pointer it finds only in a register lost. */
static char dir[64], work[128], input[128], victim[128], outside_fd_path[128], input_file[160],
        link_path[160];
static int outside_fd = -1;
/* The victim's file handle, taken outside: open_by_handle_at() inside with
 * it would reach a file of the same filesystem that no bind shows. */
static struct {
        struct file_handle fh;
        unsigned char bytes[MAX_HANDLE_SZ];
} victim_handle;
static bool have_victim_handle;
static bool full_view; /* "/" is a mount point (not a chroot), and namespaces can be made */
static bool namespaces; /* namespaces can be made (not a container without CAP_SYS_ADMIN) */
static bool have_sysrq; /* a kernel without CONFIG_MAGIC_SYSRQ has no /proc/sysrq-trigger */

__attribute__((format(printf, 2, 3))) static void check(bool pass, const char *fmt, ...) {
        va_list ap;

        if (shared->n >= MAX_CHECKS)
                return;
        shared->checks[shared->n].pass = pass;
        va_start(ap, fmt);
        vsnprintf(shared->checks[shared->n].name, sizeof(shared->checks[0].name), fmt, ap);
        va_end(ap);
        shared->n++;
}

/* An open for writing that must fail with want; closes what it opened. */
static void write_fails(const char *path, int flags, int want, const char *what) {
        int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0644);
        int e = errno;

        check(fd < 0 && e == want, "%s cannot be written (%s, want %s)", what,
              fd < 0 ? strerror(e) : "opened", strerror(want));
        if (fd >= 0)
                close(fd);
}

static unsigned long long status_mask(const char *status, const char *key) {
        const char *p = strstr(status, key);
        return p ? strtoull(p + strlen(key), NULL, 16) : ~0ULL;
}

/* What the sandbox shows of the files: only where "/" is a mount point. */
static void view_checks(void) {
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ char *link = path_join(work, "escape"), *in_input = path_join(input, "file");
        _cleanup_free_ char *in_input_new = path_join(input, "new");
        unsigned processes = 0;
        DIR *d;
        int fd;

        /* The host's secrets and files outside the spec's paths. */
        check(read_full_file("/etc/shadow", 0, &text, NULL) == -ENOENT,
              "the host's /etc/shadow is not there");
        free(TAKE_PTR(text));
        check(read_full_file("/etc/passwd", 0, &text, NULL) == -ENOENT,
              "the host's /etc/passwd is not there");
        free(TAKE_PTR(text));
        check(read_full_file(victim, 0, &text, NULL) == -ENOENT, "a file outside the paths is not there");
        free(TAKE_PTR(text));
        /* An absolute symlink in the work folder to the victim leads nowhere. */
        write_fails(link, O_TRUNC, ENOENT, "the victim through a symlink in the work folder");
        check(read_full_file(link, 0, &text, NULL) == -ENOENT,
              "the victim cannot be read through the symlink");
        free(TAKE_PTR(text));
        check(read_full_file("/proc/1/root/etc/shadow", 0, &text, NULL) == -ENOENT,
              "/proc/1/root is the sandbox's root, not the host's");
        free(TAKE_PTR(text));

        /* Read-only and writable paths. */
        check(read_full_file(in_input, 0, &text, NULL) == 0 && text && streq(text, "input\n"),
              "a read-only input can be read");
        free(TAKE_PTR(text));
        write_fails(in_input, 0, EROFS, "a read-only input");
        check(mkdir(in_input_new, 0755) < 0 && errno == EROFS,
              "nothing can be made in a read-only input (%m)");
        write_fails("/usr/berth-sandbox-test", O_CREAT, EROFS, "the host's /usr");
        check(mkdir("/berth-sandbox-test", 0755) < 0 && errno == EROFS,
              "the sandbox's root is read-only (%m)");
        write_fails("/proc/sys/kernel/core_pattern", 0, EROFS, "/proc/sys/kernel/core_pattern");
        write_fails("/proc/sysrq-trigger", 0, have_sysrq ? EROFS : ENOENT, "/proc/sysrq-trigger");
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        check(fd >= 0 && write(fd, "x", 1) == 1, "/dev/null can be written (%m)");
        if (fd >= 0)
                close(fd);
        check(access("/usr/bin/env", X_OK) == 0, "the host's /usr/bin is there");

        /* /proc shows this namespace's processes alone: this one. */
        d = opendir("/proc");
        check(d != NULL, "/proc can be listed (%m)");
        for (struct dirent *de; d && (de = readdir(d));)
                if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
                        processes++;
        if (d)
                closedir(d);
        check(processes == 1, "/proc shows one process (%u)", processes);
}

static int inside(void *userdata) {
        _cleanup_free_ char *status = NULL, *in_work = path_join(work, "new");
        _cleanup_free_ char *in_input_new = path_join(input, "new"), *node = path_join(work, "null");
        const unsigned long long keep = SANDBOX_CAPABILITIES | (full_view ? 0 : 1ULL << CAP_SYS_CHROOT);
        struct if_nameindex *ifs;

        check(userdata == (void *) 0x5a, "userdata reaches fn");
        /* No controlling terminal: a session of its own. */
        check(getsid(0) == getpid(), "fn leads a session of its own (sid %d, pid %d)", (int) getsid(0),
              (int) getpid());
        if (namespaces)
                check(getpid() == 1, "fn is the first process of its PID namespace (pid %d)",
                      (int) getpid());

        check(fcntl(outside_fd, F_GETFD) < 0 && errno == EBADF,
              "the caller's fd on a folder outside is closed");

        if (full_view)
                view_checks();
        else
                check(true, "the sandbox's view of the files # SKIP in a chroot (/ is no mount point) or "
                            "where no namespace can be made");
        check(write_file_atomic(in_work, "x", 1, 0644) == 0, "a file can be made in the work folder");

        /* What no stage may do. */
        check(mknod(in_input_new, S_IFCHR | 0600, makedev(1, 3)) < 0, "mknod fails in an input (%m)");
        check(mknod(node, S_IFCHR | 0600, makedev(1, 3)) < 0 && errno == EPERM, "mknod fails (%m)");
        check(mount("tmpfs", work, "tmpfs", 0, NULL) < 0 && errno == EPERM, "mount fails (%m)");
        check(umount2("/usr", MNT_DETACH) < 0 && errno == EPERM, "umount fails (%m)");
        check(mount("none", "/usr", "none", MS_REMOUNT | MS_BIND, NULL) < 0 && errno == EPERM,
              "/usr cannot be remounted writable (%m)");
        if (full_view)
                check(chroot(work) < 0 && errno == EPERM, "chroot fails without spec.chroot (%m)");

        /* A file handle leads past every bind to the whole filesystem (the
         * "shocker" escape): open_by_handle_at needs CAP_DAC_READ_SEARCH. */
        if (have_victim_handle) {
                int work_fd = open(work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                int fd = work_fd < 0 ? -1
                                     : open_by_handle_at(work_fd, &victim_handle.fh, O_RDONLY | O_CLOEXEC);
                int e = errno;

                check(work_fd >= 0 && fd < 0 && e == EPERM,
                      "a file outside the paths cannot be opened by its handle (%s)",
                      fd >= 0 ? "opened" : strerror(e));
                if (fd >= 0)
                        close(fd);
                if (work_fd >= 0)
                        close(work_fd);
        } else
                check(true, "open_by_handle_at # SKIP the filesystem gives no file handles");

        /* Capabilities: the reduced set, nothing to gain. */
        check(read_full_file("/proc/self/status", 0, &status, NULL) == 0, "/proc/self/status can be read");
        if (status) {
                check(status_mask(status, "CapEff:\t") == keep,
                      "effective capabilities are the reduced set (%llx)", status_mask(status, "CapEff:\t"));
                check(status_mask(status, "CapPrm:\t") == keep,
                      "permitted capabilities are the reduced set (%llx)", status_mask(status, "CapPrm:\t"));
                check(status_mask(status, "CapBnd:\t") == keep, "the bounding set is the reduced set (%llx)",
                      status_mask(status, "CapBnd:\t"));
                check(status_mask(status, "CapInh:\t") == 0, "no inheritable capability");
                check(status_mask(status, "CapAmb:\t") == 0, "no ambient capability");
                check(strstr(status, "NoNewPrivs:\t1\n") != NULL, "no_new_privs is set");
        }

        /* The network: the loopback device alone. */
        if (namespaces) {
                ifs = if_nameindex();
                check(ifs && ifs[0].if_name && streq(ifs[0].if_name, "lo") && !ifs[1].if_name,
                      "the only network device is lo");
                if (ifs)
                        if_freenameindex(ifs);
        }
        return 0;
}

/* A keystroke pushed into the terminal build-image runs in (TIOCSTI) would
 * be read by the shell that started it, as the user who did: root. */
static int injects_keystroke(void *userdata) {
        const char c = '\n';

        if (ioctl(STDIN_FILENO, TIOCSTI, &c) == 0)
                return -EBUSY;
        return errno == EPERM || errno == EIO ? 0 : -errno;
}

/* sandbox_run from a session whose controlling terminal is a pty, on fd 0:
 * 0 when fn could not push a keystroke into it, 1 when it could, 2 when
 * the test could not be set up (no pty here). */
static int terminal_check(const SandboxSpec *spec) {
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), status;
        pid_t pid;

        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
                return 2;
        pid = fork();
        if (pid == 0) {
                int slave;
                if (setsid() < 0 || (slave = open(ptsname(master), O_RDWR)) < 0 || dup2(slave, 0) < 0)
                        _exit(2);
                _exit(sandbox_run(spec, injects_keystroke, NULL) == 0 ? 0 : 1);
        }
        close(master);
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
                return 2;
        return WEXITSTATUS(status);
}

static int returns_enoent(void *userdata) {
        return -ENOENT;
}

static int returns_zero(void *userdata) {
        return 0;
}

static int crashes(void *userdata) {
        __builtin_trap(); /* SIGILL: not caught by the sanitizers */
}

static int needs_chroot(void *userdata) {
        _cleanup_free_ char *status = NULL;
        int r = read_full_file("/proc/self/status", 0, &status, NULL);

        if (r < 0)
                return r;
        if (status_mask(status, "CapEff:\t") != (SANDBOX_CAPABILITIES | 1ULL << CAP_SYS_CHROOT))
                return -EPERM;
        return chroot(work) < 0 ? -errno : 0;
}

int main(void) {
        _cleanup_free_ char *text = NULL;
        /* A file under /usr too, as an installed build-image's berth-init is. */
        char *rw[2] = { work, NULL }, *ro[3] = { input, (char *) "/usr/bin/env", NULL };
        const SandboxSpec spec = { .name = "test", .read_write = rw, .read_only = ro };
        const SandboxSpec spec_chroot = { .name = "test", .read_write = rw, .chroot = true };
        int r;

        if (geteuid() != 0) {
                printf("1..0 # SKIP the sandbox needs root\n");
                return 0;
        }
        shared = mmap(NULL, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (shared == MAP_FAILED || !mkdtemp(strcpy(dir, "/tmp/berth-sandbox-XXXXXX"))) {
                perror("setup");
                return 1;
        }
        snprintf(work, sizeof(work), "%s/work", dir);
        snprintf(input, sizeof(input), "%s/input", dir);
        snprintf(victim, sizeof(victim), "%s/victim", dir);
        snprintf(outside_fd_path, sizeof(outside_fd_path), "%s", dir);
        snprintf(input_file, sizeof(input_file), "%s/file", input);
        snprintf(link_path, sizeof(link_path), "%s/escape", work);
        if (mkdir(work, 0755) < 0 || mkdir(input, 0755) < 0 ||
            write_file_atomic(input_file, "input\n", 6, 0644) < 0 ||
            write_file_atomic(victim, "untouched\n", 10, 0644) < 0 || symlink(victim, link_path) < 0) {
                perror("setup");
                return 1;
        }
        victim_handle.fh.handle_bytes = MAX_HANDLE_SZ;
        int mount_id;
        have_victim_handle = name_to_handle_at(AT_FDCWD, victim, &victim_handle.fh, &mount_id, 0) == 0;
        /* No O_CLOEXEC: an fd the caller forgot must not reach the sandbox. */
        outside_fd = open(outside_fd_path, O_RDONLY | O_DIRECTORY);
        have_sysrq = access("/proc/sysrq-trigger", F_OK) == 0;
        struct statx stx;
        pid_t pid = fork();
        if (pid == 0)
                _exit(unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET) < 0);
        int status = 1;
        namespaces =
                pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        full_view = namespaces && statx(AT_FDCWD, "/", 0, STATX_BASIC_STATS, &stx) == 0 &&
                    (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
                     (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT));

        r = sandbox_run(&spec, inside, (void *) 0x5a);
        ok(r == 0, "sandbox_run runs fn and returns its 0 (%d)", r);
        ok(shared->n > (full_view ? 30 : 15), "fn ran its checks (%u)", shared->n);
        for (unsigned i = 0; i < shared->n; i++)
                ok(shared->checks[i].pass, "inside: %s", shared->checks[i].name);

        ok(read_full_file(victim, 0, &text, NULL) == 0 && streq(text, "untouched\n"),
           "the victim is untouched");
        free(TAKE_PTR(text)); /* before the next fork: see the paths' comment */
        ok(access(link_path, F_OK) == 0, "the work folder's symlink is still there");
        char made[160];
        snprintf(made, sizeof(made), "%s/new", work);
        ok(access(made, F_OK) == 0, "what fn made in the work folder is there outside");

        r = sandbox_run(&spec, returns_enoent, NULL);
        ok(r == -ENOENT, "fn's errno comes back (%d)", r);
        /* valgrind cannot die of a signal as PID 1 of a namespace (it panics). */
        if (!RUNNING_ON_VALGRIND) {
                r = sandbox_run(&spec, crashes, NULL);
                ok(r == -EIO, "fn's crash comes back as -EIO (%d)", r);
        }
        r = sandbox_run(&spec_chroot, needs_chroot, NULL); /* in a chroot too */
        ok(r == 0, "spec.chroot keeps CAP_SYS_CHROOT alone, and chroot works (%d)", r);
        r = terminal_check(&spec);
        if (r == 2)
                ok(true, "# SKIP no pty to run the sandbox in");
        else
                ok(r == 0, "fn cannot push a keystroke into build-image's terminal (TIOCSTI)");
        char *missing_rw[2] = { (char *) "/nonexistent/berth", NULL };
        const SandboxSpec bad = { .name = "test", .read_write = missing_rw };
        r = sandbox_run(&bad, returns_zero, NULL);
        ok(r == -ENOENT, "a missing path fails the sandbox's setup (%d)", r);

        if (outside_fd >= 0)
                close(outside_fd);
        (void) rm_rf(dir);
        munmap(shared, sizeof(Shared));
        return tap_done();
}
