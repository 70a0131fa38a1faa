/* SPDX-License-Identifier: MIT */
#pragma once

/* The contract between build-image and berth-init: where the image holds
 * berth-init, the kernel arguments both sides speak, the root file system's
 * label and the kernel modules the boot needs. Written once here; the
 * builder writes what berth-init reads. No dependencies: plain C only.
 *
 * The dracut module (init/dracut/90berth/module-setup.sh) is a shell
 * script: build-image hands it the path and the module list in its
 * environment (BERTH_DRACUT_ENV_*). */

/* ---- paths in the image ---- */
#define BERTH_LIB_DIR "/usr/lib/berth"
#define BERTH_INIT_NAME "berth-init"
#define BERTH_INIT_PATH BERTH_LIB_DIR "/" BERTH_INIT_NAME
/* dhcpcd's hook script: a symbolic link to berth-init, which tells by this
 * name (argv[0]) that dhcpcd runs it. */
#define BERTH_DHCPCD_HOOK_NAME "dhcpcd-hook"
#define BERTH_DHCPCD_HOOK_PATH BERTH_LIB_DIR "/" BERTH_DHCPCD_HOOK_NAME
/* berthctl, the control socket's client: berth-init again, by this name. */
#define BERTH_CTL_NAME "berthctl"
#define BERTH_CTL_PATH "/usr/bin/" BERTH_CTL_NAME
#define BERTH_CTL_LINK_TARGET "../lib/berth/" BERTH_INIT_NAME
/* The state fetcher (docs/state-providers.md): a program of its own, so that
 * PID 1 never maps libcurl; stage 2 runs it as a short-lived child. */
#define BERTH_FETCH_NAME "berth-fetch"
#define BERTH_FETCH_PATH BERTH_LIB_DIR "/" BERTH_FETCH_NAME
/* The CA bundle build-image writes (builder/tree.c) and https verifies against. */
#define BERTH_CA_BUNDLE_PATH "/etc/ssl/certs/ca-certificates.crt"

/* ---- the root file system ---- */
/* The label of the root partition and of its ext4 file system. */
#define BERTH_ROOT_LABEL "berth-root"
#define BERTH_ROOT_FSTYPE "ext4"

/* ---- firmware boot (docs/updates.md) ---- */
/* The disk: GPT partitions 1 BIOS boot (GRUB's core.img), 2 the ESP
 * (EFI/BOOT/BOOTX64.EFI), 3 the root. Both GRUB images read their menu from
 * the root's /boot/grub/grub.cfg, a link to ../loader/grub.cfg: it switches
 * with ostree's /boot/loader link. */
#define BERTH_BIOS_PART_NAME "bios-boot"
#define BERTH_ESP_PART_NAME "berth-esp"
#define BERTH_ESP_LABEL "BERTH-ESP"
#define BERTH_GRUB_PREFIX "(,gpt3)/boot/grub"
#define BERTH_GRUB_DIR "/boot/grub"
#define BERTH_GRUB_CFG_LINK "../loader/grub.cfg"

/* ---- kernel arguments (docs/boot.md; berth-init parses them in
 * init/common/kernel-args.c) ---- */
#define BERTH_KARG_ROOT "root"
#define BERTH_KARG_OSTREE "ostree"
#define BERTH_KARG_VAR "berth.var"
#define BERTH_KARG_SHELL "berth.shell"
#define BERTH_KARG_ROOT_TIMEOUT "berth.root_timeout"
#define BERTH_KARG_NETWORK_TIMEOUT "berth.network_timeout"
/* Host state (docs/state-providers.md): a URL, its pin, whether plain http
 * may go unpinned, the fetch's deadline, and the platform whose providers
 * are asked. */
#define BERTH_KARG_STATE "berth.state"
#define BERTH_KARG_STATE_SHA256 "berth.state.sha256"
#define BERTH_KARG_STATE_HTTP "berth.state.http"
#define BERTH_KARG_STATE_TIMEOUT "berth.state.timeout"
#define BERTH_KARG_PLATFORM "berth.platform"
/* The values of berth.state.http: plain http needs a pin, or not. */
#define BERTH_STATE_HTTP_PINNED "pinned"
#define BERTH_STATE_HTTP_ANY "any"
/* The values of berth.var. */
#define BERTH_VAR_PERSISTENT "persistent"
#define BERTH_VAR_TMPFS "tmpfs"

/* ---- kernel modules ---- */
/* NULL-terminated. An image whose recipe names its modules keeps both
 * lists all the same (builder/modules.c). */

/* In the initramfs, for stage 1: the disks of VMs and servers, the root's
 * file system and what /etc stacks on it (overlay), and the VM's network
 * card (the kernel reports a new card's carrier through linkwatch, at most
 * one event a second, so the card must appear as early as it can for DHCP
 * not to wait on it). */
static const char *const berth_initramfs_modules[] = {
        "virtio_blk", "virtio_scsi",     "virtio_pci", "virtio_mmio", "sd_mod",
        "nvme",       BERTH_ROOT_FSTYPE, "overlay",    "virtio_net",  (const char *) 0,
};
/* Loaded by stage 2 whatever the hardware: the overlay snapshotter,
 * container networking, and the power button's input device. */
static const char *const berth_host_modules[] = {
        "overlay", "br_netfilter", "veth", "bridge", "evdev", "button", (const char *) 0,
};

/* ---- libraries berth-init dlopen()s ---- */
/* No DT_NEEDED names them, so neither ldd nor dracut finds them: the dracut
 * module installs them by name, and build-image checks that the initramfs
 * holds them and what they need (builder/initramfs-verify.c). libkmod:
 * init/common/kmod-util.c. NULL-terminated. */
#define BERTH_LIBKMOD_SONAME "libkmod.so.2"
/* libblkid: init/stage1/root-find.c (stage 1 only: PID 1 in the deployment
 * never maps it). */
#define BERTH_LIBBLKID_SONAME "libblkid.so.1"
static const char *const berth_init_dlopen_libs[] = { BERTH_LIBKMOD_SONAME, BERTH_LIBBLKID_SONAME,
                                                      (const char *) 0 };
/* What those link in Debian 12 (libkmod2): dracut-install follows the
 * libraries of executable files only, and libkmod.so.2.4.0 is 0644, so the
 * module installs these by name too. build-image's check does not read this
 * list: it follows every DT_NEEDED, and so fails the build when a libkmod
 * links a library this list lacks. */
static const char *const berth_init_dlopen_deps[] = {
        "libcrypto.so.3",
        "liblzma.so.5",
        "libzstd.so.1",
        (const char *) 0,
};

/* Loaded by berth-fetch when it looks for a state document: QEMU's fw_cfg
 * entries in sysfs, and a NoCloud config drive (vfat, with its code page
 * and character set, which the kernel cannot load itself without modprobe,
 * or iso9660). */
static const char *const berth_state_modules[] = {
        "qemu_fw_cfg", "vfat", "nls_cp437", "nls_utf8", "isofs", (const char *) 0,
};

/* ---- where host state comes from (docs/state-providers.md) ---- */
/* QEMU: -fw_cfg name=opt/org.berth/state,file=... */
#define BERTH_FWCFG_STATE_NAME "opt/org.berth/state"
#define BERTH_FWCFG_SYSFS_DIR "/sys/firmware/qemu_fw_cfg/by_name"
/* NoCloud: the volume's label (any case), and the document's file on it. */
#define BERTH_NOCLOUD_LABEL "cidata"
#define BERTH_NOCLOUD_FILE "user-data"
/* The metadata services, as the clouds document them. */
#define BERTH_EC2_METADATA_URL "http://169.254.169.254"
#define BERTH_GCE_METADATA_URL "http://metadata.google.internal"
#define BERTH_GCE_METADATA_HOST "metadata.google.internal"
#define BERTH_GCE_METADATA_ADDRESS "169.254.169.254"
/* Where stage 2 has berth-fetch write the document. */
#define BERTH_STATE_FETCHED_PATH "/run/berth/state.toml"
/* The last document that applied whole (docs/host-state.md), mode 0600,
 * and beside it "HEX SOURCE\n": the host comes up on it when no new one
 * applies. */
#define BERTH_STATE_LAST_GOOD_PATH "/var/lib/berth/state.toml"
#define BERTH_STATE_LAST_GOOD_SHA256_PATH "/var/lib/berth/state.toml.sha256"

/* ---- containers (docs/host-state.md, "How containers run") ---- */
/* The container runner PID 1 supervises, one per container. */
#define BERTH_CTR_NAME "berth-ctr"
#define BERTH_CTR_PATH BERTH_LIB_DIR "/" BERTH_CTR_NAME
/* Registry credentials, written (mode 0600; absent when no registry has
 * any) by the state's apply step (state-registry.c) and read by berth-ctr:
 * JSON {"HOST[:PORT]": {"username": U, "password": P}} or {"HOST": {"token": T}},
 * HOST as the document names it. */
#define BERTH_REGISTRY_AUTH_PATH "/run/berth/registry-auth.json"
/* Where berth-ctr has berth-fetch put a container's OCI archive
 * (`archive =`), as SHA256.tar, until containerd has imported it. */
#define BERTH_ARCHIVE_DIR "/var/lib/berth/archives"
/* The image an archive becomes in containerd, by its sha256: a reference
 * under a domain no registry has, so it is never pulled. */
#define BERTH_ARCHIVE_IMAGE_FMT "berth.archive/sha256-%s:latest"

/* ---- build-image → the dracut module, in dracut's environment ---- */
/* berth-init's path inside the sysroot dracut reads. */
#define BERTH_DRACUT_ENV_INIT "BERTH_INIT"
/* berth_initramfs_modules, separated by spaces. */
#define BERTH_DRACUT_ENV_MODULES "BERTH_INITRAMFS_MODULES"
/* berth_init_dlopen_libs and berth_init_dlopen_deps, separated by spaces. */
#define BERTH_DRACUT_ENV_DLOPEN "BERTH_INIT_DLOPEN"
