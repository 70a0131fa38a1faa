#!/usr/bin/env bats
# Firmware boot (docs/updates.md): the disk that build-image writes boots
# through GRUB with SeaBIOS (QEMU's default BIOS) and with OVMF (UEFI), as a
# cloud VM or a server boots it, with no kernel handed in from outside. One
# build of recipes/debug.toml (minimal + a shell on ttyS1, to read the guest's
# /proc/cmdline) with disk.qcow2 as well. Each boot's time is printed.

bats_require_minimum_version 1.5.0
load helpers
load vm

setup_file() {
        export OUT="$BATS_FILE_TMPDIR/debug" NAME=debug
        local recipe="$BATS_FILE_TMPDIR/debug.toml"
        sed 's/^formats = .*/formats = ["raw", "qcow2"]/' "$BERTH_ROOT/recipes/debug.toml" >"$recipe"
        "$BI" --quiet --cache "$BERTH_TEST_CACHE" -o "$OUT" "$recipe" >/dev/null
}

teardown_file() {
        vm_stop_all
}

# boot_to_containerd NAME: starts the VM (VM_FIRMWARE and VM_DISK_FORMAT as
# set by the caller), waits for containerd, prints the time it took.
boot_to_containerd() {
        local start=$SECONDS
        vm_start "$1" "$OUT"
        vm_wait "$1" "^berth: containerd ready" 120
        echo "# $1: ${VM_FIRMWARE} firmware boot of disk.${VM_DISK_FORMAT:-raw} to containerd ready in $((SECONDS - start)) s (under emulation)" >&3
}

# booted_through_grub NAME: GRUB's menu was on the console, and the guest's
# command line is the boot entry's, as GRUB passed it.
booted_through_grub() {
        local cmdline entry
        run -0 grep -a -c "GNU GRUB  version 2" "$(vm_dir "$1")/console.log"
        run -0 vm_run "$1" 'cat /proc/cmdline'
        cmdline=$(tr -d '\r' <<<"$output")
        # GRUB's x86 linux loader puts BOOT_IMAGE= first; direct kernel boot has none.
        is "$cmdline" "^BOOT_IMAGE=/boot/ostree/berth-[0-9a-f]{64}/vmlinuz-" "guest's command line"
        is "$cmdline" " ostree=/ostree/boot\.1/berth/[0-9a-f]{64}/0( |$)" "guest's command line"
        entry=$(cat "$OUT/cmdline")
        is "$cmdline" " ${entry//./\\.}\$" "guest's command line after BOOT_IMAGE"
}

@test "the disk: BIOS boot partition, ESP with the removable-path GRUB, root with /boot/grub/grub.cfg from the boot entry" {
        local disk="$OUT/disk.raw" esp root cfg
        run -0 sfdisk -J "$disk"
        is "$(jq -r '[.partitiontable.partitions[] | .name + ":" + .type] | join(" ")' <<<"$output")" \
                '^bios-boot:21686148-6449-6E6F-744E-656564454649 berth-esp:C12A7328-F81F-11D2-BA4B-00A0C93EC93B berth-root:4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709$' \
                "partitions"
        esp=$(jq -r '.partitiontable.partitions[1].start * 512' <<<"$output")
        run -0 env MTOOLS_SKIP_CHECK=1 mdir -b -i "$disk@@$esp" ::/EFI/BOOT
        is "$output" "^::/EFI/BOOT/BOOTX64\.EFI\$" "the ESP's /EFI/BOOT"
        run -0 env MTOOLS_SKIP_CHECK=1 minfo -i "$disk@@$esp" ::
        is "$output" 'disk label="BERTH-ESP ' "the ESP's label"
        # boot.img in the MBR: GRUB's signature string, and the 55 AA of a boot sector.
        run -0 bash -c "head -c 512 '$disk' | grep -a -c GRUB"
        is "$(od -An -tx1 -j510 -N2 "$disk" | tr -d ' ')" '^55aa$' "MBR signature"
        root=$(root_offset "$disk")
        run -0 debugfs -R "stat /boot/grub/grub.cfg" "$disk?offset=$root"
        is "$output" 'Fast link dest: "\.\./loader/grub\.cfg"' "/boot/grub/grub.cfg"
        run -0 debugfs -R "cat /boot/loader/grub.cfg" "$disk?offset=$root"
        cfg=$output
        run -0 grep -c "^menuentry " <<<"$cfg"
        is "$output" "^1\$" "menu entries"
        local want
        want=$(sed "s/\([^ ]*\)/'\1'/g" "$OUT/cmdline")
        is "$cfg" "linux '/boot/ostree/berth-[0-9a-f]{64}/vmlinuz-[^']*' ${want//./\\.}"$'\n' "the entry's kernel line"
}

@test "disk.raw boots with SeaBIOS through GRUB to containerd ready" {
        VM_FIRMWARE=bios boot_to_containerd bios
        booted_through_grub bios
        vm_stop bios
}

@test "disk.raw boots with OVMF (UEFI, empty NVRAM) through EFI/BOOT/BOOTX64.EFI to containerd ready" {
        [ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || {
                echo "no OVMF: make deps installs ovmf" >&2
                return 1
        }
        VM_FIRMWARE=uefi boot_to_containerd uefi
        booted_through_grub uefi
        vm_stop uefi
}

@test "disk.qcow2 boots with SeaBIOS through GRUB to containerd ready" {
        VM_FIRMWARE=bios VM_DISK_FORMAT=qcow2 boot_to_containerd qcow2
        booted_through_grub qcow2
        vm_stop qcow2
}
