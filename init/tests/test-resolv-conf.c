/* SPDX-License-Identifier: MIT */

/* resolv.conf's text from a DHCP lease (resolv-conf.c): what a hostile or
 * broken DHCP server sends never overruns the buffer, never adds a line of
 * its own, and never leaves a line cut in the middle. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "../../lib/tests/tap.h"
#include "resolv-conf.h"

#define HEADER "# written by berth-init from the DHCP lease\n"

static char text[2048];
static size_t len;

static int format(const char *dns, const char *search, const char *domain) {
        memset(text, 'X', sizeof(text));
        len = 0;
        return resolv_conf_format(dns, search, domain, text, sizeof(text), &len);
}

/* Every line whole: the text ends with a newline and its length is right. */
static bool well_formed(const char *t, size_t n, size_t size) {
        return n < size && strlen(t) == n && (n == 0 || t[n - 1] == '\n');
}

static unsigned count(const char *t, const char *what) {
        unsigned c = 0;
        for (const char *p = t; (p = strstr(p, what)); p++)
                c++;
        return c;
}

static char *repeat(const char *word, size_t times) {
        size_t w = strlen(word);
        char *s = malloc(w * times + 1);
        for (size_t i = 0; s && i < times; i++)
                memcpy(s + i * w, word, w);
        if (s)
                s[w * times] = 0;
        return s;
}

int main(void) {
        ok(format(NULL, "example.com", NULL) == -ENODATA, "no name server: nothing to write");
        ok(format("", NULL, NULL) == -ENODATA, "an empty name server list: nothing to write");

        ok(format("10.0.2.3", "example.com", NULL) == 0 &&
                   streq(text, HEADER "search example.com\nnameserver 10.0.2.3\n") && len == strlen(text),
           "an ordinary lease");
        ok(format("10.0.2.3 fd00::3", NULL, "lan") == 0 &&
                   streq(text, HEADER "search lan\nnameserver 10.0.2.3\nnameserver fd00::3\n"),
           "the domain name stands in for a missing search list; IPv6 servers are kept");
        ok(format("10.0.2.3", "a.example b.example", "lan") == 0 &&
                   streq(text, HEADER "search a.example b.example\nnameserver 10.0.2.3\n"),
           "the search list wins over the domain name");

        _cleanup_free_ char *long_search = repeat("a", 3000);
        ok(format("10.0.2.3", long_search, NULL) == 0 && well_formed(text, len, sizeof(text)),
           "a 3000-byte search list stays within the buffer (len %zu)", len);
        ok(!strstr(text, "search") && strstr(text, "nameserver 10.0.2.3\n"),
           "a search domain longer than the limit is dropped, the name server kept");

        _cleanup_free_ char *many = repeat("abcdefghijklmnopqrstuvwxyz.example ", 100);
        many[strlen(many) - 1] = 0;
        ok(format("10.0.2.3", many, NULL) == 0 && well_formed(text, len, sizeof(text)),
           "a long list of search domains stays within the buffer");
        ok(count(text, ".example") == RESOLV_CONF_SEARCH_MAX, "at most %d search domains (%u)",
           RESOLV_CONF_SEARCH_MAX, count(text, ".example"));
        _cleanup_free_ char *wide =
                repeat("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm.example ", 6);
        wide[strlen(wide) - 1] = 0;
        ok(format("10.0.2.3", wide, NULL) == 0 && strstr(text, "search ") &&
                   strcspn(strstr(text, "search ") + 7, "\n") <= RESOLV_CONF_SEARCH_CHARS_MAX,
           "the search list keeps to %d characters, whole domains only", RESOLV_CONF_SEARCH_CHARS_MAX);

        ok(format("10.0.2.3", "example.com\nnameserver 6.6.6.6", NULL) == 0 && !strstr(text, "6.6.6.6") &&
                   !strstr(text, "search"),
           "a newline in the search list adds no line of its own");
        ok(format("10.0.2.3", NULL, "lan\noptions ndots:15") == 0 && !strstr(text, "options") &&
                   !strstr(text, "search"),
           "a newline in the domain name adds no line of its own");
        ok(format("10.0.2.3", "a.example  b.example", NULL) == 0 && !strstr(text, "search"),
           "a search list with a double space is refused");
        ok(format("10.0.2.3", "ex ample;rm", NULL) == 0 && !strstr(text, "search"),
           "a search list with other characters is refused");

        ok(format("10.0.0.1 evil\nnameserver ::1 1.2.3.4.5 300.1.1.1 6.6.6.6;x", NULL, NULL) == 0 &&
                   streq(text, HEADER "nameserver 10.0.0.1\nnameserver ::1\n"),
           "only valid addresses become name servers");
        ok(format("junk 1.2.3 ::g", NULL, NULL) == -ENODATA, "no valid name server: nothing to write");
        ok(format("1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4", NULL, NULL) == 0 && count(text, "nameserver") == 3 &&
                   !strstr(text, "4.4.4.4"),
           "at most %d name servers", RESOLV_CONF_NAMESERVERS_MAX);
        _cleanup_free_ char *servers = repeat("10.11.12.13 ", 500);
        ok(format(servers, long_search, NULL) == 0 && well_formed(text, len, sizeof(text)),
           "a long name server list stays within the buffer");

        char small[90];
        size_t n = 0;
        ok(resolv_conf_format("10.0.2.3 10.0.2.4", "example.com", NULL, small, sizeof(small), &n) == 0 &&
                   well_formed(small, n, sizeof(small)) && count(small, "nameserver") == 1,
           "a line that does not fit is dropped, not cut (%zu bytes)", n);
        ok(resolv_conf_format("10.0.2.3", NULL, NULL, small, 10, &n) == -ENOBUFS,
           "a buffer too small for even one name server says so");
        return tap_done();
}
