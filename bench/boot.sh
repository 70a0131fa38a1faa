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

# berth_figures LOG TOTAL: one boot's figures into the b_* arrays; fails
# (and adds nothing) when a line is missing.
berth_figures() {
        local log=$1 total=$2 stage1 stage2 ready mem rss cpu user v
        stage1=$(field "$log" "berth: stage1 " 3)
        stage2=$(field "$log" "berth: stage2 " 3)
        ready=$(field "$log" "berth: containerd ready " 4)
        mem=$(field "$log" "berth: memory used" 4)
        rss=$(field "$log" "berth: memory used" 8)
        cpu=$(field "$log" "berth: memory used" 12)
        user=$(field "$log" "berth: memory used" 15)
        for v in "$stage1" "$stage2" "$ready" "$mem" "$rss" "$cpu" "$user"; do
                number "$v" || return 1
        done
        b_total+=("$total")
        b_s1+=("$stage1")
        # kernel start = QEMU start + (total - ready uptime)
        b_init+=("$(calc "$total - $ready + $stage1")")
        b_stage2+=("$(calc "$stage2 - $stage1")")
        b_ready+=("$(calc "$ready - $stage2")")
        b_mem+=("$mem")
        b_rss+=("$rss")
        b_cpu+=("$cpu")
        b_user+=("$user")
}

# ref_figures LOG TOTAL: the same for a reference boot, into the r_* arrays.
ref_figures() {
        local log=$1 total=$2 ready mem rss v
        ready=$(field "$log" "REF: containerd ready" 4)
        mem=$(field "$log" "REF: containerd ready" 6)
        rss=$(field "$log" "REF: containerd ready" 10)
        for v in "$ready" "$mem" "$rss"; do
                number "$v" || return 1
        done
        r_total+=("$total")
        # The reference boots with "quiet": the kernel does not say when it ran
        # /init, so only QEMU start -> kernel start is known for it.
        r_init+=("$(calc "$total - $ready")")
        r_mem+=("$mem")
        r_rss+=("$rss")
}

b_user=() b_s1=() b_total=() b_init=() b_stage2=() b_ready=() b_mem=() b_rss=() b_cpu=()
r_total=() r_init=() r_mem=() r_rss=() failed=()
for i in $(seq "$N"); do
        log=$work/berth-$i.log
        if total=$(boot "$work/minimal" "berth: containerd ready" "$log" "berth: memory used"); then
                berth_figures "$log" "$total" || failed+=("berth boot $i: a figure is missing from the console ($log)")
        else
                failed+=("berth boot $i: no 'containerd ready' within 300 s ($log)")
        fi

        log=$work/ref-$i.log
        if total=$(boot "$ref" "REF: containerd ready" "$log"); then
                ref_figures "$log" "$total" || failed+=("reference boot $i: a figure is missing from the console ($log)")
        else
                failed+=("reference boot $i: no 'containerd ready' within 300 s ($log)")
        fi
done

bt=$(m "${b_total[@]}") rt=$(m "${r_total[@]}")
bi=$(m "${b_init[@]}") ri=$(m "${r_init[@]}")
bm=$(m "${b_mem[@]}") rm_=$(m "${r_mem[@]}")
br=$(m "${b_rss[@]}") rr=$(m "${r_rss[@]}")
bs2=$(m "${b_stage2[@]}") brd=$(m "${b_ready[@]}") bc=$(m "${b_cpu[@]}") bu=$(m "${b_user[@]}")

echo "boot, medians of the boots that succeeded (QEMU q35, 512 MiB, 2 vCPUs, no KVM)"
echo "berth (recipes/minimal.toml), ${#b_total[@]} of $N boots"
figure "QEMU start -> kernel starts" "$(difference "$bi" "$(m "${b_s1[@]}")")" s
figure "QEMU start -> kernel execs /init" "$bi" s
figure "/init -> stage 2" "$bs2" s
figure "stage 2 -> containerd ready" "$brd" s
figure "QEMU start -> containerd ready" "$bt" s "<= 0.5 x reference"
figure "guest memory in use (ready)" "$bm" MiB "< 96 MiB"
figure "berth-init RSS" "$br" MiB "< 4 MiB"
figure "berth-init's own CPU, /init to ready" "$bc" ms "< 300 ms"
figure "  of which user space" "$bu" ms
echo "reference (Debian 12, systemd, containerd, runc; mmdebstrap), ${#r_total[@]} of $N boots"
figure "QEMU start -> kernel starts" "$ri" s
figure "QEMU start -> containerd ready" "$rt" s
figure "guest memory in use (ready)" "$rm_" MiB
figure "systemd RSS" "$rr" MiB
echo "ratios (berth / reference)"
figure "containerd ready" "$(ratio_of "$bt" "$rt")" x "<= 0.5"
figure "memory in use" "$(ratio_of "$bm" "$rm_")" x
figure "PID 1 RSS" "$(ratio_of "$br" "$rr")" x
if ((${#failed[@]} > 0)); then
        echo "failed boots (not in the medians):"
        printf '  %s\n' "${failed[@]}"
        exit 1
fi
