/* SPDX-License-Identifier: MIT */
#pragma once

#include "service.h"

/* The services every berth host runs, in start order (system-services.c). */
extern const ServiceSpec system_services[];
extern const size_t n_system_services;
/* The debug image's shell; main.c fills in the terminal berth.shell names. */
extern const ServiceSpec debug_shell_spec;
