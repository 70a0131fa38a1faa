#!/usr/bin/env bats
# A build whose dracut run reported an error fails. dracut itself goes on,
# with exit status 0, when a file of a module cannot be installed: here the
# recipe leaves out a library berth-init links (libblkid), so dracut cannot
# put berth-init into the initramfs.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        export RECIPE="$BATS_FILE_TMPDIR/no-libblkid.toml"
        sed -e 's|^exclude_paths = \[|exclude_paths = [\n    "/usr/lib/x86_64-linux-gnu/libblkid.so.1*",|' \
                "$BERTH_ROOT/recipes/minimal.toml" >"$RECIPE"
        # A cache of its own: the initramfs stage must run, not come from a cache.
        fresh_cache_with_packages "$BATS_FILE_TMPDIR/cache"
}

@test "dracut's errors fail the build, with dracut's messages and a clear last word" {
        run -1 --separate-stderr "$BI" --cache "$BATS_FILE_TMPDIR/cache" -o "$BATS_FILE_TMPDIR/out" "$RECIPE"
        is "$stderr" "dracut-install: ERROR: installing '/usr/lib/berth/berth-init'" "dracut-install's message"
        is "$stderr" "dracut reported [0-9]+ errors? \(above\), though its status was 0" "build-image's message"
        run ! test -e "$BATS_FILE_TMPDIR/out/repo"
}

@test "no initramfs of a failed dracut run is kept in the cache" {
        run -0 find "$BATS_FILE_TMPDIR/cache" -path '*/initramfs/*' -type f
        is "$output" '^$' "files in the initramfs cache"
}
