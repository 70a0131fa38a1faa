#!/bin/bash
# Builds (once, cached) the image a user would otherwise pick: Debian 12 with
# systemd, containerd and runc on the same cloud kernel, made by mmdebstrap,
# booted the same way (direct kernel boot, its own initramfs-tools initrd).
# A oneshot unit prints on the console when containerd said READY=1 (the point
# berth measures) with the memory in use and systemd's RSS. With
# bench.image=REF on the kernel command line (bench/state.sh), another unit
# waits for the network (systemd-networkd-wait-online), pulls REF from a
# plain-http registry with ctr and runs it with ctr, its output on the
# console: "REF: pulling <uptime>" when it starts, the container's lines,
# and after the first one "REF: systemd rss <MiB> MiB" (one container running).
# No getty on ttyS0 (berth has none either): its vhangup() of the console
# would cut the units' output off.
#   bench/reference.sh DIR   -> DIR/{disk.raw,vmlinuz,initrd.img,cmdline}
# DIR/.complete holds this script's SHA-256: a changed script builds again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out=$1
stamp=$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)
[[ -f $out/disk.raw && -f $out/.complete && $(cat "$out/.complete") == "$stamp" ]] && exit 0
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

# bench.image=REF [bench.command=...]: the container bench/state.sh runs.
# Its command comes base64-encoded in bench.command= (the kernel command line
# splits words at spaces).
cat >"$out/bench-container" <<'SCRIPT'
#!/bin/sh
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | head -n1; }
img=$(arg bench.image)
cmd=$(arg bench.command | base64 -d)
echo "REF: pulling $(cut -d' ' -f1 /proc/uptime)"
ctr image pull --plain-http "$img" >/dev/null || exit 1
ctr run --rm "$img" bench /bin/sh -c "$cmd" 2>&1 | {
        IFS= read -r line && echo "$line"
        echo "REF: systemd rss $(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' /proc/1/status) MiB"
        cat
}
SCRIPT
cat >"$out/bench-container.service" <<'UNIT'
[Unit]
Description=pull and run bench/state.sh's container with ctr (benchmark)
ConditionKernelCommandLine=bench.image
After=containerd.service network-online.target
Requires=containerd.service
Wants=network-online.target

[Service]
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
ExecStart=/usr/local/sbin/bench-container

[Install]
WantedBy=multi-user.target
UNIT

mmdebstrap --quiet --variant=minbase \
        --include=systemd-sysv,containerd,runc,linux-image-cloud-amd64,initramfs-tools,udev,iproute2 \
        --customize-hook='echo reference > "$1/etc/hostname"' \
        --customize-hook='printf "[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n" > "$1/etc/systemd/network/50-dhcp.network"' \
        --customize-hook='chroot "$1" systemctl enable systemd-networkd systemd-networkd-wait-online' \
        --customize-hook="cp $out/ready.service \"\$1/etc/systemd/system/ready.service\"" \
        --customize-hook='chroot "$1" systemctl enable ready.service' \
        --customize-hook="install -m 755 $out/bench-container \"\$1/usr/local/sbin/bench-container\"" \
        --customize-hook="cp $out/bench-container.service \"\$1/etc/systemd/system/bench-container.service\"" \
        --customize-hook='chroot "$1" systemctl enable bench-container.service' \
        --customize-hook='chroot "$1" systemctl mask serial-getty@ttyS0.service' \
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
echo "$stamp" >"$out/.complete"
