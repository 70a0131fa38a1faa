#!/bin/bash
# berth's dracut module: the initramfs holds berth-init as /init and the
# kernel modules the root needs; no dracut shell init, no systemd.
# build-image calls dracut with "-m berth" and exports (lib/boot-contract.h,
# which holds the values):
#   BERTH_INIT               path of berth-init inside the sysroot
#   BERTH_INITRAMFS_MODULES  the kernel modules stage 1 needs, separated by
#                            spaces: the root's disks and file system, and
#                            the network card
#   BERTH_INIT_DLOPEN        the libraries berth-init dlopen()s and what they
#                            link, separated by spaces
# build-image checks the initramfs dracut made for all of these (and for
# every library /init needs), since dracut can leave one out and exit 0.

# Only when asked for by name (-m berth).
check() {
        return 255
}

depends() {
        return 0
}

installkernel() {
        # The list is build-image's; word splitting makes it arguments.
        # shellcheck disable=SC2086
        instmods ${BERTH_INITRAMFS_MODULES:?}
}

install() {
        inst_binary "${BERTH_INIT:?}" /init
        # berth-init dlopen()s libkmod and libblkid, so ldd does not see them; nor does
        # dracut-install see what a non-executable library links, so the
        # list names those too (Debian 12's libkmod2: libcrypto, liblzma,
        # libzstd). The list is build-image's.
        local lib
        # inst_library returns 1 without a word when the build host (not the
        # sysroot) lacks the file: say so, and the build fails on it.
        for lib in ${BERTH_INIT_DLOPEN:?}; do
                inst_library "/usr/lib/x86_64-linux-gnu/$lib" ||
                        derror "berth: cannot install $lib, which berth-init needs"
        done
        inst_dir /proc
        inst_dir /sys
        inst_dir /dev
        inst_dir /run
        inst_dir /sysroot
        inst_dir /etc
        # berth-init tells its two stages apart by this file (as systemd does).
        printf 'NAME=berth\nID=berth\nVARIANT_ID=initrd\n' >"${initdir:?}/etc/initrd-release"
}
