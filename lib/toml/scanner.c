/* SPDX-License-Identifier: MIT */

/* The cursor over a document: positions, errors, UTF-8, comments, ends of lines. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "toml-internal.h"

void sc_advance(TomlScanner *s) {
        if (s->p >= s->end)
                return;
        unsigned char c = (unsigned char) *s->p++;
        if (c == '\n') {
                s->line++;
                s->column = 1;
        } else if ((c & 0xC0) != 0x80) /* continuation bytes do not start a column */
                s->column++;
}

void sc_advance_n(TomlScanner *s, size_t n) {
        while (n-- > 0)
                sc_advance(s);
}

void sc_skip_ws(TomlScanner *s) {
        while (sc_peek(s) == ' ' || sc_peek(s) == '\t')
                sc_advance(s);
}

static int verror(TomlScanner *s, TomlPos pos, const char *fmt, va_list ap) {
        if (s->err) {
                s->err->line = pos.line;
                s->err->column = pos.column;
                (void) vsnprintf(s->err->msg, sizeof(s->err->msg), fmt, ap);
        }
        return -EINVAL;
}

int sc_error(TomlScanner *s, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = verror(s, sc_pos(s), fmt, ap);
        va_end(ap);
        return r;
}

int sc_error_at(TomlScanner *s, TomlPos pos, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = verror(s, pos, fmt, ap);
        va_end(ap);
        return r;
}

int toml_check_utf8(const char *text, size_t n, TomlError *err) {
        const unsigned char *p = (const unsigned char *) text, *end = p + n;
        unsigned line = 1, column = 1;

        while (p < end) {
                unsigned c = *p, len, cp;

                if (c < 0x80) {
                        len = 1;
                        cp = c;
                } else if ((c & 0xE0) == 0xC0) {
                        len = 2;
                        cp = c & 0x1F;
                } else if ((c & 0xF0) == 0xE0) {
                        len = 3;
                        cp = c & 0x0F;
                } else if ((c & 0xF8) == 0xF0) {
                        len = 4;
                        cp = c & 0x07;
                } else
                        goto bad;
                if ((size_t) (end - p) < len)
                        goto bad;
                for (unsigned i = 1; i < len; i++) {
                        if ((p[i] & 0xC0) != 0x80)
                                goto bad;
                        cp = (cp << 6) | (p[i] & 0x3F);
                }
                /* overlong forms, surrogates, beyond Unicode */
                if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
                    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
                        goto bad;
                if (c == '\n') {
                        line++;
                        column = 1;
                } else
                        column++;
                p += len;
        }
        return 0;
bad:
        if (err) {
                err->line = line;
                err->column = column;
                snprintf(err->msg, sizeof(err->msg), "invalid UTF-8 (byte 0x%02x)", *p);
        }
        return -EINVAL;
}

/* Control characters other than tab are not allowed in comments or strings. */
static bool is_forbidden_control(int c) {
        return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7F;
}

int sc_skip_comment(TomlScanner *s) {
        if (sc_peek(s) != '#')
                return 0;
        while (!sc_eof(s) && sc_peek(s) != '\n') {
                int c = sc_peek(s);
                if (c == '\r' && sc_peek_at(s, 1) == '\n')
                        break;
                if (is_forbidden_control(c))
                        return sc_error(s, "control character U+%04X in a comment", c);
                sc_advance(s);
        }
        return 0;
}

int sc_expect_eol(TomlScanner *s) {
        int r;

        sc_skip_ws(s);
        r = sc_skip_comment(s);
        if (r < 0)
                return r;
        if (sc_eof(s))
                return 0;
        if (sc_peek(s) == '\n') {
                sc_advance(s);
                return 0;
        }
        if (sc_peek(s) == '\r' && sc_peek_at(s, 1) == '\n') {
                sc_advance_n(s, 2);
                return 0;
        }
        if (sc_peek(s) == '\r')
                return sc_error(s, "a carriage return must be followed by a line feed");
        return sc_error(s, "expected the end of the line, found '%c'",
                        sc_peek(s) >= 0x20 && sc_peek(s) < 0x7F ? sc_peek(s) : '?');
}
