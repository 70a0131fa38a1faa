/* SPDX-License-Identifier: MIT */

/* The ACPI power button (a cloud's "stop instance", QEMU's system_powerdown)
 * reaches user space only as an input event: KEY_POWER on the evdev device
 * the kernel's button driver registers. We watch every input device that can
 * send KEY_POWER and power off cleanly when it is pressed. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "macro.h"
#include "manager.h"

#define BITS_PER_LONG (sizeof(unsigned long) * 8)
#define TEST_BIT(bit, array) (((array)[(bit) / BITS_PER_LONG] >> ((bit) % BITS_PER_LONG)) & 1UL)

static int on_input(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        struct input_event ev[16];
        ssize_t n = read(fd, ev, sizeof(ev));

        for (ssize_t i = 0; n > 0 && i < n / (ssize_t) sizeof(ev[0]); i++)
                if (ev[i].type == EV_KEY && ev[i].code == KEY_POWER && ev[i].value == 1)
                        manager_request_shutdown(m, RB_POWER_OFF, "power button");
        if (n == 0 || (n < 0 && errno == ENODEV))
                sd_event_source_disable_unref(es);
        return 0;
}

int power_button_install(Manager *m) {
        DIR *d = opendir("/dev/input");
        struct dirent *de;
        int watched = 0;

        if (!d)
                return 0;
        while ((de = readdir(d))) {
                unsigned long keys[KEY_MAX / BITS_PER_LONG + 1] = { 0 };
                char path[300];
                int fd;

                if (strncmp(de->d_name, "event", 5) != 0)
                        continue;
                snprintf(path, sizeof(path), "/dev/input/%s", de->d_name);
                fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
                if (fd < 0)
                        continue;
                if (ioctl(fd, EVIOCGBIT(EV_KEY, sizeof(keys)), keys) < 0 || !TEST_BIT(KEY_POWER, keys)) {
                        close(fd);
                        continue;
                }
                sd_event_source *s = NULL;
                if (sd_event_add_io(m->event, &s, fd, EPOLLIN, on_input, m) < 0) {
                        close(fd);
                        continue;
                }
                (void) sd_event_source_set_io_fd_own(s, 1);
                (void) sd_event_source_set_floating(s, 1);
                sd_event_source_unref(s);
                watched++;
        }
        closedir(d);
        return watched;
}
