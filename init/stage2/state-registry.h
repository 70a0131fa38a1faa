/* SPDX-License-Identifier: MIT */
#pragma once

/* What a document's [[registries]] become (pure; state-apply.c writes them):
 * containerd's hosts.toml for each registry, in
 * /etc/containerd/certs.d/<host>/ (the config_path that
 * overlays/containerd/etc/containerd/config.toml names), its CA beside it,
 * and the credentials for the container runner in BERTH_REGISTRY_AUTH_PATH. */

#include "host-state.h"

#define REGISTRY_CERTS_D "containerd/certs.d" /* below /etc */
#define REGISTRY_CA_NAME "ca.crt"

/* containerd 1.6's hosts.toml for r; ca_path: where its CA is, or NULL. */
int registry_hosts_toml(const HostStateRegistry *r, const char *ca_path, char **ret);
/* {"registries": {"HOST": {"username": ..., "password": ...} or {"token": ...}}}
 * for the registries with credentials; NULL in *ret when none has any. */
int registry_auth_json(const HostState *s, char **ret);
