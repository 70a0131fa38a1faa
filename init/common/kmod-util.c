/* SPDX-License-Identifier: MIT */

/* libkmod is opened with dlopen() when modules are loaded, not linked: it
 * pulls in libcrypto, 1.4 MB of resident memory that PID 1 would carry for
 * its whole life (systemd dlopen()s libkmod for the same reason). Stage 2
 * loads its modules in a short-lived child, so PID 1 never maps it at all. */

#include "kmod-util.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot-contract.h"
#include "log.h"
#include "strv.h"

struct Modules {
        void *dl;
        struct kmod_ctx *ctx;
        char **seen; /* aliases already looked up: each device asks once */
        struct kmod_ctx *(*new)(const char *, const char *const *);
        struct kmod_ctx *(*unref)(struct kmod_ctx *);
        int (*load_resources)(struct kmod_ctx *);
        int (*new_from_lookup)(struct kmod_ctx *, const char *, struct kmod_list **);
        struct kmod_list *(*list_next)(const struct kmod_list *, const struct kmod_list *);
        struct kmod_module *(*get_module)(const struct kmod_list *);
        int (*get_initstate)(const struct kmod_module *);
        int (*probe_insert)(struct kmod_module *, unsigned, const char *,
                            int (*)(struct kmod_module *, const char *, void *), const void *,
                            void (*)(struct kmod_module *, bool, void *));
        const char *(*get_name)(const struct kmod_module *);
        struct kmod_module *(*module_unref)(struct kmod_module *);
        int (*unref_list)(struct kmod_list *);
};

static char dl_error[256];

const char *modules_error(int r) {
        return r == -ENOENT && dl_error[0] ? dl_error : strerror(-r);
}

int modules_open(Modules **ret) {
        Modules *m = calloc(1, sizeof(Modules));

        if (!m)
                return -ENOMEM;
        m->dl = dlopen(BERTH_LIBKMOD_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!m->dl) {
                snprintf(dl_error, sizeof(dl_error), "%s", dlerror());
                free(m);
                return -ENOENT;
        }
#define SYM(field, name)                                  \
        if (!(*(void **) &m->field = dlsym(m->dl, name))) \
                goto fail;
        SYM(new, "kmod_new");
        SYM(unref, "kmod_unref");
        SYM(load_resources, "kmod_load_resources");
        SYM(new_from_lookup, "kmod_module_new_from_lookup");
        SYM(list_next, "kmod_list_next");
        SYM(get_module, "kmod_module_get_module");
        SYM(get_initstate, "kmod_module_get_initstate");
        SYM(probe_insert, "kmod_module_probe_insert_module");
        SYM(get_name, "kmod_module_get_name");
        SYM(module_unref, "kmod_module_unref");
        SYM(unref_list, "kmod_module_unref_list");
#undef SYM
        m->ctx = m->new (NULL, NULL);
        if (!m->ctx) {
                dlclose(m->dl);
                free(m);
                return -ENOMEM;
        }
        (void) m->load_resources(m->ctx);
        *ret = m;
        return 0;
fail:
        snprintf(dl_error, sizeof(dl_error), "%s", dlerror());
        dlclose(m->dl);
        free(m);
        return -ENOENT;
}

Modules *modules_close(Modules *m) {
        if (m) {
                if (m->ctx)
                        m->unref(m->ctx);
                strv_free(m->seen);
                dlclose(m->dl);
                free(m);
        }
        return NULL;
}

/* Inserts every module matching an alias or a name; counts those inserted. */
static int load_lookup(Modules *m, const char *what) {
        struct kmod_list *list = NULL;
        int loaded = 0, r;

        r = m->new_from_lookup(m->ctx, what, &list);
        if (r < 0)
                return r;
        for (struct kmod_list *i = list; i; i = m->list_next(list, i)) {
                struct kmod_module *mod = m->get_module(i);
                int state = m->get_initstate(mod);

                if (state != KMOD_MODULE_LIVE && state != KMOD_MODULE_BUILTIN &&
                    state != KMOD_MODULE_COMING) {
                        r = m->probe_insert(mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL, NULL, NULL);
                        if (r >= 0)
                                loaded++;
                        else
                                log_debug("module %s: %s", m->get_name(mod), strerror(-r));
                }
                m->module_unref(mod);
        }
        m->unref_list(list);
        return loaded;
}

int modules_load(Modules *m, const char *name) {
        int r = load_lookup(m, name);
        return r < 0 ? r : 0;
}

static int load_alias_of(Modules *m, int devdir) {
        char alias[512];
        int fd = openat(devdir, "modalias", O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return 0;
        n = read(fd, alias, sizeof(alias) - 1);
        (void) close(fd);
        if (n <= 0)
                return 0;
        alias[n] = 0;
        alias[strcspn(alias, "\n")] = 0;
        if (strv_contains(m->seen, alias))
                return 0;
        (void) strv_extend(&m->seen, alias);
        int r = load_lookup(m, alias);
        return r > 0 ? r : 0;
}

/* Every device is listed under /sys/bus/BUS/devices: a flat walk, much
 * cheaper than recursing through /sys/devices and its attribute folders. */
int modules_coldplug(Modules *m) {
        DIR *buses = opendir("/sys/bus");
        struct dirent *b;
        int loaded = 0;

        if (!buses)
                return -errno;
        while ((b = readdir(buses))) {
                char path[300];
                DIR *devs;
                struct dirent *d;

                if (b->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof(path), "/sys/bus/%s/devices", b->d_name);
                devs = opendir(path);
                if (!devs)
                        continue;
                while ((d = readdir(devs))) {
                        if (d->d_name[0] == '.')
                                continue;
                        int fd = openat(dirfd(devs), d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (fd < 0)
                                continue;
                        loaded += load_alias_of(m, fd);
                        (void) close(fd);
                }
                closedir(devs);
        }
        closedir(buses);
        return loaded;
}
