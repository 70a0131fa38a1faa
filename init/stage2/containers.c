/* SPDX-License-Identifier: MIT */
#include "containers.h"

/* replaced by the containers branch */
int containers_apply(Manager *m, const HostState *state) {
        return 0;
}
