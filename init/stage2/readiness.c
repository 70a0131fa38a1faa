/* SPDX-License-Identifier: MIT */

/* One datagram socket, NOTIFY_SOCKET of the services whose spec has notify
 * readiness (containerd sends READY=1 once it serves its API). The sender's
 * pid (SO_PASSCRED) tells which service spoke; a message from any other
 * process is dropped. Everything else PID 1 is told comes over the control
 * socket (control.c), which checks who is asking. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "macro.h"
#include "console.h"
#include "fileio.h"
#include "manager.h"
#include "mount-util.h"
#include "notify-message.h"

static long meminfo_kib(const char *text, const char *key) {
        const char *p = strstr(text, key);
        return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* Once the runtime is ready, what the host costs: guest memory in use
 * (MemTotal - MemAvailable, as free(1) counts it) and PID 1's own RSS. */
static void memory_report(void) {
        _cleanup_free_ char *meminfo = NULL, *status = NULL;
        long total, avail, rss;

        if (read_full_file("/proc/meminfo", 0, &meminfo, NULL) < 0 ||
            read_full_file("/proc/self/status", 0, &status, NULL) < 0)
                return;
        total = meminfo_kib(meminfo, "MemTotal:");
        avail = meminfo_kib(meminfo, "MemAvailable:");
        rss = meminfo_kib(status, "VmRSS:");
        /* berth-init's own work: PID 1's CPU time less what the kernel spent
         * as PID 1 before it ran /init (stage 1 wrote that down). */
        _cleanup_free_ char *at_init = NULL;
        long own, own_user, init_total = 0, init_user = 0;
        cpu_ms(&own, &own_user);
        if (read_full_file(CPU_AT_INIT_PATH, 64, &at_init, NULL) >= 0 &&
            sscanf(at_init, "%ld %ld", &init_total, &init_user) == 2) {
                own -= init_total;
                own_user -= init_user;
        }
        console_info("memory used %.1f MiB, pid1 rss %.2f MiB, berth-init cpu %ld ms (user %ld ms)",
                     (double) (total - avail) / 1024.0, (double) rss / 1024.0, own, own_user);
}

void service_ready(Service *s) {
        s->ready = true;
        s->ready_timer = sd_event_source_disable_unref(s->ready_timer);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        console_milestone(s->spec->ready_milestone ?: "%s ready", s->spec->name);
#pragma GCC diagnostic pop
        memory_report();
        /* containerd's readiness is a condition containers wait for. */
        if (s->spec->provides)
                manager_condition_met(s->manager, s->spec->provides);
        containers_check_healthy(s->manager);
}

static Service *service_of_pid(Manager *m, pid_t pid) {
        for (size_t i = 0; i < m->n_services; i++)
                if (m->services[i]->pid == pid && pid > 0)
                        return m->services[i];
        return NULL;
}

static int on_message(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        char buf[4096], control[CMSG_SPACE(sizeof(struct ucred))];
        struct iovec iov = { buf, sizeof(buf) };
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control)
        };
        struct ucred *cred = NULL;
        ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

        NotifyMessage nm;

        if (n < 0)
                return 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
                        cred = (struct ucred *) CMSG_DATA(c);

        Service *s = cred ? service_of_pid(m, cred->pid) : NULL;
        if (!s || s->spec->readiness != READINESS_NOTIFY || (msg.msg_flags & MSG_TRUNC) ||
            notify_message_parse(buf, (size_t) n, &nm) < 0)
                return 0;
        if (nm.ready && !s->ready && s->state == SERVICE_RUNNING)
                service_ready(s);
        return 0;
}

/* Without the socket, services are not told of it and notify services'
 * readiness falls back to polling their ready_socket (supervisor.c). */
static int readiness_uninstall(Manager *m, int r) {
        m->notify_source = sd_event_source_disable_unref(m->notify_source);
        (void) safe_close(m->notify_fd);
        m->notify_fd = -1;
        m->notify_path[0] = 0;
        return r;
}

int readiness_install_at(Manager *m, const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int one = 1, r;

        if (strlen(path) >= sizeof(sa.sun_path) || strlen(path) >= sizeof(m->notify_path))
                return -ENAMETOOLONG;
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        (void) unlink(path);
        m->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (m->notify_fd < 0)
                return readiness_uninstall(m, -errno);
        if (setsockopt(m->notify_fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
            bind(m->notify_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return readiness_uninstall(m, -errno);
        r = sd_event_add_io(m->event, &m->notify_source, m->notify_fd, EPOLLIN, on_message, m);
        if (r < 0) {
                (void) unlink(path);
                return readiness_uninstall(m, r);
        }
        snprintf(m->notify_path, sizeof(m->notify_path), "%s", path);
        return 0;
}

int readiness_install(Manager *m) {
        (void) mkdir_p("/run/berth", 0755);
        return readiness_install_at(m, NOTIFY_SOCKET_PATH);
}

const char *readiness_socket(const Manager *m) {
        return m->notify_fd >= 0 && m->notify_source && m->notify_path[0] ? m->notify_path : NULL;
}
