/* SPDX-License-Identifier: MIT */
#pragma once

/* Requests on the control socket (docs/control.md): one JSON object per
 * line, {"method": "...", ...}. Parsing and validation are pure (no I/O),
 * shared by PID 1 and its clients (init/tests/test-control-request.c). */

#include <stddef.h>

#define CONTROL_SOCKET_PATH "/run/berth/control"
/* The longest request line, newline included; longer ones are refused. */
#define CONTROL_LINE_MAX 4096

typedef enum ControlMethod {
        CONTROL_STATUS,
        CONTROL_NETWORK_UP,
        CONTROL_RELOAD,
        _CONTROL_METHOD_MAX,
} ControlMethod;

typedef struct ControlRequest {
        ControlMethod method;
        char interface[16]; /* network-up: IFNAMSIZ, e.g. "eth0" */
        char address[64]; /* network-up: e.g. "10.0.2.15" */
} ControlRequest;

/* Parses one request line (without its newline). 0 and the request, or a
 * negative errno and why in reterr ("unknown method 'x'"). */
int control_request_parse(const char *line, size_t n, ControlRequest *ret, char *reterr, size_t errlen);
const char *control_method_to_string(ControlMethod m);
