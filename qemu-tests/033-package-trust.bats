#!/usr/bin/env bats
# Packages are trusted by the hash apt's signed index names, never by their
# file name: the archive folder of .debs is shared by every set of sources,
# so a file there may be another source's package of the same name, or a
# file changed in place.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        export RECIPE="$BATS_FILE_TMPDIR/minimal.toml" CACHE="$BATS_FILE_TMPDIR/cache"
        sed -e "s|\"\.\./overlays/|\"$BERTH_ROOT/overlays/|g" "$BERTH_ROOT/recipes/minimal.toml" >"$RECIPE"
        # A copy, not hard links: the tests change files of this archive.
        mkdir -p "$CACHE"
        cp -a "$BERTH_TEST_CACHE/apt" "$CACHE/apt"
        export DEB=$(cd "$CACHE/apt/archives" && ls base-passwd_*_amd64.deb | head -1)
        export GOOD=$(sha256sum <"$CACHE/apt/archives/$DEB" | cut -d' ' -f1)
}

# Another base-passwd of the same name, version and architecture, as a local
# `file:` source would have left in the archive: the same package with one
# file more.
other_base_passwd() {
        local dir="$BATS_FILE_TMPDIR/other"
        rm -rf "$dir"
        dpkg-deb -R "$BATS_FILE_TMPDIR/cache/apt/archives/$DEB" "$dir/root"
        mkdir -p "$dir/root/etc"
        echo "not the index's" >"$dir/root/etc/berth-substituted"
        dpkg-deb -b -Zxz "$dir/root" "$1" >/dev/null
}

@test "a .deb of another source, of the same name, is not used: the index's is fetched" {
        other_base_passwd "$BATS_FILE_TMPDIR/other.deb"
        cp "$BATS_FILE_TMPDIR/other.deb" "$CACHE/apt/archives/$DEB"
        local bad=$(sha256sum <"$BATS_FILE_TMPDIR/other.deb" | cut -d' ' -f1)
        run -0 --separate-stderr "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out" "$RECIPE"
        is "$stderr" "Package base-passwd [^ ]+: [^ ]*/$DEB has SHA256 $bad, but apt's index names $GOOD" "message"
        run -0 sha256sum "$CACHE/apt/archives/$DEB"
        is "$output" "^$GOOD " "the archive's base-passwd"
        run -0 jq -r '.packages[] | select(.name == "base-passwd") | .sha256' "$BATS_FILE_TMPDIR/out/manifest.json"
        is "$output" "^$GOOD\$" "the manifest's base-passwd"
}

@test "a cached .deb changed in place (same size) is refused when its record is reused" {
        local f="$CACHE/apt/archives/$DEB" bad
        # One byte of the file's end, a new file (the old may be a hard link).
        python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[-1] ^= 1; open(sys.argv[2], "wb").write(b)' \
                "$f" "$f.new"
        mv "$f.new" "$f"
        bad=$(sha256sum <"$f" | cut -d' ' -f1)
        run -3 --separate-stderr "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out2" "$RECIPE"
        is "$stderr" "Package base-passwd [^ ]+: [^ ]*/$DEB has SHA256 $bad, but apt's index names $GOOD; refusing it" "message"
        run ! test -e "$BATS_FILE_TMPDIR/out2"
}
