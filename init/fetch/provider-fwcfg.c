/* SPDX-License-Identifier: MIT */

/* QEMU's fw_cfg: `-fw_cfg name=opt/org.berth/state,file=state.toml` puts
 * the document in an entry that the qemu_fw_cfg driver shows in sysfs.
 * No device, or no such entry: no document here. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot-contract.h"
#include "fetch.h"
#include "fileio.h"
#include "macro.h"

/* Names as QEMU allows them, and no way out of the by_name folder. */
static bool name_ok(const char *name) {
        if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") !=
            strlen(name))
                return false;
        return name[0] != '/' && !strstr(name, "..") && !strstr(name, "//");
}

int provider_fwcfg_fetch(const StateSource *src, const FetchOptions *o, FetchBuffer *doc, char *name,
                         size_t name_size, char *why, size_t why_size) {
        static const char *const modules[] = { "qemu_fw_cfg", NULL };
        _cleanup_free_ char *dir = NULL, *raw = NULL, *size_text = NULL, *data = NULL;
        size_t size = 0;
        long long declared = -1;
        int r;

        snprintf(name, name_size, "fw_cfg:%s", src->where);
        if (!name_ok(src->where)) {
                snprintf(why, why_size, "not a fw_cfg entry name");
                return -EINVAL;
        }
        fetch_load_modules(modules);
        if (access(BERTH_FWCFG_SYSFS_DIR, F_OK) < 0) {
                snprintf(why, why_size, "%s: no fw_cfg device", name);
                return 0;
        }
        if (asprintf(&dir, BERTH_FWCFG_SYSFS_DIR "/%s", src->where) < 0 ||
            asprintf(&raw, "%s/raw", dir) < 0 || asprintf(&size_text, "%s/size", dir) < 0)
                return -ENOMEM;
        if (access(raw, F_OK) < 0) {
                snprintf(why, why_size, "%s: no such entry", name);
                return 0;
        }
        /* The entry's size is known before a byte is read. */
        if (read_full_file(size_text, 64, &data, NULL) == 0)
                declared = strtoll(data, NULL, 10);
        if (fetch_size_too_big(declared, o->max_size)) {
                snprintf(why, why_size, "larger than the limit of %zu bytes (%lld)", o->max_size, declared);
                return -EFBIG;
        }
        free(data);
        data = NULL;
        r = read_full_file(raw, o->max_size, &data, &size);
        if (r == -EFBIG) {
                snprintf(why, why_size, "larger than the limit of %zu bytes", o->max_size);
                return r;
        }
        if (r < 0) {
                snprintf(why, why_size, "cannot read %s: %s", raw, strerror(-r));
                return r;
        }
        r = fetch_buffer_append(doc, data, size);
        return r < 0 ? r : 1;
}
