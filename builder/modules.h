/* SPDX-License-Identifier: MIT */
#pragma once

/* Keeps only the kernel modules an image asks for (and what they depend on)
 * and rebuilds the module index, with libkmod and depmod. */

/* tree: the OS tree; kver: its kernel; wanted: module names or folders under
 * kernel/ ("net/netfilter"); NULL keeps every module. */
int modules_prune(const char *tree, const char *kver, char *const *wanted);

/* depmod -b tree kver */
int modules_depmod(const char *tree, const char *kver);
