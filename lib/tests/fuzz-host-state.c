/* SPDX-License-Identifier: MIT */

/* libFuzzer harness: a document through the host state's schema (parse,
 * every check, the finish hooks), compared with itself, freed. Any crash,
 * leak or hang is a bug; a refusal must say where and why. */

#include <stddef.h>
#include <stdint.h>

#include "host-state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        HostState *s = NULL;
        TomlError e;
        int k = host_state_parse((const char *) data, size, &s, &e);

        if (k < 0) {
                if (s || !e.msg[0])
                        __builtin_trap();
                return 0;
        }
        for (size_t i = 0; i < s->n_containers; i++)
                if (!host_state_container_equal(&s->containers[i], &s->containers[i]) ||
                    host_state_container_find(s, s->containers[i].name) > &s->containers[i])
                        __builtin_trap();
        host_state_free(s);
        return 0;
}
