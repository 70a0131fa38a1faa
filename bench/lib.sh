# Shared by the benchmarks: timing, medians, ratios. Benchmarks print figures;
# they never fail on a slow machine (targets are printed beside the figures).

BERTH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BERTH_BUILD=${BERTH_BUILD:-$BERTH_ROOT/build}
BENCH_WORK=${BENCH_WORK:-/var/tmp/berth-bench}
BERTH_CACHE=${BERTH_CACHE:-/var/cache/berth}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# figure NAME VALUE UNIT [TARGET]: one aligned line per figure.
figure() { printf '  %-38s %10s %-4s %s\n' "$1" "$2" "$3" "${4:+(target: $4)}"; }

# boot IMAGE_DIR READY_MARKER LOG [LAST_MARKER]: boots once (a copy of the
# disk in $work) and prints the host seconds from QEMU start to the console
# line holding READY_MARKER; fails when it does not come within 300 s. The
# guest then runs until LAST_MARKER (a line printed after the ready line) is
# there too, for at most 30 s. The console is left in LOG. BOOT_APPEND is
# added to the image's kernel command line, BOOT_QEMU_ARGS (an array) to
# QEMU's arguments.
BOOT_APPEND=
BOOT_QEMU_ARGS=()
boot() {
        local img=$1 ready=$2 log=$3 last=${4:-$2}
        cp --sparse=always "$img/disk.raw" "$work/disk.raw"
        : >"$log"
        local t0 t1 rc=0
        t0=$(now)
        qemu-system-x86_64 -machine q35 -m 512 -smp 2 -display none -nodefaults -no-user-config \
                -kernel "$img/vmlinuz" -initrd "$img/initrd.img" -append "$(cat "$img/cmdline")${BOOT_APPEND:+ $BOOT_APPEND}" \
                -drive "file=$work/disk.raw,format=raw,if=virtio" \
                -netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
                "${BOOT_QEMU_ARGS[@]}" \
                -serial "file:$log" -pidfile "$work/qemu.pid" -daemonize
        local deadline=$((SECONDS + 300))
        until grep -qaF "$ready" "$log"; do
                ((SECONDS < deadline)) || { rc=1; break; }
                sleep 0.05
        done
        t1=$(now)
        deadline=$((SECONDS + 30))
        while ((rc == 0 && SECONDS < deadline)) && ! grep -qaF "$last" "$log"; do
                sleep 0.05
        done
        sleep 0.2 # the rest of that line
        kill "$(cat "$work/qemu.pid")" 2>/dev/null || true
        sleep 0.5
        ((rc == 0)) && elapsed "$t0" "$t1"
        return $rc
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# field LOG MARKER N: the Nth word, counting MARKER's own words, of the first
# console line holding MARKER. A getty or kernel message may share the line
# (the serial console interleaves them), so MARKER is looked for anywhere in it.
field() { tr -d '\r' <"$1" | awk -v m="$2" -v f="$3" '(i = index($0, m)) { split(substr($0, i), w, " "); print w[f]; exit }'; }
# field_after LOG AFTER MARKER N: the same, for the first line holding MARKER
# that comes after the first line holding AFTER.
field_after() {
        tr -d '\r' <"$1" | awk -v a="$2" -v m="$3" -v f="$4" \
                'seen && (i = index($0, m)) { split(substr($0, i), w, " "); print w[f]; exit } index($0, a) { seen = 1 }'
}
number() { [[ $1 =~ ^-?[0-9]+([.][0-9]+)?$ ]]; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# m VALUE...: their median, or n/a when there is none (every boot failed).
m() {
        (($# > 0)) || { echo n/a; return; }
        printf '%s\n' "$@" | median
}
# difference A B and ratio_of A B: n/a when either is.
difference() { if number "$1" && number "$2"; then calc "$1 - $2"; else echo n/a; fi; }
ratio_of() { if number "$1" && number "$2"; then ratio "$1" "$2"; else echo n/a; fi; }
