/* SPDX-License-Identifier: MIT */
#pragma once

/* The pure parts of applying a host state (state-apply.c does the I/O):
 * where a sysctl lives in /proc/sys, and the record of what a document
 * wrote, so that converging to the next document removes what it no
 * longer names. The record is a list of entries, one a line:
 *
 *   file /etc/motd
 *   registry registry.example:5000
 *
 * kept in STATE_RECORD_PATH (under /run: a boot starts from the image's
 * /etc, where nothing of an earlier boot's documents is left). */

#include <stddef.h>

#include "host-state.h"

#define STATE_RECORD_PATH "/run/berth/state-written"
#define STATE_RECORD_MAX (HOST_STATE_MAX_FILES + HOST_STATE_MAX_REGISTRIES)

/* "net.ipv4.conf.eth0/100.rp_filter" -> "/proc/sys/net/ipv4/conf/eth0.100/rp_filter":
 * '.' separates, '/' stands for '.', as sysctl(8) has it. 0, or -EINVAL for
 * an empty name, an empty part or a part of "." or "..", -ENAMETOOLONG. */
int sysctl_name_to_path(const char *name, char *buf, size_t size);

/* The entries a document writes, in document order. */
int state_record_of(const HostState *s, char ***ret);
/* Parses a record's text; lines that are not an entry are skipped (the
 * record is PID 1's own file; a torn one must not stop a converge). */
int state_record_parse(const char *text, char ***ret);
/* The text of a record: each entry and "\n". */
char *state_record_format(char **entries);
/* Appends to *l each entry of add that *l lacks. */
int state_record_merge(char ***l, char **add);
/* The entries of old that new lacks: what converging to new removes. */
int state_record_stale(char **old, char **new_, char ***ret);
/* An entry's kind and its argument: "file" and "/etc/motd". */
const char *state_record_arg(const char *entry, const char *kind);
