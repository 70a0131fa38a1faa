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
        json_object *reply = NULL;

        if (argc > 1) {
                fprintf(stderr, "berthctl reload: takes no argument ('%s')\n", argv[1]);
                return 2;
        }
        if (berthctl_call("reload", &reply) != 0)
                return 1;
        json_object_put(reply);
        printf("reload started: the console and `berthctl status` say how it ends\n");
        return 0;
}
