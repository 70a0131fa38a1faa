/* SPDX-License-Identifier: MIT */
#pragma once

/* The containers a host state names (replaced by the containers branch). */

#include "host-state.h"
#include "manager.h"

/* Converges the running containers to state's: called after every state
 * that applied (a fetched one, or the last good one). */
int containers_apply(Manager *m, const HostState *state);
