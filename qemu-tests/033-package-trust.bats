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

# Another base-passwd of the same name, version, architecture and size, as
# another source's package may be (apt itself drops a file of the wrong size
# but keeps one whose size is right): other bytes in the middle.
other_base_passwd() {
        python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 1; open(sys.argv[2], "wb").write(b)' \
                "$BERTH_TEST_CACHE/apt/archives/$DEB" "$1"
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
        other_base_passwd "$f.new"
        mv "$f.new" "$f"
        bad=$(sha256sum <"$f" | cut -d' ' -f1)
        run -3 --separate-stderr "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out2" "$RECIPE"
        is "$stderr" "Package base-passwd [^ ]+: [^ ]*/$DEB has SHA256 $bad, but apt's index names $GOOD; refusing it" "message"
        run ! test -e "$BATS_FILE_TMPDIR/out2"
}

@test "a recipe with a local file: source gets its source's package; the next build of the host's sources gets the index's" {
        # A local repository with the packages of the archive, base-passwd
        # replaced by a package of the same name, version and architecture.
        local repo="$BATS_FILE_TMPDIR/local-apt" recipe="$BATS_FILE_TMPDIR/local-source.toml" dir="$BATS_FILE_TMPDIR/other"
        mkdir -p "$repo" "$dir"
        cp -l "$BERTH_TEST_CACHE"/apt/archives/*.deb "$repo/"
        rm "$repo/$DEB"
        dpkg-deb -R "$BERTH_TEST_CACHE/apt/archives/$DEB" "$dir/root"
        mkdir -p "$dir/root/etc"
        echo "not the index's" >"$dir/root/etc/berth-substituted"
        dpkg-deb -b -Zxz "$dir/root" "$repo/$DEB" >/dev/null
        local local_sha=$(sha256sum <"$repo/$DEB" | cut -d' ' -f1)
        (cd "$repo" && dpkg-scanpackages --multiversion . >Packages 2>/dev/null)
        sed "s|^\[output\]|[source]\nlines = [\"deb [trusted=yes] file:$repo ./\"]\n\n[output]|" "$RECIPE" >"$recipe"

        run -0 --separate-stderr "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/local-out" "$recipe"
        run -0 jq -r '.packages[] | select(.name == "base-passwd") | .sha256' "$BATS_FILE_TMPDIR/local-out/manifest.json"
        is "$output" "^$local_sha\$" "the local source's base-passwd"

        run -0 --separate-stderr "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out3" "$RECIPE"
        run -0 jq -r '.packages[] | select(.name == "base-passwd") | .sha256' "$BATS_FILE_TMPDIR/out3/manifest.json"
        is "$output" "^$GOOD\$" "the host's sources' base-passwd"
}
