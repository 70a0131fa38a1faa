#!/bin/bash
# Builds (once, cached) the image a user would otherwise pick: Debian 12 with
# systemd, containerd and runc on the same cloud kernel, made by mmdebstrap,
# booted the same way (direct kernel boot, its own initramfs-tools initrd).
# A oneshot unit prints on the console when containerd said READY=1 (the point
# berth measures) with the memory in use and systemd's RSS.
#   bench/reference.sh DIR   -> DIR/{disk.raw,vmlinuz,initrd.img,cmdline}
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out=$1
[[ -f $out/disk.raw && -f $out/.complete ]] && exit 0
rm -rf "$out"
mkdir -p "$out"
tree=$out/tree

cat >"$out/ready.service" <<'UNIT'
[Unit]
Description=report containerd readiness on the console (benchmark)
After=containerd.service
Requires=containerd.service

[Service]
Type=oneshot
StandardOutput=tty
TTYPath=/dev/ttyS0
ExecStart=/bin/sh -c 'm=$(awk "/MemTotal/{t=\\$2} /MemAvailable/{a=\\$2} END{printf \\"%%.1f\\", (t-a)/1024}" /proc/meminfo); r=$(awk "/VmRSS/{printf \\"%%.1f\\", \\$2/1024}" /proc/1/status); echo "REF: containerd ready $(cut -d" " -f1 /proc/uptime) memory $m MiB systemd rss $r MiB processes $(ls -d /proc/[0-9]* | wc -l)"'

[Install]
WantedBy=multi-user.target
UNIT

mmdebstrap --quiet --variant=minbase \
        --include=systemd-sysv,containerd,runc,linux-image-cloud-amd64,initramfs-tools,udev,iproute2 \
        --customize-hook='echo reference > "$1/etc/hostname"' \
        --customize-hook='printf "[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n" > "$1/etc/systemd/network/50-dhcp.network"' \
        --customize-hook='chroot "$1" systemctl enable systemd-networkd' \
        --customize-hook="cp $out/ready.service \"\$1/etc/systemd/system/ready.service\"" \
        --customize-hook='chroot "$1" systemctl enable ready.service' \
        --customize-hook='echo "/dev/vda / ext4 defaults 0 1" > "$1/etc/fstab"' \
        bookworm "$tree"

cp "$tree"/boot/vmlinuz-* "$out/vmlinuz"
cp "$tree"/boot/initrd.img-* "$out/initrd.img"
echo "root=/dev/vda rw console=ttyS0 quiet" >"$out/cmdline"
size=$(du -sb "$tree" | cut -f1)
mke2fs -q -F -t ext4 -d "$tree" "$out/disk.raw" "$(((size * 13 / 10 + (512 << 20)) / 1024))k"
du -sb "$tree" | cut -f1 >"$out/tree-size"
dpkg-query --admindir="$tree/var/lib/dpkg" -W -f='${Package}\n' | wc -l >"$out/packages"
rm -rf "$tree"
touch "$out/.complete"
