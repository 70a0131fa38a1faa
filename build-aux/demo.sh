#!/bin/bash
# make demo: builds recipes/minimal.toml and boots it in QEMU with its serial
# console on this terminal (ctrl-a x quits QEMU).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RECIPE=${RECIPE:-recipes/minimal.toml}
OUT=${OUT:-out/$(basename "$RECIPE" .toml)}

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
"${sudo[@]}" "$BUILD"/build-image -o "$OUT" "$RECIPE"

# The VM writes to a copy: the built disk stays as it was.
disk=$(mktemp --tmpdir berth-demo-XXXXXX.raw)
trap 'rm -f "$disk"' EXIT
cp --sparse=always "$OUT/disk.raw" "$disk"
echo
echo "Booting $OUT in QEMU (software emulation): watch for 'berth: containerd ready'."
echo "ctrl-a x quits; ctrl-a c then system_powerdown shuts it down cleanly."
# A debug image's shell is on the second serial port: QEMU makes it a
# terminal and prints its name ("char device redirected to /dev/pts/N");
# `screen /dev/pts/N` (or any terminal program) reaches the shell.
shell=()
if grep -q 'berth.shell=' "$OUT/cmdline"; then
        shell=(-serial pty)
        echo "The root shell is on the terminal QEMU names below (serial1): screen /dev/pts/N"
fi
echo
# -display none and the console on mon:stdio: what -nographic does, with room
# for a second serial port. Not exec: the trap removes the disk copy when QEMU ends.
qemu-system-x86_64 -machine q35 -m 512 -smp 2 -display none -no-user-config \
        -kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.img" -append "$(cat "$OUT/cmdline")" \
        -drive "file=$disk,format=raw,if=virtio" \
        -netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
        -serial mon:stdio "${shell[@]}"
