/* SPDX-License-Identifier: MIT */
#pragma once

/* /etc/resolv.conf's text from a DHCP lease (dhcpcd's environment:
 * new_domain_name_servers, new_domain_search, new_domain_name). The lease
 * comes from the network: only well-formed values are written. */

#include <stddef.h>

/* resolv.conf(5)'s MAXNS, and glibc's former search list limits. */
#define RESOLV_CONF_NAMESERVERS_MAX 3
#define RESOLV_CONF_SEARCH_MAX 6
#define RESOLV_CONF_SEARCH_CHARS_MAX 256

/* Writes the text (NUL-terminated) into buf; its length into *ret_len.
 * -ENODATA when the lease has no valid name server (nothing to write). */
int resolv_conf_format(const char *servers, const char *search, const char *domain, char *buf, size_t size,
                       size_t *ret_len);
