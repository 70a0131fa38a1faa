/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

/* A whole string of decimal digits as a uint64_t: -EINVAL for an empty
 * string, a sign, trailing text or a value out of range (strtoull alone
 * takes "-1" as UINT64_MAX). */
int parse_u64(const char *s, uint64_t *ret);
