#!/usr/bin/env bats
# A build whose dracut run reported an error fails. dracut itself goes on,
# with exit status 0, when a file of a module cannot be installed: here the
# recipe leaves out a library berth-init links (libjson-c), so dracut cannot
# put berth-init into the initramfs.
# And dracut leaves a library out without a word when no one names it:
# dracut-install follows the libraries of executable files only, and
# libkmod.so.2.4.0 is 0644, so what libkmod links reaches the initramfs only
# because berth's module names it (as with a newer libkmod that links one
# library more). build-image reads the archive back and names what is missing.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        export RECIPE="$BATS_FILE_TMPDIR/no-libjson-c.toml"
        sed -e 's|^exclude_paths = \[|exclude_paths = [\n    "/usr/lib/x86_64-linux-gnu/libjson-c.so.5*",|' \
                "$BERTH_ROOT/recipes/minimal.toml" >"$RECIPE"
        # A cache of its own: the initramfs stage must run, not come from a cache.
        fresh_cache_with_packages "$BATS_FILE_TMPDIR/cache"

        # build-image installed as under a PREFIX (it finds berth-init and the
        # dracut module beside it), with a module whose list lacks libcrypto.
        local prefix="$BATS_FILE_TMPDIR/prefix"
        mkdir -p "$prefix/bin" "$prefix/lib/berth" "$prefix/share/berth/dracut/90berth"
        cp "$BI" "$prefix/bin/"
        cp "$BERTH_BUILD/berth-init" "$BERTH_BUILD/berth-fetch" "$BERTH_BUILD/berth-ctr" "$prefix/lib/berth/"
        cp -R "$BERTH_ROOT/overlays" "$prefix/share/berth/"
        sed -e 's|\${BERTH_INIT_DLOPEN:?}|${BERTH_INIT_DLOPEN/libcrypto.so.3/}|' \
                "$BERTH_ROOT/init/dracut/90berth/module-setup.sh" >"$prefix/share/berth/dracut/90berth/module-setup.sh"
        fresh_cache_with_packages "$BATS_FILE_TMPDIR/cache-silent"
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

@test "a library dracut leaves out without a word fails the build, named" {
        run -0 grep -F 'BERTH_INIT_DLOPEN/libcrypto.so.3/' "$BATS_FILE_TMPDIR/prefix/share/berth/dracut/90berth/module-setup.sh"
        run -1 --separate-stderr "$BATS_FILE_TMPDIR/prefix/bin/build-image" --cache "$BATS_FILE_TMPDIR/cache-silent" \
                -o "$BATS_FILE_TMPDIR/out-silent" "$BERTH_ROOT/recipes/minimal.toml"
        is "$stderr" "initramfs: libkmod.so.2 needs libcrypto.so.3, not in the archive \(dracut could not install it\?\)" \
                "build-image's message"
        is_not "$stderr" "dracut reported|ERROR" "dracut's own errors (it reports none)"
        run ! test -e "$BATS_FILE_TMPDIR/out-silent/repo"
        run -0 find "$BATS_FILE_TMPDIR/cache-silent" -path '*/initramfs/*' -type f
        is "$output" '^$' "files in the initramfs cache"
}
