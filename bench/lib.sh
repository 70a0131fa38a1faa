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
