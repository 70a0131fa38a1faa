/* SPDX-License-Identifier: MIT */
#pragma once

/* berthctl: the control socket's command-line client (docs/control.md).
 * berth-init run under the name berthctl (a symlink in /usr/bin). */
int berthctl_main(int argc, char *argv[]);

#include <json-c/json.h>

/* call.c: one request {"method": METHOD} to PID 1. 0 and the reply (the
 * caller's to put), or 1, the exit status, with the reason on stderr. */
int berthctl_call(const char *method, json_object **ret_reply);

/* cmd-status.c */
int berthctl_status(int argc, char *argv[]);

/* cmd-check.c */
int berthctl_check(int argc, char *argv[]);

/* cmd-reload.c */
int berthctl_reload(int argc, char *argv[]);
