#!/bin/bash
# Installs every Debian package that building, the demo and the tests need.
# A quick no-op when all are present; otherwise apt-get (as root, or via sudo).
set -euo pipefail

packages=(
        # build
        gcc make pkg-config libc6-dev clang libclang-rt-14-dev clang-format
        libjson-c-dev libarchive-dev libostree-dev libsystemd-dev libkmod-dev libblkid-dev
        # the containerd client (init/containerd): HTTP/2, protobuf-c and protoc-c, and
        # the .proto files it is generated from (containerd's API, gogo's options,
        # Google's well-known types)
        libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler libprotobuf-dev
        golang-github-containerd-containerd-dev golang-github-gogo-protobuf-dev
        # its OCI archive import (init/containerd/import.c, tar.c): zlib and nettle
        zlib1g-dev nettle-dev
        # berth-fetch (init/fetch): libcurl, with OpenSSL as libkmod2 already brings libssl3
        libcurl4-openssl-dev libssl-dev
        # what build-image drives: apt-get, gpgv, depmod, ldconfig, dracut (which
        # runs cpio, and zstd for --compress zstd), sfdisk, mke2fs, qemu-img
        apt gpgv debian-archive-keyring kmod libc-bin dracut-core cpio zstd binutils ostree
        e2fsprogs fdisk qemu-utils
        # firmware boot (builder/bootloader.c): GRUB's modules for BIOS and
        # UEFI and grub-mkimage, the ESP's FAT (mkfs.fat, mtools). Only the
        # -bin packages: grub-pc, grub-efi-amd64 and grub2-common would run
        # grub-install and update-grub on the build host itself.
        grub-common grub-pc-bin grub-efi-amd64-bin dosfstools mtools
        # build-image --gpg-sign: libostree signs through gpgme, which runs gpg
        # and gpg-agent (both in gnupg); the tests make throw-away keys with it
        gnupg
        # tests, demo and benchmarks: lsinitrd (dracut-core; zstd again), debugfs and
        # e2fsck (e2fsprogs), dpkg-scanpackages (dpkg-dev), git (check.sh, the
        # reproducibility test), python3 >= 3.11 (tomllib), setpriv, unshare, blkid and
        # flock (util-linux)
        bats jq python3 valgrind qemu-system-x86 busybox-static mmdebstrap dpkg-dev git
        # UEFI firmware for QEMU (050-firmware-boot.bats; SeaBIOS comes with QEMU)
        ovmf
        util-linux
        # init/tests/containerd-api.bats: a real containerd and runc, and a registry
        containerd runc docker-registry
        # state-fetch.bats asks its fake metadata services with curl; 032 looks
        # for leftover processes with pgrep (procps); the containerd suites
        # mount the cgroup hierarchies where a chroot has none (mount)
        curl procps mount
)

missing=()
for p in "${packages[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [[ $status == installed ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "make deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null; then
                sudo=(sudo)
        else
                echo "make deps: need root (or sudo) to install: ${missing[*]}" >&2
                exit 1
        fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
