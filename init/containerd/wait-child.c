/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctrd.h"

pid_t ctrd_wait_in_child(const char *address, const char *namespace, const char *name, const char *who,
                         int *ret_fd) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(p[0]);
                close(p[1]);
                return r;
        }
        if (pid == 0) {
                close(p[0]);
                GrpcConn *c = NULL;
                uint32_t status = 0;
                int r = grpc_connect(address, namespace, &c);
                if (r >= 0)
                        r = ctrd_wait(c, name, UINT64_MAX / 2, &status);
                if (r < 0)
                        fprintf(stderr, "%s: wait: %s\n", who, c ? grpc_error(c) : strerror(-r));
                grpc_close(c);
                if (r >= 0 && write(p[1], &status, sizeof(status)) != sizeof(status))
                        _exit(1);
                _exit(r < 0);
        }
        close(p[1]);
        *ret_fd = p[0];
        return pid;
}
