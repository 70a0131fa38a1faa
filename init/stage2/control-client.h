/* SPDX-License-Identifier: MIT */
#pragma once

/* A client's side of the control socket: one request, one response line. */

#include <json-c/json.h>

/* Sends request (a JSON object) and returns the response object; waits at
 * most timeout_ms for each step. A negative errno when PID 1 cannot be
 * reached or answers with no JSON object. */
int control_call(json_object *request, int timeout_ms, json_object **ret_reply);
