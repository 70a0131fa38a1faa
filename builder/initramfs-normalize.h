/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

/* Rewrites a (compressed) cpio initramfs so that the same files give the same
 * bytes: entries sorted by path, every mtime set to `mtime`, inode numbers
 * assigned in that order, hard links stored as plain copies, zstd at a fixed
 * level, dracut's build-parameter.txt (the build host's paths) dropped. dracut's --reproducible leaves the
 * times of the files it creates. */
int initramfs_normalize(const char *in, const char *out, int64_t mtime);
