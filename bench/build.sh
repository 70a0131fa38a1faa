#!/bin/bash
# bench/build.sh: how fast build-image builds recipes/minimal.toml, and how
# that compares with mmdebstrap building the same package set from the same
# local package cache.
#   cold         empty stage cache, packages already downloaded
#   warm         nothing changed
#   incremental  one overlay file changed
# Prints figures and ratios; the targets are in the issue and docs/testing.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[[ $(id -u) -eq 0 ]] || { echo "bench/build.sh needs root (as build-image does)" >&2; exit 1; }
BI=$BERTH_BUILD/build-image
work=$BENCH_WORK/build
rm -rf "$work"
mkdir -p "$work/overlay/etc"
echo "bench $(date +%s)" >"$work/overlay/etc/motd"
recipe=$work/minimal.toml
# After the recipe's own overlays (berth:NAME, found beside build-image).
sed -e 's|^paths = \[\(.*\)\]$|paths = [\1, "overlay"]|' \
        "$BERTH_ROOT/recipes/minimal.toml" >"$recipe"

# Downloads happen once, outside the timings, into the shared cache.
"$BI" --quiet --cache "$BERTH_CACHE" -o "$work/seed" "$recipe" >/dev/null

cold_cache=$work/cache
mkdir -p "$cold_cache"
cp -al "$BERTH_CACHE/apt" "$cold_cache/apt"

t0=$(now)
"$BI" --quiet --cache "$cold_cache" -o "$work/out" "$recipe" >/dev/null
t1=$(now)
"$BI" --quiet --cache "$cold_cache" -o "$work/out" "$recipe" >/dev/null
t2=$(now)
echo "bench $(date +%s.%N)" >"$work/overlay/etc/motd"
"$BI" --quiet --cache "$cold_cache" -o "$work/out" "$recipe" >/dev/null
t3=$(now)

cold=$(elapsed "$t0" "$t1")
warm=$(elapsed "$t1" "$t2")
incr=$(elapsed "$t2" "$t3")
tree=$(jq -r .tree_size "$work/out/manifest.json")
npkg=$(jq -r '.packages | length' "$work/out/manifest.json")
pkgs=$(jq -r '[.packages[].name] | join(",")' "$work/out/manifest.json")

# The reference: mmdebstrap, same packages, from a local repository made of
# the same .debs (no network), into a directory. Its extra essential
# packages come from the build host's sources once, then from its cache too.
ref_repo=$work/ref-repo
mkdir -p "$ref_repo"
jq -r '.packages[] | "\(.name)_\(.version|sub(":";"%3a"))_\(.architecture).deb"' "$work/out/manifest.json" |
        while read -r f; do ln -f "$BERTH_CACHE/apt/archives/$f" "$ref_repo/"; done
mm_cache=$BERTH_CACHE/bench-mmdebstrap-debs
mkdir -p "$mm_cache"
mmdeb() {
        mmdebstrap --quiet --variant=essential --include="$pkgs" --skip=cleanup/apt/cache \
                --setup-hook="mkdir -p \"\$1/var/cache/apt/archives\"; cp -l $mm_cache/*.deb $ref_repo/*.deb \"\$1/var/cache/apt/archives/\" 2>/dev/null || cp $mm_cache/*.deb $ref_repo/*.deb \"\$1/var/cache/apt/archives/\" 2>/dev/null || true" \
                --customize-hook="cp -n \"\$1\"/var/cache/apt/archives/*.deb $mm_cache/ 2>/dev/null || true" \
                bookworm "$1" >/dev/null 2>&1
}
mmdeb "$work/ref-seed" || true # fills mm_cache; not timed
rm -rf "$work/ref-seed"
t4=$(now)
if mmdeb "$work/ref"; then
        t5=$(now)
        mm=$(elapsed "$t4" "$t5")
        mm_size=$(du -sb "$work/ref" | cut -f1)
else
        mm=n/a
        mm_size=0
fi

echo "build-image, recipes/minimal.toml ($npkg packages), $(nproc) cores"
figure "cold build (packages cached)" "$cold" s "faster than mmdebstrap"
figure "warm rebuild (nothing changed)" "$warm" s "<= 15 s"
figure "incremental (one overlay file)" "$incr" s "<= 10 s"
figure "tree size" "$(awk -v b="$tree" 'BEGIN{printf "%.1f", b/1e6}')" MB "<= 160 MB"
echo "reference: mmdebstrap --variant=essential, same packages, local cache"
figure "mmdebstrap" "$mm" s
figure "mmdebstrap tree size" "$(awk -v b="$mm_size" 'BEGIN{printf "%.1f", b/1e6}')" MB
echo "ratios (berth / mmdebstrap)"
figure "cold build" "$(ratio "$cold" "$mm")" x "< 1"
figure "warm rebuild" "$(ratio "$warm" "$mm")" x
figure "incremental" "$(ratio "$incr" "$mm")" x
figure "tree size" "$(ratio "$tree" "$mm_size")" x
rm -rf "$work/ref" "$work/seed"
