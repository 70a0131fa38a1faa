# Starting, watching and stopping QEMU test VMs (software emulation, q35,
# 512 MiB, 2 vCPUs, direct kernel boot unless VM_FIRMWARE says otherwise).
# Each VM lives in $BATS_FILE_TMPDIR/vm-NAME:
#   disk.raw     its own copy of the image's disk
#   console.log  ttyS0, berth-init's console
#   shell.sock   ttyS1, the debug image's shell (guest.py shell)
#   qmp.sock     QEMU's monitor (guest.py qmp / key)
# Every VM started is killed by vm_stop_all (teardown_file).

GUEST_PY="$BATS_TEST_DIRNAME/guest.py"
VM_MEMORY=${VM_MEMORY:-512}

vm_dir() { echo "$BATS_FILE_TMPDIR/vm-$1"; }

# vm_start NAME IMAGE_OUTDIR [EXTRA KERNEL ARGS...]
# Boots IMAGE_OUTDIR's vmlinuz/initrd.img/cmdline with a copy of its disk.
# VM_CMDLINE, when set, replaces the image's cmdline entirely.
# VM_FIRMWARE=bios (SeaBIOS, QEMU's default) or uefi (OVMF, its VARS copied
# into the VM's folder; VM_OVMF_CODE/VM_OVMF_VARS name others) boots the disk
# through its bootloader instead: no kernel, initrd or arguments from outside;
# with VM_DISK_FORMAT=qcow2 the disk is a copy of the image's disk.qcow2.
vm_start() {
        local name=$1 img=$2
        shift 2
        local dir
        dir=$(vm_dir "$name")
        mkdir -p "$dir"
        [[ ${VM_DISK_FORMAT:-raw} != raw || -f $dir/disk.raw ]] || cp --sparse=always "$img/disk.raw" "$dir/disk.raw"
        local cmdline=${VM_CMDLINE:-$(cat "$img/cmdline")}
        [[ $# -gt 0 ]] && cmdline="$cmdline $*"
        # VM_NO_NET=1: no network card at all (DHCP never answers).
        # VM_NETDEV_OPTS: more options of the user network (restrict=on,guestfwd=...).
        local net=(-netdev "user,id=n0${VM_NETDEV_OPTS:+,$VM_NETDEV_OPTS}" -device virtio-net-pci,netdev=n0)
        [[ -n ${VM_NO_NET:-} ]] && net=()
        local boot=(-kernel "$img/vmlinuz" -initrd "$img/initrd.img" -append "$cmdline"
                -drive "file=$dir/disk.raw,format=raw,if=virtio")
        case ${VM_FIRMWARE:-direct} in
        direct) ;;
        bios | uefi)
                # The disk first; no option ROM on the network card, whose
                # PXE attempt would cost seconds.
                local format=${VM_DISK_FORMAT:-raw}
                [[ -f $dir/disk.$format ]] || cp --sparse=always "$img/disk.$format" "$dir/disk.$format"
                boot=(-drive "if=none,id=d0,file=$dir/disk.$format,format=$format"
                        -device virtio-blk-pci,drive=d0,bootindex=0)
                [[ -n ${VM_NO_NET:-} ]] || net=(-netdev "user,id=n0${VM_NETDEV_OPTS:+,$VM_NETDEV_OPTS}"
                        -device virtio-net-pci,netdev=n0,romfile=)
                if [[ $VM_FIRMWARE == uefi ]]; then
                        [[ -f $dir/vars.fd ]] || cp "${VM_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}" "$dir/vars.fd"
                        boot+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=${VM_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}"
                                -drive "if=pflash,format=raw,unit=1,file=$dir/vars.fd")
                fi
                ;;
        *)
                echo "vm_start: VM_FIRMWARE=$VM_FIRMWARE is none of direct, bios, uefi" >&2
                return 1
                ;;
        esac
        rm -f "$dir/console.log" "$dir/shell.sock" "$dir/qmp.sock"
        : >"$dir/console.log"
        qemu-system-x86_64 -machine q35 -m "$VM_MEMORY" -smp 2 -display none -nodefaults -no-user-config \
                "${boot[@]}" \
                "${net[@]}" \
                -serial "file:$dir/console.log" \
                -chardev "socket,id=sh,path=$dir/shell.sock,server=on,wait=off" -serial chardev:sh \
                -qmp "unix:$dir/qmp.sock,server=on,wait=off" \
                ${VM_EXTRA_ARGS:-} -pidfile "$dir/qemu.pid" -daemonize
}

# vm_pid NAME: QEMU's PID; empty (and status 0) once it has ended and removed its pid file.
vm_pid() { cat "$(vm_dir "$1")/qemu.pid" 2>/dev/null || true; }

vm_running() {
        local pid
        pid=$(vm_pid "$1")
        [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

# vm_wait NAME REGEX [TIMEOUT=120] [COUNT=1]: waits until the console shows REGEX COUNT times.
vm_wait() {
        local name=$1 re=$2 timeout=${3:-120} count=${4:-1} log
        log="$(vm_dir "$name")/console.log"
        local deadline=$((SECONDS + timeout))
        while ((SECONDS < deadline)); do
                if (($(grep -cE -- "$re" "$log" 2>/dev/null || true) >= count)); then
                        return 0
                fi
                sleep 0.2
        done
        echo "vm_wait $name: no '$re' (x$count) within ${timeout}s; console:" >&2
        tail -40 "$log" >&2
        return 1
}

vm_console() { cat "$(vm_dir "$1")/console.log"; }

# vm_run NAME COMMAND...: runs a command in the debug image's shell.
vm_run() {
        local name=$1
        shift
        python3 "$GUEST_PY" shell "$(vm_dir "$name")/shell.sock" "$@"
}

vm_qmp() { python3 "$GUEST_PY" qmp "$(vm_dir "$1")/qmp.sock" "$2"; }
vm_keys() {
        local name=$1
        shift
        python3 "$GUEST_PY" key "$(vm_dir "$name")/qmp.sock" "$@"
}

# vm_wait_exit NAME [TIMEOUT=60]: waits for QEMU to end (poweroff, or reboot with -no-reboot).
vm_wait_exit() {
        local name=$1 timeout=${2:-60}
        local deadline=$((SECONDS + timeout))
        while ((SECONDS < deadline)); do
                vm_running "$name" || return 0
                sleep 0.2
        done
        echo "vm_wait_exit $name: still running after ${timeout}s" >&2
        tail -20 "$(vm_dir "$name")/console.log" >&2
        return 1
}

vm_stop() {
        local pid
        pid=$(vm_pid "$1")
        [[ -n $pid ]] && kill "$pid" 2>/dev/null
        vm_wait_exit "$1" 10 >/dev/null 2>&1 || kill -9 "$pid" 2>/dev/null
        true
}

vm_stop_all() {
        local d
        for d in "$BATS_FILE_TMPDIR"/vm-*; do
                [[ -d $d ]] && vm_stop "${d##*/vm-}"
        done
        true
}

# root_offset DISK: the byte offset of the berth-root partition.
root_offset() {
        sfdisk -J "$1" | jq -er '.partitiontable as $t | $t.partitions[] | select(.name == "berth-root") | .start * ($t.sectorsize // 512)'
}

# fsck_disk NAME: e2fsck -n of the VM's root file system.
fsck_disk() {
        local disk
        disk="$(vm_dir "$1")/disk.raw"
        e2fsck -fn "$disk?offset=$(root_offset "$disk")"
}

# vm_send NAME COMMAND...: types a command into the shell and does not wait (poweroff, reboot).
vm_send() {
        local name=$1
        shift
        python3 "$GUEST_PY" send "$(vm_dir "$name")/shell.sock" "$@"
}

# milestone NAME WHAT [N=1]: the seconds of the Nth "berth: WHAT <seconds>" line.
milestone() {
        tr -d '\r' <"$(vm_dir "$1")/console.log" | grep -E "^berth: $2 [0-9.]+\$" | sed -n "${3:-1}p" | awk '{print $NF}'
}
