/* SPDX-License-Identifier: MIT */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "berthctl.h"
#include "stage2/control-client.h"

int berthctl_call(const char *method, json_object **ret_reply) {
        json_object *req = json_object_new_object(), *reply = NULL, *err;
        int r;

        json_object_object_add(req, "method", json_object_new_string(method));
        r = control_call(req, 5000, &reply);
        json_object_put(req);
        if (r < 0) {
                fprintf(stderr, "berthctl: cannot reach PID 1 on its control socket: %s\n", strerror(-r));
                return 1;
        }
        if (json_object_object_get_ex(reply, "error", &err)) {
                fprintf(stderr, "berthctl: %s\n", json_object_get_string(err));
                json_object_put(reply);
                return 1;
        }
        *ret_reply = reply;
        return 0;
}
