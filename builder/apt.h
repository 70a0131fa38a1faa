/* SPDX-License-Identifier: MIT */
#pragma once

/* apt with a private state: its own lists, an archive of .debs and a dpkg
 * status file under the cache, so the build host's package state is never
 * read or touched. The sources and keyrings are the build host's unless the
 * recipe names its own. */

#include "cache.h"
#include "recipe.h"

typedef struct Apt {
        char *dir; /* cache/apt */
        char *config; /* the APT_CONFIG file */
        char *archives; /* where the .debs are */
        char *lists; /* lists for this set of sources */
        char sources_hash[65];
} Apt;

/* Writes the private configuration for the recipe's sources. */
int apt_setup(const Cache *cache, const Recipe *recipe, Apt *ret);
void apt_done(Apt *apt);

/* Runs apt-get with the private configuration: args after "apt-get".
 * output: NULL to show apt's output on stderr, else captured (stdout and
 * stderr together). Returns apt-get's exit status or -errno. */
int apt_get(const Apt *apt, char *const args[], char **output);
/* The same, run in folder cwd (apt-get download writes there). */
int apt_get_in(const Apt *apt, const char *cwd, char *const args[], char **output);

/* True when `apt-get update` has run for these sources. */
bool apt_lists_ready(const Apt *apt);
int apt_mark_lists_ready(const Apt *apt);

/* The file name apt gives the .deb of name/version/arch (':' of an epoch as %3a). */
char *apt_deb_filename(const char *name, const char *version, const char *arch);

/* Packages whose job build-image does itself, recorded as installed in the
 * private dpkg status so apt does not pull them in (see stage-resolve.c). */
extern const char *const apt_provided_status;
