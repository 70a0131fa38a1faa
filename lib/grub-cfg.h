/* SPDX-License-Identifier: MIT */
#pragma once

/* GRUB's menu from ostree's boot entries (Boot Loader Specification files
 * under /boot/loader/entries). Debian's GRUB has no blscfg, so the entries
 * become menuentry blocks, newest first. The same text is what libostree's
 * grub2 backend will ask for through OSTREE_GRUB2_EXEC (loader.N/grub.cfg),
 * so build-image and a later update write it the same way. */

#include <stddef.h>
#include <stdio.h>

typedef struct BootEntry {
        char *title;
        char *version; /* ostree's: a higher number is newer, the default */
        char *kernel; /* relative to /boot, as in the entry file */
        char *initrd;
        char *options; /* the kernel arguments, ostree= included */
} BootEntry;

void boot_entry_done(BootEntry *e);

/* Parses one entry file's text ("key value" lines). Returns 0, -EINVAL when
 * linux, options or version is missing (what is wrong goes into msg), or
 * -ENOMEM. */
int boot_entry_parse(const char *text, BootEntry *ret, char *msg, size_t msg_size);

/* Sorts entries newest first (version compared with strverscmp, descending,
 * as ostree orders them). */
void boot_entries_sort(BootEntry *entries, size_t n);

/* Writes grub.cfg for entries (already sorted) to f. boot_prefix is what
 * the entry paths are relative to on GRUB's root ("/boot": /boot is a folder
 * of the root file system). Returns 0, or -EINVAL when there is no entry or
 * an argument holds a character that cannot be quoted (a newline). */
int grub_cfg_write(FILE *f, const BootEntry *entries, size_t n, const char *boot_prefix);

/* Reads every *.conf of entries_dir, sorts them and writes the grub.cfg into
 * path (atomically). Returns 0 or a negative errno, logged. */
int grub_cfg_generate(const char *entries_dir, const char *boot_prefix, const char *path);
