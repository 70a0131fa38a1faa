/* SPDX-License-Identifier: MIT */

/* The four string forms: "basic", 'literal', """multi-line basic""" and
 * '''multi-line literal''', with every escape and the rules on control
 * characters, line-ending backslashes and quotes next to the delimiters. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "toml-internal.h"

typedef struct Buf {
        char *s;
        size_t n, cap;
} Buf;

static int buf_add(Buf *b, const char *p, size_t n) {
        if (b->n + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 32;
                while (cap < b->n + n + 1)
                        cap *= 2;
                char *s = realloc(b->s, cap);
                if (!s)
                        return -ENOMEM;
                b->s = s;
                b->cap = cap;
        }
        memcpy(b->s + b->n, p, n);
        b->n += n;
        b->s[b->n] = 0;
        return 0;
}

static int buf_add_utf8(Buf *b, uint32_t cp) {
        char u[4];
        size_t n;

        if (cp < 0x80) {
                u[0] = (char) cp;
                n = 1;
        } else if (cp < 0x800) {
                u[0] = (char) (0xC0 | (cp >> 6));
                u[1] = (char) (0x80 | (cp & 0x3F));
                n = 2;
        } else if (cp < 0x10000) {
                u[0] = (char) (0xE0 | (cp >> 12));
                u[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
                u[2] = (char) (0x80 | (cp & 0x3F));
                n = 3;
        } else {
                u[0] = (char) (0xF0 | (cp >> 18));
                u[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
                u[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
                u[3] = (char) (0x80 | (cp & 0x3F));
                n = 4;
        }
        return buf_add(b, u, n);
}

static int hexval(int c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static int scan_escape(TomlScanner *s, Buf *b) {
        TomlPos at = sc_pos(s);
        int c;

        sc_advance(s); /* the backslash */
        c = sc_peek(s);
        switch (c) {
        case 'b':
                sc_advance(s);
                return buf_add(b, "\b", 1);
        case 't':
                sc_advance(s);
                return buf_add(b, "\t", 1);
        case 'n':
                sc_advance(s);
                return buf_add(b, "\n", 1);
        case 'f':
                sc_advance(s);
                return buf_add(b, "\f", 1);
        case 'r':
                sc_advance(s);
                return buf_add(b, "\r", 1);
        case '"':
                sc_advance(s);
                return buf_add(b, "\"", 1);
        case '\\':
                sc_advance(s);
                return buf_add(b, "\\", 1);
        case 'u':
        case 'U': {
                unsigned digits = c == 'u' ? 4 : 8;
                uint32_t cp = 0;

                sc_advance(s);
                for (unsigned i = 0; i < digits; i++) {
                        int h = hexval(sc_peek(s));
                        if (h < 0)
                                return sc_error_at(s, at, "\\%c needs %u hexadecimal digits", c, digits);
                        cp = cp * 16 + (uint32_t) h;
                        sc_advance(s);
                }
                if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                        return sc_error_at(s, at, "\\%c%0*X is not a Unicode scalar value", c, (int) digits,
                                           cp);
                return buf_add_utf8(b, cp);
        }
        default:
                return sc_error_at(s, at, "invalid escape sequence '\\%c'", c >= 0x20 && c < 0x7F ? c : '?');
        }
}

static bool is_forbidden_control(int c) {
        return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7F;
}

/* Counts the quotes at the cursor (at most 6 looked at). */
static size_t quotes_at(const TomlScanner *s, char q) {
        size_t n = 0;
        while (n < 6 && sc_peek_at(s, n) == q)
                n++;
        return n;
}

static int scan_multiline(TomlScanner *s, char q, Buf *b) {
        TomlPos start = sc_pos(s);
        int r;

        sc_advance_n(s, 3);
        /* A newline right after the opening delimiter is trimmed. */
        if (sc_peek(s) == '\n')
                sc_advance(s);
        else if (sc_peek(s) == '\r' && sc_peek_at(s, 1) == '\n')
                sc_advance_n(s, 2);

        for (;;) {
                int c = sc_peek(s);

                if (c < 0)
                        return sc_error_at(s, start, "unterminated multi-line string");
                if (c == q) {
                        size_t n = quotes_at(s, q);
                        if (n >= 3) {
                                /* Up to two quotes may sit right before the closing three. */
                                if (n > 5)
                                        return sc_error(s,
                                                        "too many quotes at the end of a multi-line string");
                                r = buf_add(b, s->p, n - 3);
                                if (r < 0)
                                        return r;
                                sc_advance_n(s, n);
                                return 0;
                        }
                        r = buf_add(b, s->p, n);
                        if (r < 0)
                                return r;
                        sc_advance_n(s, n);
                        continue;
                }
                if (q == '"' && c == '\\') {
                        /* A line-ending backslash eats the newline and the whitespace after it. */
                        size_t i = 1;
                        while (sc_peek_at(s, i) == ' ' || sc_peek_at(s, i) == '\t')
                                i++;
                        if (sc_peek_at(s, i) == '\n' ||
                            (sc_peek_at(s, i) == '\r' && sc_peek_at(s, i + 1) == '\n')) {
                                sc_advance_n(s, i);
                                while (sc_peek(s) == ' ' || sc_peek(s) == '\t' || sc_peek(s) == '\n' ||
                                       (sc_peek(s) == '\r' && sc_peek_at(s, 1) == '\n'))
                                        sc_advance(s);
                                continue;
                        }
                        r = scan_escape(s, b);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (c == '\r') {
                        if (sc_peek_at(s, 1) != '\n')
                                return sc_error(s, "a carriage return must be followed by a line feed");
                        sc_advance(s);
                        continue; /* CRLF is kept as LF */
                }
                if (c != '\n' && is_forbidden_control(c))
                        return sc_error(s, "control character U+%04X in a string", c);
                r = buf_add(b, s->p, 1);
                if (r < 0)
                        return r;
                sc_advance(s);
        }
}

static int scan_single_line(TomlScanner *s, char q, Buf *b) {
        TomlPos start = sc_pos(s);
        int r;

        sc_advance(s);
        for (;;) {
                int c = sc_peek(s);

                if (c < 0 || c == '\n' || (c == '\r' && sc_peek_at(s, 1) == '\n'))
                        return sc_error_at(s, start, "unterminated string");
                if (c == q) {
                        sc_advance(s);
                        return 0;
                }
                if (q == '"' && c == '\\') {
                        r = scan_escape(s, b);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (is_forbidden_control(c))
                        return sc_error(s, "control character U+%04X in a string", c);
                r = buf_add(b, s->p, 1);
                if (r < 0)
                        return r;
                sc_advance(s);
        }
}

int toml_scan_string(TomlScanner *s, bool allow_multiline, char **ret, size_t *ret_len) {
        char q = (char) sc_peek(s);
        Buf b = { 0 };
        int r;

        if (buf_add(&b, "", 0) < 0)
                return -ENOMEM;
        if (quotes_at(s, q) >= 3) {
                if (!allow_multiline) {
                        free(b.s);
                        return sc_error(s, "a key cannot be a multi-line string");
                }
                r = scan_multiline(s, q, &b);
        } else
                r = scan_single_line(s, q, &b);
        if (r < 0) {
                free(b.s);
                return r;
        }
        *ret = b.s;
        *ret_len = b.n;
        return 0;
}
