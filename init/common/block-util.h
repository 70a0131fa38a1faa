/* SPDX-License-Identifier: MIT */
#pragma once

/* Block devices, as stage 1 (the root) and berth-fetch (a config drive)
 * look for a file system by its label. */

/* The devices listed in partitions (the text of /proc/partitions) that may
 * hold a file system of their own: all but the whole disks that have
 * partitions (sysfs lists a disk's partitions as its subfolders). Names
 * under /dev. 0 or -ENOMEM. */
int block_devices_with_filesystems(const char *partitions, char ***ret_names);
