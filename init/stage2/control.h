/* SPDX-License-Identifier: MIT */
#pragma once

/* The control socket, CONTROL_SOCKET_PATH (docs/control.md): a stream
 * socket for root only (SO_PEERCRED), JSON lines in and out. Non-blocking
 * throughout: a slow or silent client holds one of a few connection slots
 * and its own buffers, never PID 1. */

#include <json-c/json.h>

#include "control-request.h"

typedef struct Manager Manager;

int control_install(Manager *m);

/* control-status.c: the answer to {"method":"status"}. */
json_object *control_status(Manager *m);
