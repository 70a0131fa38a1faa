/* SPDX-License-Identifier: MIT */
#pragma once

/* The host state's value rules, one function per kind of value
 * (docs/host-state.md states each rule). The string checks follow
 * SchemaCheck: true when good, else false and a message in msg. The parse
 * functions follow SchemaField.parse. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "toml/toml.h"

bool hs_check_hostname(const char *v, char *msg, size_t n);
bool hs_check_sysctl_name(const char *v, char *msg, size_t n);
bool hs_check_etc_path(const char *v, char *msg, size_t n);
bool hs_check_var_path(const char *v, char *msg, size_t n);
bool hs_check_target_path(const char *v, char *msg, size_t n);
bool hs_check_registry_host(const char *v, char *msg, size_t n);
bool hs_check_url(const char *v, char *msg, size_t n);
bool hs_check_sha256(const char *v, char *msg, size_t n);
bool hs_check_image(const char *v, char *msg, size_t n);
bool hs_check_container_name(const char *v, char *msg, size_t n);
bool hs_check_env_name(const char *v, char *msg, size_t n);
bool hs_check_pem(const char *v, char *msg, size_t n);

int hs_parse_version(void *slot, const TomlValue *v, const char *name, TomlError *e); /* int64_t */
int hs_parse_refresh(void *slot, const TomlValue *v, const char *name, TomlError *e); /* int64_t */
int hs_parse_mode(void *slot, const TomlValue *v, const char *name, TomlError *e); /* uint32_t */
int hs_parse_restart(void *slot, const TomlValue *v, const char *name, TomlError *e); /* HostStateRestart */
int hs_parse_cpu_max(void *slot, const TomlValue *v, const char *name, TomlError *e); /* char * */
int hs_parse_memory(void *slot, const TomlValue *v, const char *name, TomlError *e); /* uint64_t */
int hs_parse_pids(void *slot, const TomlValue *v, const char *name, TomlError *e); /* uint64_t */

/* Decodes RFC 4648 base64 (padding required, no line breaks... but '\n'
 * between groups is skipped, as PEM-style wrapped text has them). Returns 0
 * and a malloc()ed NUL-terminated buffer, -EINVAL, or -ENOMEM. */
int hs_base64_decode(const char *s, char **ret, size_t *ret_size);
