#!/bin/bash
# berth's dracut module: the initramfs holds berth-init as /init and the
# kernel modules the root needs; no dracut shell init, no systemd.
# build-image calls dracut with "-m berth" and exports:
#   BERTH_INIT          path of berth-init inside the sysroot
#   BERTH_ROOT_DRIVERS  extra kernel modules for the root device (optional)

# Only when asked for by name (-m berth).
check() {
        return 255
}

depends() {
        return 0
}

installkernel() {
        # Disks of VMs and servers, the root filesystem, and what /etc and
        # the container runtime stack on top of it.
        # Also the VM's network card: the kernel reports a new card's
        # carrier through linkwatch, at most one event a second, so the card
        # must appear as early as it can for DHCP not to wait on it.
        instmods virtio_blk virtio_scsi virtio_pci virtio_mmio sd_mod nvme \
                ext4 overlay virtio_net ${BERTH_ROOT_DRIVERS-}
}

install() {
        inst_binary "${BERTH_INIT:?}" /init
        # berth-init dlopen()s libkmod, so ldd does not see it or what it
        # links (Debian 12's libkmod2: libcrypto, liblzma, libzstd).
        local lib
        for lib in libkmod.so.2 libcrypto.so.3 liblzma.so.5 libzstd.so.1; do
                inst_library "/usr/lib/x86_64-linux-gnu/$lib"
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
