/* SPDX-License-Identifier: MIT */
#pragma once

/* For the builder's files that call libostree (ostree-commit.c,
 * ostree-publish.c) only: GLib types stay out of their public headers. */

#include <ostree.h>

/* The archive-mode repository at path, created when missing. */
OstreeRepo *repo_open_or_create(const char *path, GError **error);
