/* SPDX-License-Identifier: MIT */

/* resolv.conf's text from a lease (resolv-conf.h). The values come from a
 * DHCP server: a search list may be long (option 119's compression) or
 * carry a newline, a name server anything at all. Each line is checked,
 * and one that does not fit is left out whole. */

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "resolv-conf.h"

/* Appends one line; a line that does not fit leaves the text as it was. */
__attribute__((format(printf, 4, 5))) static int append_line(char *text, size_t size, size_t *n,
                                                             const char *fmt, ...) {
        va_list ap;
        int w;

        va_start(ap, fmt);
        w = vsnprintf(text + *n, size - *n, fmt, ap);
        va_end(ap);
        if (w < 0 || (size_t) w >= size - *n) {
                text[*n] = 0;
                return -ENOBUFS;
        }
        *n += (size_t) w;
        return 0;
}

static bool domain_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
               c == '-' || c == '_';
}

/* Domains of [A-Za-z0-9._-] separated by single spaces, or nothing. */
static bool search_valid(const char *s) {
        if (!s || !s[0] || s[0] == ' ')
                return false;
        for (const char *p = s; *p; p++)
                if (!(domain_char(*p) || (*p == ' ' && p[1] && p[1] != ' ')))
                        return false;
        return true;
}

/* The first domains of the list within glibc's limits, whole ones only. */
static size_t search_keep(const char *s) {
        size_t kept = 0, domains = 0;

        for (const char *p = s; *p && domains < RESOLV_CONF_SEARCH_MAX;) {
                size_t len = strcspn(p, " ");
                size_t end = (size_t) (p - s) + len;
                if (end > RESOLV_CONF_SEARCH_CHARS_MAX)
                        break;
                kept = end;
                domains++;
                p += len;
                if (*p == ' ')
                        p++;
        }
        return kept;
}

static bool address_valid(const char *a) {
        unsigned char addr[sizeof(struct in6_addr)];
        return inet_pton(AF_INET, a, addr) == 1 || inet_pton(AF_INET6, a, addr) == 1;
}

int resolv_conf_format(const char *servers, const char *search, const char *domain, char *text, size_t size,
                       size_t *ret_len) {
        const char *list = search_valid(search) ? search : search_valid(domain) ? domain : NULL;
        size_t n = 0, kept;
        unsigned written = 0, valid = 0;

        *ret_len = 0;
        if (size == 0)
                return -ENOBUFS;
        text[0] = 0;
        if (!servers || !servers[0])
                return -ENODATA;
        if (append_line(text, size, &n, "# written by berth-init from the DHCP lease\n") < 0)
                return -ENOBUFS;
        kept = list ? search_keep(list) : 0;
        if (kept > 0)
                (void) append_line(text, size, &n, "search %.*s\n", (int) kept, list);
        for (const char *p = servers; *p && written < RESOLV_CONF_NAMESERVERS_MAX;) {
                size_t len = strcspn(p, " ");
                char a[INET6_ADDRSTRLEN];
                if (len > 0 && len < sizeof(a)) {
                        memcpy(a, p, len);
                        a[len] = 0;
                        if (address_valid(a)) {
                                valid++;
                                if (append_line(text, size, &n, "nameserver %s\n", a) == 0)
                                        written++;
                        }
                }
                p += len;
                p += strspn(p, " ");
        }
        if (written == 0) {
                text[0] = 0;
                return valid > 0 ? -ENOBUFS : -ENODATA;
        }
        *ret_len = n;
        return 0;
}
