/* SPDX-License-Identifier: MIT */

/* The kernel modules of stage 2, loaded by a helper job: PID 1 itself never
 * maps libkmod (see kmod-util.c), and the services start meanwhile (dhcpcd
 * sees the network card when its driver comes). When the job ends, however
 * it ends, CONDITION_MODULES is met and the power button is watched. */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "boot-contract.h"
#include "macro.h"
#include "console.h"
#include "kmod-util.h"
#include "manager.h"

/* Under software emulation a full coldplug takes a few seconds. */
#define MODULES_TIMEOUT_USEC (120ULL * 1000000ULL)

static int modules_job(void *arg) {
        _cleanup_(modules_closep) Modules *modules = NULL;
        int r = modules_open(&modules);

        if (r < 0) {
                console_warning("kernel modules not loaded: %s", modules_error(r));
                return 1;
        }
        (void) modules_coldplug(modules);
        /* What a container host wants whatever its hardware (boot-contract.h). */
        for (const char *const *name = berth_host_modules; *name; name++)
                (void) modules_load(modules, *name);
        return 0;
}

static void modules_done(Manager *m, pid_t pid, const ChildResult *res, void *userdata) {
        if (res && res->timed_out)
                console_warning("kernel modules still loading after %llu s: the loader was killed",
                                MODULES_TIMEOUT_USEC / 1000000ULL);
        else if (res && res->code != CLD_EXITED)
                console_warning("the kernel module loader was killed by signal %d", res->status);
        /* The power button's input device exists once evdev and button are in. */
        if (power_button_install(m) == 0)
                console_warning("no power button input device; ACPI power-off is not handled");
        manager_condition_met(m, CONDITION_MODULES);
}

void modules_load_start(Manager *m) {
        int r = job_start(m, "modules", modules_job, NULL, MODULES_TIMEOUT_USEC, modules_done, NULL, NULL);

        if (r < 0) {
                console_warning("cannot start the kernel module loader: %s", strerror(-r));
                modules_done(m, 0, NULL, NULL);
        }
}
