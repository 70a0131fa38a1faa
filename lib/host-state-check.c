/* SPDX-License-Identifier: MIT */
#include "host-state-check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-state.h"
#include "schema.h"

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS "0123456789"

static bool all_of(const char *s, size_t len, const char *set) {
        for (size_t i = 0; i < len; i++)
                if (!s[i] || !strchr(set, s[i]))
                        return false;
        return true;
}

static const char *prefix_rest(const char *s, const char *prefix) {
        size_t n = strlen(prefix);
        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* Below dir (or dir itself) as a path: "/var" holds "/var" and "/var/x", not "/varx". */
static bool path_under(const char *path, const char *dir) {
        const char *rest = prefix_rest(path, dir);
        return rest && (rest[0] == 0 || rest[0] == '/');
}

/* An RFC 1123 host name label: 1-63 letters, digits, '-', not at either end. */
static bool is_label(const char *s, size_t len) {
        return len >= 1 && len <= 63 && all_of(s, len, LOWER UPPER DIGITS "-") && s[0] != '-' &&
               s[len - 1] != '-';
}

/* Labels separated by single dots. */
static bool is_dns_name(const char *s, size_t len) {
        if (len == 0)
                return false;
        for (size_t start = 0; start <= len;) {
                const char *dot = memchr(s + start, '.', len - start);
                size_t end = dot ? (size_t) (dot - s) : len;
                if (!is_label(s + start, end - start))
                        return false;
                start = end + 1;
        }
        return true;
}

bool hs_check_hostname(const char *v, char *msg, size_t n) {
        size_t len = strlen(v);
        if (len <= 64 && is_dns_name(v, len))
                return true;
        snprintf(msg, n,
                 "hostname '%s' must be at most 64 characters: labels of letters, digits and '-' "
                 "(not first or last), separated by '.'",
                 v);
        return false;
}

/* Sysctls that run a program as root or replace the host's name, refused
 * although their prefix is allowed: the document may tune the kernel, not
 * hand out a root shell (kernel.core_pattern = "|/bin/sh ..." runs on every
 * crash). */
static const char *const sysctl_refused[] = {
        "kernel.modprobe",       "kernel.core_pattern", "kernel.hotplug",    "kernel.poweroff_cmd",
        "kernel.usermodehelper", "kernel.hostname",     "kernel.domainname",
};
static const char *const sysctl_prefixes[] = { "net.", "vm.", "kernel.", "fs." };

bool hs_check_sysctl_name(const char *v, char *msg, size_t n) {
        bool allowed = false;

        for (size_t i = 0; i < ARRAY_SIZE(sysctl_prefixes); i++)
                allowed = allowed || prefix_rest(v, sysctl_prefixes[i]);
        if (!allowed) {
                snprintf(msg, n, "sysctl '%s' is not allowed (allowed: net.*, vm.*, kernel.*, fs.*)", v);
                return false;
        }
        for (size_t i = 0; i < ARRAY_SIZE(sysctl_refused); i++)
                if (prefix_rest(v, sysctl_refused[i]) && strchr(".", v[strlen(sysctl_refused[i])])) {
                        snprintf(msg, n, "sysctl '%s' is refused: %s", v,
                                 streq(sysctl_refused[i], "kernel.hostname")
                                         ? "set 'hostname' instead"
                                         : "it makes the kernel run a program");
                        return false;
                }
        /* Each part starts with a letter, digit or '_': a part of '/' alone
         * would become "." or ".." in /proc/sys ('/' stands for '.' there). */
        for (const char *p = v; *p;) {
                size_t len = strcspn(p, ".");
                if (len == 0 || len > 255 || !all_of(p, len, LOWER DIGITS "_-/") || strchr("-/", p[0])) {
                        snprintf(msg, n,
                                 "sysctl '%s' must be parts of a-z, 0-9, '_', '-', '/' separated by single "
                                 "dots, each starting with a letter, digit or '_'",
                                 v);
                        return false;
                }
                p += len;
                if (*p == '.' && *++p == 0) {
                        snprintf(msg, n, "sysctl '%s' must not end with '.'", v);
                        return false;
                }
        }
        return true;
}

/* Absolute, no empty, "." or ".." part, no trailing '/', parts of at most 255 bytes. */
static bool is_normal_path(const char *v) {
        if (v[0] != '/' || v[1] == 0)
                return false;
        for (const char *p = v + 1;;) {
                size_t len = strcspn(p, "/");
                if (len == 0 || len > 255 || (len == 1 && p[0] == '.') ||
                    (len == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p += len;
                if (*p == 0)
                        return true;
                p++;
        }
}

/* Files berth writes itself, from other keys or from DHCP: one writer each. */
static const char *const etc_refused[] = { "/etc/hostname", "/etc/resolv.conf", "/etc/containerd/certs.d" };

bool hs_check_etc_path(const char *v, char *msg, size_t n) {
        if (!is_normal_path(v) || !prefix_rest(v, "/etc/")) {
                snprintf(msg, n,
                         "file path '%s' must be below /etc, absolute and normalized (no '..', '.', '//' "
                         "or trailing '/')",
                         v);
                return false;
        }
        for (size_t i = 0; i < ARRAY_SIZE(etc_refused); i++)
                if (path_under(v, etc_refused[i])) {
                        snprintf(msg, n, "file path '%s' is refused: berth writes %s itself", v,
                                 etc_refused[i]);
                        return false;
                }
        return true;
}

/* The host's own state, containerd's store, and /var/run and /var/lock (links
 * into /run, where containerd's socket is): a container given one of them
 * would own the host. */
static const char *const var_refused[] = {
        "/var/lib/berth",
        "/var/lib/containerd",
        "/var/run",
        "/var/lock",
        /* containers' logs, which berth-ctr writes as root: a container that
         * could make it a symlink would have them written anywhere */
        "/var/log/berth",
};

bool hs_check_var_path(const char *v, char *msg, size_t n) {
        if (!is_normal_path(v) || !prefix_rest(v, "/var/")) {
                snprintf(msg, n,
                         "mount source '%s' must be below /var, absolute and normalized (no '..', '.', "
                         "'//' or trailing '/')",
                         v);
                return false;
        }
        for (size_t i = 0; i < ARRAY_SIZE(var_refused); i++) {
                if (path_under(v, var_refused[i])) {
                        snprintf(msg, n, "mount source '%s' is refused: %s belongs to the host", v,
                                 var_refused[i]);
                        return false;
                }
                /* A folder above one of them (/var/lib) brings it along. */
                if (path_under(var_refused[i], v)) {
                        snprintf(msg, n,
                                 "mount source '%s' is refused: it holds %s, which belongs to the host", v,
                                 var_refused[i]);
                        return false;
                }
        }
        return true;
}

bool hs_check_target_path(const char *v, char *msg, size_t n) {
        if (is_normal_path(v))
                return true;
        snprintf(msg, n, "mount target '%s' must be absolute and normalized, not '/'", v);
        return false;
}

/* A DNS name, an IPv4 address (a DNS name by these rules) or a [IPv6]
 * address, lower case, optionally :PORT (1-65535). */
static bool is_host_port(const char *v, size_t len, bool lower) {
        const char *colon;
        size_t host_len;

        if (len > 0 && v[0] == '[') {
                const char *close = memchr(v, ']', len);
                if (!close || close == v + 1 || !all_of(v + 1, close - v - 1, "0123456789abcdef:."))
                        return false;
                host_len = close - v + 1;
        } else {
                colon = memchr(v, ':', len);
                host_len = colon ? (size_t) (colon - v) : len;
                if (!is_dns_name(v, host_len) || (lower && !all_of(v, host_len, LOWER DIGITS ".-")))
                        return false;
        }
        if (host_len == len)
                return true;
        if (v[host_len] != ':' || len - host_len - 1 < 1 || len - host_len - 1 > 5 ||
            !all_of(v + host_len + 1, len - host_len - 1, DIGITS))
                return false;
        unsigned long port = strtoul(v + host_len + 1, NULL, 10);
        return port >= 1 && port <= 65535;
}

bool hs_check_registry_host(const char *v, char *msg, size_t n) {
        if (strlen(v) <= 255 && is_host_port(v, strlen(v), true))
                return true;
        snprintf(msg, n,
                 "registry host '%s' must be a lower-case host name or [IPv6] address, with an optional "
                 ":PORT",
                 v);
        return false;
}

/* RFC 3986's characters only: the URL goes into configuration files
 * (containerd's hosts.toml) and must not bring a quote or a space. */
bool hs_check_url(const char *v, char *msg, size_t n) {
        const char *rest = prefix_rest(v, "https://") ?: prefix_rest(v, "http://");
        size_t host_len = rest ? strcspn(rest, "/?#") : 0;
        const char *at = rest ? memchr(rest, '@', host_len) : NULL;

        if (rest && !at && is_host_port(rest, host_len, false) &&
            all_of(v, strlen(v), LOWER UPPER DIGITS "-._~:/?#[]@!$&'()*+,;=%"))
                return true;
        snprintf(msg, n,
                 "'%s' must be an http:// or https:// URL with a host (no user@, no spaces or quotes)", v);
        return false;
}

bool hs_check_sha256(const char *v, char *msg, size_t n) {
        if (strlen(v) == 64 && all_of(v, 64, DIGITS "abcdef"))
                return true;
        snprintf(msg, n, "sha256 '%s' must be 64 lower-case hex digits", v);
        return false;
}

/* A path component of an image name (distribution's reference grammar):
 * [a-z0-9]+ joined by '.', '_', '__' or any number of '-'. */
static bool is_path_component(const char *s, size_t len) {
        size_t i = 0;

        if (len == 0 || !strchr(LOWER DIGITS, s[0]))
                return false;
        while (i < len) {
                size_t run = 0;
                while (i < len && strchr(LOWER DIGITS, s[i]) && s[i])
                        i++;
                if (i == len)
                        return true;
                /* A separator, then more alphanumerics. */
                while (i + run < len && strchr("._-", s[i + run]) && s[i + run])
                        run++;
                if (run == 0)
                        return false;
                if (!(all_of(s + i, run, "-") || (run == 1) || (run == 2 && s[i] == '_' && s[i + 1] == '_')))
                        return false;
                i += run;
                if (i == len || !strchr(LOWER DIGITS, s[i]))
                        return false;
        }
        return true;
}

/* [DOMAIN/]PATH[:TAG][@sha256:HEX], with a tag or a digest or both: DOMAIN
 * is the first part when it has a '.' or a ':' or is "localhost". */
bool hs_check_image(const char *v, char *msg, size_t n) {
        const char *at = strchr(v, '@'), *end = at ? at : v + strlen(v);
        const char *last_slash, *colon, *p = v;
        bool has_tag = false;

        if (strlen(v) > 512)
                goto bad;
        if (at && (!prefix_rest(at + 1, "sha256:") || !hs_check_sha256(at + 8, msg, n)))
                goto bad;
        last_slash = memrchr(v, '/', end - v);
        colon = memchr(last_slash ? last_slash : v, ':', end - (last_slash ? last_slash : v));
        if (colon) {
                size_t tag_len = end - colon - 1;
                if (tag_len == 0 || tag_len > 128 || !all_of(colon + 1, tag_len, LOWER UPPER DIGITS "_.-") ||
                    strchr(".-", colon[1]))
                        goto bad;
                has_tag = true;
                end = colon;
        }
        if (!has_tag && !at) {
                snprintf(msg, n, "image '%s' must name a tag (:1.36) or a digest (@sha256:...)", v);
                return false;
        }
        /* The domain, when the first part is one. */
        {
                const char *slash = memchr(v, '/', end - v);
                if (slash && (memchr(v, '.', slash - v) || memchr(v, ':', slash - v) ||
                              (slash - v == 9 && strncmp(v, "localhost", 9) == 0))) {
                        if (!is_host_port(v, slash - v, false))
                                goto bad;
                        p = slash + 1;
                }
        }
        if (end - p > 255)
                goto bad;
        for (;;) {
                const char *slash = memchr(p, '/', end - p);
                size_t len = slash ? (size_t) (slash - p) : (size_t) (end - p);
                if (!is_path_component(p, len))
                        goto bad;
                if (!slash)
                        return true;
                p = slash + 1;
        }
bad:
        snprintf(msg, n,
                 "image '%s' is not a reference [DOMAIN/]PATH[:TAG][@sha256:DIGEST] (PATH of lower-case "
                 "parts)",
                 v);
        return false;
}

bool hs_check_container_name(const char *v, char *msg, size_t n) {
        size_t len = strlen(v);
        if (len >= 1 && len <= 63 && strchr(LOWER DIGITS, v[0]) && all_of(v, len, LOWER DIGITS "_.-"))
                return true;
        snprintf(msg, n,
                 "container name '%s' must be 1-63 characters of a-z, 0-9, '_', '.', '-', starting with a "
                 "letter or digit",
                 v);
        return false;
}

bool hs_check_env_name(const char *v, char *msg, size_t n) {
        size_t len = strlen(v);
        if (len >= 1 && len <= 255 && !strchr(DIGITS, v[0]) && all_of(v, len, LOWER UPPER DIGITS "_.-"))
                return true;
        snprintf(msg, n,
                 "environment name '%s' must be 1-255 characters of letters, digits, '_', '.', '-', not "
                 "starting with a digit",
                 v);
        return false;
}

bool hs_check_pem(const char *v, char *msg, size_t n) {
        if (strstr(v, "-----BEGIN CERTIFICATE-----") && strstr(v, "-----END CERTIFICATE-----"))
                return true;
        snprintf(msg, n, "'ca' must hold PEM certificates (-----BEGIN CERTIFICATE-----)");
        return false;
}

int hs_parse_version(void *slot, const TomlValue *v, const char *name, TomlError *e) {
        if (toml_type(v) != TOML_INTEGER || toml_integer(v) != HOST_STATE_VERSION)
                return schema_fail(e, toml_value_pos(v),
                                   "'%s' must be %d (the only version this berth reads)", name,
                                   HOST_STATE_VERSION);
        *(int64_t *) slot = HOST_STATE_VERSION;
        return 0;
}

/* Seconds as an integer, or a string: a number and one unit, s, m, h or d. */
int hs_parse_refresh(void *slot, const TomlValue *v, const char *name, TomlError *e) {
        int64_t seconds;

        if (toml_type(v) == TOML_INTEGER)
                seconds = toml_integer(v);
        else if (toml_type(v) == TOML_STRING) {
                const char *s = toml_string(v, NULL);
                static const struct {
                        char unit;
                        int64_t seconds;
                } units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
                size_t len = strspn(s, DIGITS);

                seconds = -1;
                if (len >= 1 && len <= 7 && s[len] && s[len + 1] == 0)
                        for (size_t i = 0; i < ARRAY_SIZE(units); i++)
                                if (s[len] == units[i].unit)
                                        seconds = strtoll(s, NULL, 10) * units[i].seconds;
                if (seconds < 0)
                        return schema_fail(
                                e, toml_value_pos(v),
                                "'%s' must be seconds or a string like \"30s\", \"5m\", \"1h\", \"1d\"",
                                name);
        } else
                return schema_fail_type(e, v, name, "an integer (seconds) or a string (\"5m\")");
        if (seconds < HOST_STATE_REFRESH_MIN || seconds > HOST_STATE_REFRESH_MAX)
                return schema_fail(e, toml_value_pos(v), "'%s' must be between 10 seconds and 7 days", name);
        *(int64_t *) slot = seconds;
        return 0;
}

/* An integer (write 0o644) or a string of octal digits ("0644"); permission
 * bits only. */
int hs_parse_mode(void *slot, const TomlValue *v, const char *name, TomlError *e) {
        int64_t mode;

        if (toml_type(v) == TOML_INTEGER) {
                /* 644 (decimal) is 0o1204: most likely an octal mode written without 0o. */
                mode = toml_integer(v);
                if (mode < 0 || mode > 0777)
                        return schema_fail(e, toml_value_pos(v),
                                           "'%s' %" PRId64
                                           " must be at most 0o777: write 0o644 or \"0644\" (octal)",
                                           name, mode);
        } else if (toml_type(v) == TOML_STRING) {
                const char *s = toml_string(v, NULL);
                size_t len = strlen(s);
                if (len < 3 || len > 4 || !all_of(s, len, "01234567"))
                        return schema_fail(e, toml_value_pos(v),
                                           "'%s' \"%s\" is not an octal mode like \"0644\"", name, s);
                mode = strtol(s, NULL, 8);
        } else
                return schema_fail_type(e, v, name, "a string (\"0644\") or an integer (0o644)");
        if (mode & 07000)
                return schema_fail(e, toml_value_pos(v),
                                   "'%s' %04" PRIo64
                                   " must not set setuid, setgid or sticky bits (at most 0777)",
                                   name, (uint64_t) mode);
        *(uint32_t *) slot = (uint32_t) mode;
        return 0;
}

int hs_parse_restart(void *slot, const TomlValue *v, const char *name, TomlError *e) {
        const char *s;

        if (toml_type(v) != TOML_STRING)
                return schema_fail_type(e, v, name, "a string");
        s = toml_string(v, NULL);
        for (HostStateRestart r = 0; r <= HOST_STATE_RESTART_NEVER; r++)
                if (streq(s, host_state_restart_to_string(r))) {
                        *(HostStateRestart *) slot = r;
                        return 0;
                }
        return schema_fail(e, toml_value_pos(v), "'%s' must be \"always\", \"on-failure\" or \"never\"",
                           name);
}

/* A decimal number in [min, max], the whole of s[0..len). */
static bool parse_u64(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *ret) {
        uint64_t n = 0;

        if (len == 0 || len > 15 || !all_of(s, len, DIGITS))
                return false;
        for (size_t i = 0; i < len; i++)
                n = n * 10 + (uint64_t) (s[i] - '0');
        if (n < min || n > max)
                return false;
        *ret = n;
        return true;
}

#define CPU_PERIOD_DEFAULT 100000
#define CPU_PERIOD_MIN 1000
#define CPU_PERIOD_MAX 1000000
#define CPU_QUOTA_MIN 1000
#define CPU_QUOTA_MAX (UINT64_C(1) << 40)

/* cgroup v2's cpu.max: "QUOTA PERIOD", "max PERIOD", "QUOTA" or "max" (the
 * period defaults to 100000 µs); stored with the period written out. */
int hs_parse_cpu_max(void *slot, const TomlValue *v, const char *name, TomlError *e) {
        uint64_t quota = 0, period = CPU_PERIOD_DEFAULT;
        const char *s, *space;
        size_t qlen;
        bool max;
        char **out = slot;

        if (toml_type(v) != TOML_STRING)
                return schema_fail_type(e, v, name, "a string (\"50000 100000\")");
        s = toml_string(v, NULL);
        space = strchr(s, ' ');
        qlen = space ? (size_t) (space - s) : strlen(s);
        max = qlen == 3 && strncmp(s, "max", 3) == 0;
        if ((!max && !parse_u64(s, qlen, CPU_QUOTA_MIN, CPU_QUOTA_MAX, &quota)) ||
            (space && !parse_u64(space + 1, strlen(space + 1), CPU_PERIOD_MIN, CPU_PERIOD_MAX, &period)))
                return schema_fail(e, toml_value_pos(v),
                                   "'%s' must be cgroup v2's cpu.max: \"QUOTA PERIOD\" or \"max PERIOD\" in "
                                   "µs (quota at least 1000, period 1000-1000000), e.g. \"50000 100000\"",
                                   name);
        free(*out);
        if (max)
                return asprintf(out, "max %" PRIu64, period) < 0 ? (*out = NULL, -ENOMEM) : 0;
        return asprintf(out, "%" PRIu64 " %" PRIu64, quota, period) < 0 ? (*out = NULL, -ENOMEM) : 0;
}

#define MEMORY_MIN (UINT64_C(1) << 20)
#define MEMORY_MAX (UINT64_C(1) << 50)

/* Bytes as an integer, or a string: a number with K, M, G or T (powers of
 * 1024), or "max" for no limit (stored as 0). At least 1 MiB. */
int hs_parse_memory(void *slot, const TomlValue *v, const char *name, TomlError *e) {
        uint64_t bytes;

        if (toml_type(v) == TOML_INTEGER) {
                if (toml_integer(v) < (int64_t) MEMORY_MIN || toml_integer(v) > (int64_t) MEMORY_MAX)
                        goto range;
                bytes = (uint64_t) toml_integer(v);
        } else if (toml_type(v) == TOML_STRING) {
                const char *s = toml_string(v, NULL), *unit;
                size_t len = strlen(s), digits = strspn(s, DIGITS);
                unsigned shift = 0;

                if (streq(s, "max")) {
                        *(uint64_t *) slot = 0;
                        return 0;
                }
                if (digits + 1 == len && (unit = strchr("KMGT", s[digits])) && *unit)
                        shift = 10 * (unsigned) (unit - "KMGT" + 1);
                else if (digits != len)
                        return schema_fail(
                                e, toml_value_pos(v),
                                "'%s' \"%s\" must be bytes, a number with K, M, G or T, or \"max\"", name,
                                s);
                if (!parse_u64(s, digits, 1, MEMORY_MAX >> shift, &bytes))
                        goto range;
                bytes <<= shift;
                if (bytes < MEMORY_MIN)
                        goto range;
        } else
                return schema_fail_type(e, v, name, "an integer (bytes) or a string (\"256M\")");
        *(uint64_t *) slot = bytes;
        return 0;
range:
        return schema_fail(e, toml_value_pos(v), "'%s' must be between 1M and 1024T", name);
}

#define PIDS_MAX_LIMIT 4194304 /* the kernel's PID_MAX_LIMIT on 64-bit */

int hs_parse_pids(void *slot, const TomlValue *v, const char *name, TomlError *e) {
        if (toml_type(v) == TOML_STRING && streq(toml_string(v, NULL), "max")) {
                *(uint64_t *) slot = 0;
                return 0;
        }
        if (toml_type(v) != TOML_INTEGER)
                return schema_fail_type(e, v, name, "an integer or \"max\"");
        if (toml_integer(v) < 1 || toml_integer(v) > PIDS_MAX_LIMIT)
                return schema_fail(e, toml_value_pos(v), "'%s' must be between 1 and %d", name,
                                   PIDS_MAX_LIMIT);
        *(uint64_t *) slot = (uint64_t) toml_integer(v);
        return 0;
}

static int b64_value(char c) {
        const char *alphabet = UPPER LOWER DIGITS "+/";
        const char *p = c ? strchr(alphabet, c) : NULL;
        return p ? (int) (p - alphabet) : -1;
}

int hs_base64_decode(const char *s, char **ret, size_t *ret_size) {
        _cleanup_free_ char *out = malloc(strlen(s) / 4 * 3 + 4);
        size_t n = 0, group = 0, pad = 0;
        unsigned acc = 0;

        if (!out)
                return -ENOMEM;
        for (; *s; s++) {
                int d;
                if (strchr(" \t\r\n", *s))
                        continue;
                if (*s == '=') {
                        /* Padding completes the last group, and nothing follows. */
                        if (group < 2 || ++pad > 2)
                                return -EINVAL;
                        acc <<= 6;
                        if (++group == 4) {
                                if (pad == 1) {
                                        out[n++] = (char) (acc >> 16);
                                        out[n++] = (char) (acc >> 8);
                                } else
                                        out[n++] = (char) (acc >> 16);
                                group = 0;
                        }
                        continue;
                }
                d = b64_value(*s);
                if (d < 0 || pad)
                        return -EINVAL;
                acc = (acc << 6) | (unsigned) d;
                if (++group == 4) {
                        out[n++] = (char) (acc >> 16);
                        out[n++] = (char) (acc >> 8);
                        out[n++] = (char) acc;
                        group = 0;
                        acc = 0;
                }
        }
        if (group != 0)
                return -EINVAL;
        out[n] = 0;
        *ret = TAKE_PTR(out);
        *ret_size = n;
        return 0;
}
