/* SPDX-License-Identifier: MIT */

/* The control socket's request parser and validator (control-request.c). */

#include <errno.h>
#include <string.h>

#include "macro.h"
#include "../../lib/tests/tap.h"
#include "control-request.h"

static char why[160];

static int parse(const char *line, ControlRequest *r) {
        why[0] = 0;
        return control_request_parse(line, strlen(line), r, why, sizeof(why));
}

static bool refused(const char *line, const char *expect) {
        ControlRequest r;
        int ret = parse(line, &r);
        if (ret != -EINVAL || !strstr(why, expect)) {
                printf("# %s -> %d '%s'\n", line, ret, why);
                return false;
        }
        return true;
}

int main(void) {
        ControlRequest r;

        ok(parse("{\"method\":\"status\"}", &r) == 0 && r.method == CONTROL_STATUS, "status");
        ok(parse("  { \"method\" : \"status\" }  ", &r) == 0 && r.method == CONTROL_STATUS,
           "white space around it");
        ok(parse("{\"method\":\"network-up\",\"interface\":\"eth0\",\"address\":\"10.0.2.15\"}", &r) == 0 &&
                   r.method == CONTROL_NETWORK_UP && streq(r.interface, "eth0") &&
                   streq(r.address, "10.0.2.15"),
           "network-up with its fields");
        ok(parse("{\"address\":\"(ipv6)\",\"interface\":\"enp0s3\",\"method\":\"network-up\"}", &r) == 0 &&
                   streq(r.address, "(ipv6)"),
           "fields in any order; dhcpcd's (ipv6)");
        ok(streq(control_method_to_string(CONTROL_NETWORK_UP), "network-up"), "method names");
        ok(parse("{\"method\":\"reload\"}", &r) == 0 && r.method == CONTROL_RELOAD &&
                   streq(control_method_to_string(CONTROL_RELOAD), "reload"),
           "reload");
        ok(refused("{\"method\":\"reload\",\"url\":\"http://x\"}",
                   "unknown field 'url' for method 'reload'"),
           "reload takes no field: the sources are the boot's");

        ok(refused("", "not JSON"), "an empty line");
        ok(refused("status", "not JSON"), "not JSON");
        ok(refused("{\"method\":\"status\"", "incomplete"), "an unfinished object");
        ok(refused("{\"method\":\"status\"} {}", "text after"), "two objects on a line");
        ok(refused("[\"status\"]", "JSON object"), "an array");
        ok(refused("{}", "no \"method\""), "no method");
        ok(refused("{\"method\":1}", "no \"method\""), "a method that is no string");
        ok(refused("{\"method\":\"reboot-now\"}", "unknown method 'reboot-now'"), "an unknown method");
        ok(refused("{\"method\":\"status\",\"x\":1}", "unknown field 'x' for method 'status'"),
           "an unknown field");
        ok(refused("{\"method\":\"network-up\",\"interface\":\"eth0\"}", "'network-up' wants 'address'"),
           "a missing field");
        ok(refused("{\"method\":\"network-up\",\"interface\":3,\"address\":\"a\"}",
                   "'interface' is not a string"),
           "a field of the wrong type");
        ok(refused("{\"method\":\"network-up\",\"interface\":\"a-very-long-interface\",\"address\":\"a\"}",
                   "longer than 15"),
           "an interface name too long");
        ok(refused("{\"method\":\"network-up\",\"interface\":\"../x\",\"address\":\"a\"}", "not valid"),
           "an interface name with a slash");
        ok(refused("{\"method\":\"network-up\",\"interface\":\"eth0\",\"address\":\"1.2.3.4 evil\"}",
                   "not valid"),
           "an address with a space");
        ok(refused("{\"method\":\"network-up\",\"interface\":\"eth0\",\"address\":\"a\\u0000b\"}",
                   "not valid"),
           "an address with a NUL escape");
        ok(control_request_parse("{\"method\":\"status\"}\0", 20, &r, why, sizeof(why)) == -EINVAL &&
                   strstr(why, "NUL"),
           "a NUL byte in the line");
        char big[CONTROL_LINE_MAX + 10];
        memset(big, ' ', sizeof(big));
        ok(control_request_parse(big, sizeof(big), &r, why, sizeof(why)) == -EINVAL && strstr(why, "longer"),
           "a line longer than CONTROL_LINE_MAX");
        ok(parse("{\"method\":\"bogus\"}", &r) < 0 && r.method == 0 && r.interface[0] == 0,
           "a refused request leaves nothing behind");
        return tap_done();
}
