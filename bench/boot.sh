#!/bin/bash
# bench/boot.sh [N=3]: boots the minimal image N times and the reference
# (Debian 12 + systemd + containerd, bench/reference.sh) N times, same QEMU
# (q35, 512 MiB, 2 vCPUs, software emulation, direct kernel boot), and prints
# medians and berth/reference ratios:
#   QEMU start -> kernel execs /init
#   /init -> stage 2 (berth only)
#   stage 2 -> containerd ready (berth only)
#   QEMU start -> containerd ready (both: the figure to halve)
#   guest memory in use once ready, PID 1's RSS
set -euo pipefail
source "$(dirname "$0")/lib.sh"

N=${1:-3}
[[ $(id -u) -eq 0 ]] || { echo "bench/boot.sh needs root (as build-image does)" >&2; exit 1; }
work=$BENCH_WORK/boot
mkdir -p "$work"
"$BERTH_BUILD/build-image" --quiet --cache "$BERTH_CACHE" -o "$work/minimal" "$BERTH_ROOT/recipes/minimal.toml" >/dev/null
"$(dirname "$0")/reference.sh" "$BERTH_CACHE/bench-reference"
ref=$BERTH_CACHE/bench-reference

# boot IMAGE_DIR READY_REGEX LOG: boots once, prints the host seconds from
# QEMU start to the READY line; the console is left in LOG.
boot() {
        local img=$1 ready=$2 log=$3
        cp --sparse=always "$img/disk.raw" "$work/disk.raw"
        : >"$log"
        local t0 t1
        t0=$(now)
        qemu-system-x86_64 -machine q35 -m 512 -smp 2 -display none -nodefaults -no-user-config \
                -kernel "$img/vmlinuz" -initrd "$img/initrd.img" -append "$(cat "$img/cmdline")" \
                -drive "file=$work/disk.raw,format=raw,if=virtio" \
                -netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
                -serial "file:$log" -pidfile "$work/qemu.pid" -daemonize
        local deadline=$((SECONDS + 300))
        until grep -qE "$ready" "$log"; do
                ((SECONDS < deadline)) || { echo "timeout: $ready" >&2; break; }
                sleep 0.05
        done
        t1=$(now)
        kill "$(cat "$work/qemu.pid")" 2>/dev/null || true
        sleep 0.5
        elapsed "$t0" "$t1"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
field() { grep -E "$2" "$1" | head -1 | awk -v f="$3" '{print $f}'; }

declare -a b_user b_s1 b_total b_init b_stage2 b_ready b_mem b_rss b_cpu r_total r_init r_mem r_rss
for i in $(seq "$N"); do
        log=$work/berth-$i.log
        total=$(boot "$work/minimal" "^berth: containerd ready" "$log")
        stage1=$(field "$log" "^berth: stage1 " 3)
        b_s1+=("$stage1")
        stage2=$(field "$log" "^berth: stage2 " 3)
        ready=$(field "$log" "^berth: containerd ready " 4)
        # kernel start = QEMU start + (total - ready uptime)
        b_total+=("$total")
        b_init+=("$(awk -v t="$total" -v r="$ready" -v s="$stage1" 'BEGIN{printf "%.2f", t - r + s}')")
        b_stage2+=("$(awk -v a="$stage1" -v b="$stage2" 'BEGIN{printf "%.2f", b - a}')")
        b_ready+=("$(awk -v a="$stage2" -v b="$ready" 'BEGIN{printf "%.2f", b - a}')")
        b_mem+=("$(field "$log" "^berth: memory used" 4)")
        b_rss+=("$(field "$log" "^berth: memory used" 8)")
        b_cpu+=("$(field "$log" "^berth: memory used" 12)")
        b_user+=("$(field "$log" "^berth: memory used" 15)")

        log=$work/ref-$i.log
        total=$(boot "$ref" "^REF: containerd ready" "$log")
        ready=$(field "$log" "^REF: containerd ready" 4)
        r_total+=("$total")
        # The reference boots with "quiet": the kernel does not say when it ran
        # /init, so only QEMU start -> kernel start is known for it.
        r_init+=("$(awk -v t="$total" -v r="$ready" 'BEGIN{printf "%.2f", t - r}')")
        r_mem+=("$(field "$log" "^REF: containerd ready" 6)")
        r_rss+=("$(field "$log" "^REF: containerd ready" 10)")
done

m() { printf '%s\n' "$@" | median; }
bt=$(m "${b_total[@]}") rt=$(m "${r_total[@]}")
bi=$(m "${b_init[@]}") ri=$(m "${r_init[@]}")
bm=$(m "${b_mem[@]}") rm_=$(m "${r_mem[@]}")
br=$(m "${b_rss[@]}") rr=$(m "${r_rss[@]}")
bs2=$(m "${b_stage2[@]}") brd=$(m "${b_ready[@]}") bc=$(m "${b_cpu[@]}") bu=$(m "${b_user[@]}")

echo "boot, medians of $N (QEMU q35, 512 MiB, 2 vCPUs, no KVM)"
echo "berth (recipes/minimal.toml)"
figure "QEMU start -> kernel starts" "$(awk -v a="$bi" -v b="$(m "${b_s1[@]}")" 'BEGIN{printf "%.2f", a - b}')" s
figure "QEMU start -> kernel execs /init" "$bi" s
figure "/init -> stage 2" "$bs2" s
figure "stage 2 -> containerd ready" "$brd" s
figure "QEMU start -> containerd ready" "$bt" s "<= 0.5 x reference"
figure "guest memory in use (ready)" "$bm" MiB "< 96 MiB"
figure "berth-init RSS" "$br" MiB "< 4 MiB"
figure "berth-init's own CPU, /init to ready" "$bc" ms "< 300 ms"
figure "  of which user space" "$bu" ms
echo "reference (Debian 12, systemd, containerd, runc; mmdebstrap)"
figure "QEMU start -> kernel starts" "$ri" s
figure "QEMU start -> containerd ready" "$rt" s
figure "guest memory in use (ready)" "$rm_" MiB
figure "systemd RSS" "$rr" MiB
echo "ratios (berth / reference)"
figure "containerd ready" "$(ratio "$bt" "$rt")" x "<= 0.5"
figure "memory in use" "$(ratio "$bm" "$rm_")" x
figure "PID 1 RSS" "$(ratio "$br" "$rr")" x
