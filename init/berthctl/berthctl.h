/* SPDX-License-Identifier: MIT */
#pragma once

/* berthctl: the control socket's command-line client (docs/control.md).
 * berth-init run under the name berthctl (a symlink in /usr/bin). */
int berthctl_main(int argc, char *argv[]);

/* cmd-status.c */
int berthctl_status(int argc, char *argv[]);

/* cmd-check.c */
int berthctl_check(int argc, char *argv[]);

/* cmd-reload.c */
int berthctl_reload(int argc, char *argv[]);
