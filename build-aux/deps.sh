#!/bin/bash
# Installs every Debian package that building, the demo and the tests need.
# A quick no-op when all are present; otherwise apt-get (as root, or via sudo).
set -euo pipefail

packages=(
        # build
        gcc make pkg-config libc6-dev clang libclang-rt-14-dev clang-format
        libjson-c-dev libarchive-dev libostree-dev libsystemd-dev libkmod-dev libblkid-dev
        # what build-image drives
        apt gpgv debian-archive-keyring kmod libc-bin dracut-core ostree e2fsprogs fdisk
        qemu-utils
        # tests, demo and benchmarks
        bats jq python3 valgrind qemu-system-x86 busybox-static mmdebstrap dpkg-dev
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
