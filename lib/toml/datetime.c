/* SPDX-License-Identifier: MIT */

/* RFC 3339 dates and times as TOML 1.0 has them: offset date-times (Z or
 * +HH:MM, 'T', 't' or a space between date and time), local date-times,
 * local dates and local times (seconds required; fractions kept to ns). */

#include <errno.h>
#include <stdbool.h>

#include "toml-internal.h"

static bool digit(int c) {
        return c >= '0' && c <= '9';
}

bool toml_looks_like_datetime(const TomlScanner *s) {
        /* YYYY-MM-DD... or HH:MM... */
        return (digit(sc_peek_at(s, 0)) && digit(sc_peek_at(s, 1)) && digit(sc_peek_at(s, 2)) &&
                digit(sc_peek_at(s, 3)) && sc_peek_at(s, 4) == '-') ||
               (digit(sc_peek_at(s, 0)) && digit(sc_peek_at(s, 1)) && sc_peek_at(s, 2) == ':');
}

static int read_fixed(TomlScanner *s, unsigned width, int *ret) {
        int v = 0;
        for (unsigned i = 0; i < width; i++) {
                if (!digit(sc_peek(s)))
                        return sc_error(s, "expected a digit in a date or time");
                v = v * 10 + (sc_peek(s) - '0');
                sc_advance(s);
        }
        *ret = v;
        return 0;
}

static int expect(TomlScanner *s, char c) {
        if (sc_peek(s) != c)
                return sc_error(s, "expected '%c' in a date or time", c);
        sc_advance(s);
        return 0;
}

static bool leap(int y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int scan_date(TomlScanner *s, TomlDatetime *dt) {
        static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        TomlPos pos = sc_pos(s);

        if (read_fixed(s, 4, &dt->year) < 0 || expect(s, '-') < 0 || read_fixed(s, 2, &dt->month) < 0 ||
            expect(s, '-') < 0 || read_fixed(s, 2, &dt->day) < 0)
                return -EINVAL;
        if (dt->month < 1 || dt->month > 12)
                return sc_error_at(s, pos, "month %d does not exist", dt->month);
        if (dt->day < 1 || dt->day > days[dt->month - 1] + (dt->month == 2 && leap(dt->year)))
                return sc_error_at(s, pos, "day %d does not exist in %04d-%02d", dt->day, dt->year,
                                   dt->month);
        return 0;
}

static int scan_time(TomlScanner *s, TomlDatetime *dt) {
        TomlPos pos = sc_pos(s);

        if (read_fixed(s, 2, &dt->hour) < 0 || expect(s, ':') < 0 || read_fixed(s, 2, &dt->minute) < 0 ||
            expect(s, ':') < 0 || read_fixed(s, 2, &dt->second) < 0)
                return -EINVAL;
        if (dt->hour > 23 || dt->minute > 59 || dt->second > 60)
                return sc_error_at(s, pos, "time %02d:%02d:%02d does not exist", dt->hour, dt->minute,
                                   dt->second);
        if (sc_peek(s) == '.') {
                int scale = 100000000;
                sc_advance(s);
                if (!digit(sc_peek(s)))
                        return sc_error(s, "expected digits after the decimal point of a time");
                while (digit(sc_peek(s))) {
                        dt->nanosecond += (sc_peek(s) - '0') * scale;
                        scale /= 10; /* digits past nanoseconds are dropped */
                        sc_advance(s);
                }
        }
        return 0;
}

int toml_scan_datetime(TomlScanner *s, TomlValue **ret) {
        TomlPos pos = sc_pos(s);
        TomlDatetime dt = { 0 };
        TomlType type;
        TomlValue *v;

        if (sc_peek_at(s, 2) == ':') {
                if (scan_time(s, &dt) < 0)
                        return -EINVAL;
                type = TOML_LOCAL_TIME;
        } else {
                if (scan_date(s, &dt) < 0)
                        return -EINVAL;
                type = TOML_LOCAL_DATE;
                int c = sc_peek(s);
                /* A space separates date and time only when a time follows. */
                if (c == 'T' || c == 't' ||
                    (c == ' ' && digit(sc_peek_at(s, 1)) && digit(sc_peek_at(s, 2)) &&
                     sc_peek_at(s, 3) == ':')) {
                        sc_advance(s);
                        if (scan_time(s, &dt) < 0)
                                return -EINVAL;
                        type = TOML_LOCAL_DATETIME;
                        c = sc_peek(s);
                        if (c == 'Z' || c == 'z') {
                                sc_advance(s);
                                type = TOML_OFFSET_DATETIME;
                        } else if (c == '+' || c == '-') {
                                int h = 0, m = 0;
                                sc_advance(s);
                                if (read_fixed(s, 2, &h) < 0 || expect(s, ':') < 0 ||
                                    read_fixed(s, 2, &m) < 0)
                                        return -EINVAL;
                                if (h > 23 || m > 59)
                                        return sc_error_at(s, pos, "offset %02d:%02d does not exist", h, m);
                                dt.offset_minutes = (c == '-' ? -1 : 1) * (h * 60 + m);
                                type = TOML_OFFSET_DATETIME;
                        }
                }
        }
        v = toml_value_new(type, pos);
        if (!v)
                return -ENOMEM;
        v->dt = dt;
        *ret = v;
        return 0;
}
