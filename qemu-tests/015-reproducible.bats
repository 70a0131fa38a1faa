#!/usr/bin/env bats
# The same recipe gives the same commit id from any checkout: two clones of
# this repository in folders of different path lengths, each built with
# `make all`, build recipes/minimal.toml with the same SOURCE_DATE_EPOCH and
# the suite's shared cache. berth-init goes into the image, so a checkout's
# folder that reached it (debug information, and the GNU build-id that hashes
# it) would change the commit id.

bats_require_minimum_version 1.5.0
load helpers
load vm

# clone_and_build DIR: a clone of this checkout's HEAD, built.
clone_and_build() {
        git clone --quiet "$BERTH_ROOT" "$1"
        make -C "$1" --no-print-directory -s -j2 all >"$1.make.log" 2>&1 || {
                cat "$1.make.log" >&2
                return 1
        }
}

# build_minimal DIR OUT: recipes/minimal.toml built by DIR's build-image; prints the commit id.
build_minimal() {
        SOURCE_DATE_EPOCH=1700000000 "$1/build/build-image" --json --cache "$BERTH_TEST_CACHE" \
                -o "$2" "$1/recipes/minimal.toml" >"$2.json" 2>"$2.log" || {
                cat "$2.log" >&2
                return 1
        }
        jq -r .commit "$2.json"
}

setup_file() {
        export A="$BATS_FILE_TMPDIR/a" B="$BATS_FILE_TMPDIR/a-checkout-in-a-folder-with-a-longer-path/b"
        mkdir -p "$(dirname "$B")"
        clone_and_build "$A"
        clone_and_build "$B"
}

@test "berth's programs in the image hold no checkout's folder and are the same from both checkouts" {
        for p in berth-init berth-fetch berth-ctr; do
                run -1 grep -c -F "$BATS_FILE_TMPDIR" "$A/build/$p"
                run -1 grep -c -F "$BATS_FILE_TMPDIR" "$B/build/$p"
                run -0 cmp "$A/build/$p" "$B/build/$p"
        done
}

@test "recipes/minimal.toml gives the same commit id from both checkouts" {
        run -0 build_minimal "$A" "$BATS_FILE_TMPDIR/out-a"
        is "$output" '^[0-9a-f]{64}$' "commit id from $A"
        local first=$output
        run -0 build_minimal "$B" "$BATS_FILE_TMPDIR/out-b"
        is "$output" "^$first\$" "commit id from $B"
}

@test "both disks have the same partition table, bootloader (MBR, BIOS boot partition, ESP) and root file system UUID" {
        # The builds of the test above.
        local a="$BATS_FILE_TMPDIR/out-a/disk.raw" b="$BATS_FILE_TMPDIR/out-b/disk.raw" root
        [ -f "$a" ]
        [ -f "$b" ]
        run -0 sfdisk -d "$a"
        local table_a=${output//$a/DISK}
        run -0 sfdisk -d "$b"
        is "${output//$b/DISK}" "^${table_a//./\\.}\$" "partition table"
        root=$(root_offset "$a")
        run -0 cmp -n "$root" "$a" "$b"
        run -0 blkid -p -O "$root" -s UUID -o value "$a"
        local uuid=$output
        [ -n "$uuid" ]
        run -0 blkid -p -O "$root" -s UUID -o value "$b"
        is "$output" "^$uuid\$" "root file system UUID"
}
