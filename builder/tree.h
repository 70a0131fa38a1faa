/* SPDX-License-Identifier: MIT */
#pragma once

/* The system-wide steps that Debian's maintainer scripts would have done,
 * done once by the builder on the whole tree instead. */

#include <stdint.h>

/* /bin -> usr/bin, /sbin -> usr/sbin, /lib -> usr/lib, /lib64 -> usr/lib64,
 * the folders every root needs (dev proc sys run tmp sysroot), and ostree's
 * /ostree -> sysroot/ostree. */
int tree_layout(const char *tree);

/* Finds the one kernel in usr/lib/modules, moves /boot/vmlinuz-KVER to
 * usr/lib/modules/KVER/vmlinuz (where ostree looks) and empties /boot. */
int tree_place_kernel(const char *tree, char **ret_kver);

/* ldconfig -r: the linker cache libc-bin's trigger would have written. */
int tree_ldconfig(const char *tree);

/* etc/ssl/certs/ca-certificates.crt from /usr/share/ca-certificates, as
 * update-ca-certificates would have made it. No-op without the certificates. */
int tree_ca_bundle(const char *tree);

/* Empties /var: ostree deploys none of a commit's /var (it is the host's
 * state); berth-init makes the folders services need at boot. */
int tree_empty_var(const char *tree);

/* Moves /etc to /usr/etc: the image's defaults, the lower layer of /etc at boot. */
int tree_move_etc(const char *tree);

/* Bytes of regular files and symlinks under tree (hard links counted once). */
int tree_size(const char *tree, uint64_t *ret);

/* Copies the file src to tree/rel (folders created), owned by root, with mode. */
int tree_install_file(const char *src, const char *tree, const char *rel, int mode);

/* When the tree has busybox (a debug image), links its applets into
 * /usr/bin where no package put a program of that name: a shell and tools. */
int tree_busybox_links(const char *tree);
