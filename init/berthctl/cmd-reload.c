/* SPDX-License-Identifier: MIT */

/* berthctl reload: PID 1 fetches the host state again and converges to it.
 * The fetch runs in the background; the console says how it ends
 * (`state applied ...` or `FAILED state ...`), and so does `berthctl status`. */

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "berthctl.h"
#include "macro.h"
#include "stage2/control-client.h"

int berthctl_reload(int argc, char *argv[]) {
        json_object *req, *reply = NULL, *err;
        int r;

        if (argc > 1) {
                fprintf(stderr, "berthctl reload: takes no argument ('%s')\n", argv[1]);
                return 2;
        }
        req = json_object_new_object();
        json_object_object_add(req, "method", json_object_new_string("reload"));
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
        json_object_put(reply);
        printf("reload started: the console and `berthctl status` say how it ends\n");
        return 0;
}
