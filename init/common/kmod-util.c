/* SPDX-License-Identifier: MIT */
#include "macro.h"
#include "kmod-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

struct Modules {
        struct kmod_ctx *ctx;
};

int modules_open(Modules **ret) {
        Modules *m = calloc(1, sizeof(Modules));

        if (!m)
                return -ENOMEM;
        m->ctx = kmod_new(NULL, NULL);
        if (!m->ctx) {
                free(m);
                return -ENOMEM;
        }
        (void)kmod_load_resources(m->ctx);
        *ret = m;
        return 0;
}

Modules *modules_close(Modules *m) {
        if (m) {
                kmod_unref(m->ctx);
                free(m);
        }
        return NULL;
}

/* Inserts every module matching an alias or a name; counts those inserted. */
static int load_lookup(Modules *m, const char *what) {
        struct kmod_list *list = NULL, *i;
        int loaded = 0, r;

        r = kmod_module_new_from_lookup(m->ctx, what, &list);
        if (r < 0)
                return r;
        kmod_list_foreach(i, list) {
                struct kmod_module *mod = kmod_module_get_module(i);
                int state = kmod_module_get_initstate(mod);

                if (state != KMOD_MODULE_LIVE && state != KMOD_MODULE_BUILTIN &&
                    state != KMOD_MODULE_COMING) {
                        r = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL,
                                                            NULL, NULL);
                        if (r >= 0)
                                loaded++;
                        else
                                log_debug("module %s: %s", kmod_module_get_name(mod), strerror(-r));
                }
                kmod_module_unref(mod);
        }
        kmod_module_unref_list(list);
        return loaded;
}

int modules_load(Modules *m, const char *name) {
        int r = load_lookup(m, name);
        return r < 0 ? r : 0;
}

/* Walks /sys/devices for "modalias" files, as udev's coldplug does. */
static int walk(Modules *m, int fd_dir, unsigned depth) {
        DIR *d;
        struct dirent *de;
        int loaded = 0;

        if (depth > 16)
                return 0;
        d = fdopendir(fd_dir);
        if (!d) {
                (void)close(fd_dir);
                return 0;
        }
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (de->d_type == DT_DIR) {
                        int fd = openat(dirfd(d), de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (fd >= 0)
                                loaded += walk(m, fd, depth + 1);
                } else if (de->d_type == DT_REG && streq(de->d_name, "modalias")) {
                        char alias[512];
                        int fd = openat(dirfd(d), "modalias", O_RDONLY | O_CLOEXEC);
                        ssize_t n = fd >= 0 ? read(fd, alias, sizeof(alias) - 1) : -1;
                        if (fd >= 0)
                                (void)close(fd);
                        if (n > 0) {
                                alias[n] = 0;
                                alias[strcspn(alias, "\n")] = 0;
                                int r = load_lookup(m, alias);
                                if (r > 0)
                                        loaded += r;
                        }
                }
        }
        closedir(d);
        return loaded;
}

int modules_coldplug(Modules *m) {
        int fd = open("/sys/devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return walk(m, fd, 0);
}
