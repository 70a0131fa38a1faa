/* SPDX-License-Identifier: MIT */
#pragma once

/* Applying a validated host state to this host (docs/host-state.md): the
 * host name, sysctl, files under /etc and registries. Everything is checked
 * first (each /proc/sys file opens for writing, each file's folders lie
 * below /etc without a symlink); only then is anything changed. Files and
 * registries converge: what the last applied document wrote and this one
 * no longer names is removed (the record, state-record.h); what is already
 * as the document says is not touched. */

#include <stdbool.h>
#include <stddef.h>

#include "host-state.h"

/* prev: the state applied before (its sysctl values are not written again),
 * or NULL. 0, or a negative errno with why filled ("files /etc/x: ...").
 * *ret_changed says whether anything was changed before the failure:
 * false means the host is as it was. */
int state_apply(const HostState *prev, const HostState *s, char *why, size_t why_size, bool *ret_changed);
