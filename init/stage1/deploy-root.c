/* SPDX-License-Identifier: MIT */

/* The ostree deployment becomes the root, as ostree-prepare-root does it:
 * /sysroot holds the physical root; the deployment folder it names is bound
 * onto itself, the physical root is moved under it, and the pair replaces
 * /sysroot. On top: /etc (overlay, upper on tmpfs: every boot starts from
 * the image's defaults), /var (the stateroot's, or a tmpfs). */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-contract.h"
#include "macro.h"
#include "mount-util.h"
#include "stage1.h"

static int bind_ro(const char *path) {
        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return -errno;
        if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
                return -errno;
        return 0;
}

int deploy_root_setup(const char *ostree_arg, bool var_tmpfs, const char **ret_what) {
        char physical[PATH_MAX], deploy[PATH_MAX], stateroot_var[PATH_MAX], p[PATH_MAX + 32];
        char *real;
        struct stat st;
        int r;

        *ret_what = "ostree deployment";
        if (ostree_arg[0] != '/')
                return -EINVAL;
        snprintf(physical, sizeof(physical), "/sysroot%s", ostree_arg);
        /* ostree= names a symlink (boot.N/os/csum/serial) to the deployment folder. */
        real = realpath(physical, NULL);
        if (!real)
                return -errno;
        if (strncmp(real, "/sysroot/ostree/deploy/", 23) != 0 || stat(real, &st) < 0 ||
            !S_ISDIR(st.st_mode)) {
                free(real);
                return -ENOTDIR;
        }
        /* The deployment sits at /sysroot/ostree/deploy/OS/deploy/CSUM.SERIAL; its /var is OS's. */
        snprintf(deploy, sizeof(deploy), "%s", real);
        free(real);
        snprintf(stateroot_var, sizeof(stateroot_var), "%s", deploy);
        char *cut = strstr(stateroot_var + 23, "/deploy/");
        if (!cut)
                return -ENOTDIR;
        strcpy(cut, "/var");

        *ret_what = "corrupt deployment";
        snprintf(p, sizeof(p), "%s" BERTH_INIT_PATH, deploy);
        if (access(p, X_OK) < 0)
                return -errno;
        snprintf(p, sizeof(p), "%s/usr/etc", deploy);
        if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
                return -ENOENT;

        *ret_what = "mount deployment";
        if (mount(deploy, deploy, NULL, MS_BIND, NULL) < 0)
                return -errno;

        /* /var first, while the physical root is still where the path says. */
        *ret_what = "mount /var";
        snprintf(p, sizeof(p), "%s/var", deploy);
        if (var_tmpfs) {
                if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                        return -errno;
        } else if (mount(stateroot_var, p, NULL, MS_BIND, NULL) < 0)
                return -errno;

        *ret_what = "mount /etc";
        r = mkdir_p("/run/berth/etc/upper", 0755);
        if (r >= 0)
                r = mkdir_p("/run/berth/etc/work", 0755);
        if (r < 0)
                return r;
        char opts[PATH_MAX + 128];
        snprintf(opts, sizeof(opts),
                 "lowerdir=%s/usr/etc,upperdir=/run/berth/etc/upper,workdir=/run/berth/etc/work", deploy);
        snprintf(p, sizeof(p), "%s/etc", deploy);
        (void) mkdir(p, 0755);
        if (mount("overlay", p, "overlay", MS_NOSUID | MS_NODEV, opts) < 0)
                return -errno;

        /* Swap: physical root under the deployment, the deployment at /sysroot. */
        *ret_what = "move the physical root";
        if (mkdir("/deployment", 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mount(deploy, "/deployment", NULL, MS_MOVE, NULL) < 0)
                return -errno;
        if (mount("/sysroot", "/deployment/sysroot", NULL, MS_MOVE, NULL) < 0)
                return -errno;
        if (mount("/deployment", "/sysroot", NULL, MS_MOVE, NULL) < 0)
                return -errno;

        /* Read-only: the deployment and the physical root's view. The mounts
         * below (/etc, /var) keep their own flags. */
        *ret_what = "make the root read-only";
        if (mount(NULL, "/sysroot", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
                return -errno;
        r = bind_ro("/sysroot/sysroot");
        if (r < 0)
                return r;
        return 0;
}
