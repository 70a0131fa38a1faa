#!/bin/bash
# bench/state.sh [N=3]: a host told what to run. Boots, N times each in the
# same run, the minimal image with a host state document in fw_cfg (pinned by
# berth.state.sha256=) naming one small container, and the reference (Debian
# 12 + systemd + containerd, bench/reference.sh) whose unit waits for the
# network, pulls the same image with `ctr image pull --plain-http` and runs it
# with `ctr run`. The image (a static busybox in one layer) is on a registry
# this script starts on 127.0.0.1 (Debian's docker-registry), which the
# guests reach at 10.0.2.2 over plain http. The container prints one line
# holding its own uptime, then sleeps. Prints medians and berth/reference
# ratios of:
#   QEMU start -> containerd ready
#   QEMU start -> state applied (berth: its "state applied" line; the
#                 reference: the moment its unit starts pulling)
#   QEMU start -> the container's first output line
#   containerd ready -> the container's first output line, and for berth
#                 its parts: to berth-ctr's "pulling" line, from there to
#                 "container bench running" (CRI PullImage, the task created
#                 and started), from there to the first line
#   PID 1's RSS with the container running (berth: the memory line printed
#                 right after "container bench running"; the reference:
#                 systemd's VmRSS read after the container's first line)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

N=${1:-${BENCH_BOOTS:-3}}
[[ $(id -u) -eq 0 ]] || { echo "bench/state.sh needs root (as build-image does)" >&2; exit 1; }
for tool in docker-registry qemu-system-x86_64 curl python3; do
        command -v "$tool" >/dev/null || { echo "bench/state.sh needs $tool" >&2; exit 1; }
done
busybox=${BUSYBOX:-/bin/busybox}
[[ -x $busybox ]] || { echo "bench/state.sh needs a static busybox at $busybox (busybox-static)" >&2; exit 1; }

work=$BENCH_WORK/state
rm -rf "$work"
mkdir -p "$work/registry"
"$BERTH_BUILD/build-image" --quiet --cache "$BERTH_CACHE" -o "$work/minimal" "$BERTH_ROOT/recipes/minimal.toml" >/dev/null
"$(dirname "$0")/reference.sh" "$BERTH_CACHE/bench-reference" >"$work/reference-build.log"
ref=$BERTH_CACHE/bench-reference

# The registry, on a free port of 127.0.0.1, and the image on it.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
trap 'kill "$registry_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
        curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break
        sleep 0.2
done
curl -fs "http://127.0.0.1:$port/v2/" >/dev/null ||
        { echo "bench/state.sh: docker-registry did not answer on 127.0.0.1:$port ($work/registry.log)" >&2; exit 1; }
python3 "$BERTH_ROOT/qemu-tests/make-oci-image.py" "$busybox" "$work/image.tar" berth/bench:1
python3 "$BERTH_ROOT/init/tests/push-oci-image.py" "$work/image.tar" "127.0.0.1:$port" berth/bench:1 >/dev/null
image=10.0.2.2:$port/berth/bench:1

# What the container runs, in both: its first line says when it ran (the
# kernel's uptime, which a container shares), then it stays up.
command='read -r up rest </proc/uptime; echo "bench-output $up"; exec sleep 100000'
marker="bench-output "

cat >"$work/state.toml" <<TOML
version = 1

[[registries]]
host = "10.0.2.2:$port"
plain_http = true

[[containers]]
name = "bench"
image = "$image"
command = ["/bin/sh", "-c", '$command']
TOML
"$BERTH_BUILD/berthctl" check "$work/state.toml" >/dev/null
pin=$(sha256sum "$work/state.toml" | cut -d' ' -f1)

# berth_figures LOG TOTAL: one boot's figures into the b_* arrays; fails
# (and adds nothing) when a line is missing. TOTAL is QEMU start -> the
# container's first line; the others follow from the guest's uptimes.
berth_figures() {
        local log=$1 total=$2 ready applied first rss pulling running v
        ready=$(field "$log" "berth: containerd ready " 4)
        applied=$(field "$log" "berth: state applied " 6)
        first=$(field "$log" "$marker" 2)
        rss=$(field_after "$log" "berth: container bench running" "berth: memory used" 8)
        # berth-ctr's "pulling" line has only PID 1's time stamp: "[   5.616] bench: ..."
        pulling=$(tr -d '\r' <"$log" | sed -nE 's/^\[ *([0-9.]+)\] bench: berth-ctr: bench: pulling .*/\1/p' | head -n1)
        running=$(field "$log" "berth: container bench running " 5)
        for v in "$ready" "$applied" "$first" "$rss" "$pulling" "$running"; do
                number "$v" || return 1
        done
        b_pull+=("$(calc "$pulling - $ready")")
        b_create+=("$(calc "$running - $pulling")")
        b_out+=("$(calc "$first - $running")")
        b_first+=("$total")
        b_ready+=("$(calc "$total - ($first - $ready)")")
        b_applied+=("$(calc "$total - ($first - $applied)")")
        b_after+=("$(calc "$first - $ready")")
        b_rss+=("$rss")
}

# ref_figures LOG TOTAL: the same for a reference boot, into the r_* arrays.
ref_figures() {
        local log=$1 total=$2 ready applied first rss v
        ready=$(field "$log" "REF: containerd ready" 4)
        applied=$(field "$log" "REF: pulling" 3)
        first=$(field "$log" "$marker" 2)
        rss=$(field "$log" "REF: systemd rss" 4)
        for v in "$ready" "$applied" "$first" "$rss"; do
                number "$v" || return 1
        done
        r_first+=("$total")
        r_ready+=("$(calc "$total - ($first - $ready)")")
        r_applied+=("$(calc "$total - ($first - $applied)")")
        r_after+=("$(calc "$first - $ready")")
        r_rss+=("$rss")
}

b_first=() b_ready=() b_applied=() b_after=() b_rss=() b_pull=() b_create=() b_out=()
r_first=() r_ready=() r_applied=() r_after=() r_rss=() failed=()
for i in $(seq "$N"); do
        log=$work/berth-$i.log
        BOOT_APPEND="berth.state.sha256=$pin"
        BOOT_QEMU_ARGS=(-fw_cfg "name=opt/org.berth/state,file=$work/state.toml")
        if total=$(boot "$work/minimal" "$marker" "$log" "berth: memory used"); then
                berth_figures "$log" "$total" || failed+=("berth boot $i: a figure is missing from the console ($log)")
        else
                failed+=("berth boot $i: no container output within 300 s ($log)")
        fi

        log=$work/ref-$i.log
        BOOT_APPEND="bench.image=$image bench.command=$(printf '%s' "$command" | base64 -w0)"
        BOOT_QEMU_ARGS=()
        if total=$(boot "$ref" "$marker" "$log" "REF: systemd rss"); then
                ref_figures "$log" "$total" || failed+=("reference boot $i: a figure is missing from the console ($log)")
        else
                failed+=("reference boot $i: no container output within 300 s ($log)")
        fi
done

bf=$(m "${b_first[@]}") rf=$(m "${r_first[@]}")
brd=$(m "${b_ready[@]}") rrd=$(m "${r_ready[@]}")
ba=$(m "${b_applied[@]}") ra=$(m "${r_applied[@]}")
baf=$(m "${b_after[@]}") raf=$(m "${r_after[@]}")
br=$(m "${b_rss[@]}") rr=$(m "${r_rss[@]}")

echo "host state and one container, medians of the boots that succeeded (QEMU q35, 512 MiB, 2 vCPUs, no KVM)"
echo "berth (recipes/minimal.toml, state in fw_cfg), ${#b_first[@]} of $N boots"
figure "QEMU start -> containerd ready" "$brd" s
figure "QEMU start -> state applied" "$ba" s
figure "QEMU start -> container's first line" "$bf" s "<= 0.3 x reference"
figure "containerd ready -> first line" "$baf" s "<= 1 s"
figure "  ready -> berth-ctr starts its pull" "$(m "${b_pull[@]}")" s
figure "  pull, create, start (containerd)" "$(m "${b_create[@]}")" s
figure "  task started -> first line" "$(m "${b_out[@]}")" s
figure "PID 1 RSS, one container running" "$br" MiB "< 3 MiB"
echo "reference (Debian 12, systemd, containerd, ctr pull + ctr run), ${#r_first[@]} of $N boots"
figure "QEMU start -> containerd ready" "$rrd" s
figure "QEMU start -> unit starts pulling" "$ra" s
figure "QEMU start -> container's first line" "$rf" s
figure "containerd ready -> first line" "$raf" s
figure "systemd RSS, one container running" "$rr" MiB
echo "ratios (berth / reference)"
figure "containerd ready" "$(ratio_of "$brd" "$rrd")" x
figure "state applied / pulling starts" "$(ratio_of "$ba" "$ra")" x
figure "container's first line" "$(ratio_of "$bf" "$rf")" x "<= 0.3"
figure "containerd ready -> first line" "$(ratio_of "$baf" "$raf")" x
figure "PID 1 RSS" "$(ratio_of "$br" "$rr")" x
if ((${#failed[@]} > 0)); then
        echo "failed boots (not in the medians):"
        printf '  %s\n' "${failed[@]}"
        exit 1
fi
