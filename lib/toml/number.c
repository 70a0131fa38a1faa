/* SPDX-License-Identifier: MIT */

/* Integers (decimal, 0x, 0o, 0b; underscores only between digits; 64-bit
 * overflow is an error) and floats (fraction, exponent, inf, nan). */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "toml-internal.h"

static bool is_digit_in(int c, int base) {
        if (base == 16)
                return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        return c >= '0' && c < '0' + base;
}

static int digit_value(int c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return c - 'A' + 10;
}

/* Reads digits of base with single underscores between them into out
 * (without underscores). Returns how many digits, or -EINVAL. */
static int scan_digits(TomlScanner *s, int base, char *out, size_t outsz, size_t *outn) {
        int n = 0;

        if (!is_digit_in(sc_peek(s), base))
                return sc_error(s, "expected a digit");
        for (;;) {
                int c = sc_peek(s);
                if (is_digit_in(c, base)) {
                        if (*outn + 1 >= outsz)
                                return sc_error(s, "number too long");
                        out[(*outn)++] = (char) c;
                        n++;
                        sc_advance(s);
                } else if (c == '_') {
                        if (!is_digit_in(sc_peek_at(s, 1), base))
                                return sc_error(s, "an underscore must stand between two digits");
                        sc_advance(s);
                } else
                        break;
        }
        out[*outn] = 0;
        return n;
}

static int make_integer(TomlScanner *s, TomlPos pos, const char *digits, int base, bool negative,
                        TomlValue **ret) {
        uint64_t v = 0, limit = negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
        TomlValue *val;

        for (const char *p = digits; *p; p++) {
                uint64_t d = (uint64_t) digit_value(*p);
                if (v > (limit - d) / (uint64_t) base)
                        return sc_error_at(s, pos, "integer does not fit in 64 bits");
                v = v * (uint64_t) base + d;
        }
        val = toml_value_new(TOML_INTEGER, pos);
        if (!val)
                return -ENOMEM;
        val->integer = negative ? (int64_t) (0 - v) : (int64_t) v;
        *ret = val;
        return 0;
}

static bool word_at(const TomlScanner *s, const char *w) {
        size_t n = strlen(w);
        if ((size_t) (s->end - s->p) < n || memcmp(s->p, w, n) != 0)
                return false;
        int c = sc_peek_at(s, n);
        /* the word must end here: inf1 or nanx are not values */
        return !(c == '_' || c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                 (c >= 'A' && c <= 'Z'));
}

int toml_scan_number_or_datetime(TomlScanner *s, TomlValue **ret) {
        TomlPos pos = sc_pos(s);
        char buf[512];
        size_t n = 0;
        bool negative = false, is_float = false;
        int sign = sc_peek(s), r;
        TomlValue *v;

        if (toml_looks_like_datetime(s))
                return toml_scan_datetime(s, ret);

        if (sign == '+' || sign == '-') {
                negative = sign == '-';
                buf[n++] = (char) sign;
                sc_advance(s);
        }
        if (word_at(s, "inf") || word_at(s, "nan")) {
                bool inf = sc_peek(s) == 'i';
                sc_advance_n(s, 3);
                v = toml_value_new(TOML_FLOAT, pos);
                if (!v)
                        return -ENOMEM;
                v->fp = inf ? (negative ? -INFINITY : INFINITY) : (negative ? -NAN : NAN);
                *ret = v;
                return 0;
        }

        if (sc_peek(s) == '0' &&
            (sc_peek_at(s, 1) == 'x' || sc_peek_at(s, 1) == 'o' || sc_peek_at(s, 1) == 'b')) {
                int base = sc_peek_at(s, 1) == 'x' ? 16 : sc_peek_at(s, 1) == 'o' ? 8 : 2;
                if (n > 0)
                        return sc_error_at(s, pos, "a sign is not allowed before 0x, 0o or 0b");
                sc_advance_n(s, 2);
                r = scan_digits(s, base, buf, sizeof(buf), &n);
                if (r < 0)
                        return r;
                return make_integer(s, pos, buf, base, false, ret);
        }

        size_t int_start = n;
        r = scan_digits(s, 10, buf, sizeof(buf), &n);
        if (r < 0)
                return r;
        if (r > 1 && buf[int_start] == '0')
                return sc_error_at(s, pos, "leading zeros are not allowed");

        if (sc_peek(s) == '.') {
                is_float = true;
                buf[n++] = '.';
                sc_advance(s);
                r = scan_digits(s, 10, buf, sizeof(buf), &n);
                if (r < 0)
                        return r;
        }
        if (sc_peek(s) == 'e' || sc_peek(s) == 'E') {
                is_float = true;
                buf[n++] = 'e';
                sc_advance(s);
                if (sc_peek(s) == '+' || sc_peek(s) == '-') {
                        buf[n++] = (char) sc_peek(s);
                        sc_advance(s);
                }
                r = scan_digits(s, 10, buf, sizeof(buf), &n);
                if (r < 0)
                        return r;
        }

        if (!is_float)
                return make_integer(s, pos, buf + int_start, 10, negative, ret);

        v = toml_value_new(TOML_FLOAT, pos);
        if (!v)
                return -ENOMEM;
        v->fp = strtod(buf, NULL);
        *ret = v;
        return 0;
}
