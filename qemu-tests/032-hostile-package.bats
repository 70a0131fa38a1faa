#!/usr/bin/env bats
# build-image does not trust package content (docs/trust.md): hostile
# packages, made here with dpkg-deb into a local `file:` source beside the
# image's real packages (from the shared package cache), cannot reach the
# build host. Each test asserts on a stand-in victim outside the tree.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        export REPO="$BATS_FILE_TMPDIR/repo" CACHE="$BATS_FILE_TMPDIR/cache"
        export VICTIM="$BATS_FILE_TMPDIR/victim"
        mkdir -p "$REPO"
        # The image's real packages: links into the shared cache, no download.
        cp -l "$BERTH_TEST_CACHE"/apt/archives/*.deb "$REPO/" 2>/dev/null ||
                cp "$BERTH_TEST_CACHE"/apt/archives/*.deb "$REPO/"

        # 1. A usr/bin/busybox that is a script: run on the build host, it
        # would overwrite the victim as root.
        local p="$BATS_FILE_TMPDIR/pkg-busybox"
        mkdir -p "$p/usr/bin"
        printf '#!/bin/sh\necho pwned >%s\necho /usr/bin/berth-hostile-applet\n' "$VICTIM" >"$p/usr/bin/busybox"
        chmod 0755 "$p/usr/bin/busybox"
        make_package berth-hostile-busybox "$p"

        # 2. A block device node (loop0's numbers).
        p="$BATS_FILE_TMPDIR/pkg-device"
        mkdir -p "$p/usr/lib/berth-hostile"
        mknod "$p/usr/lib/berth-hostile/sda" b 7 0
        make_package berth-hostile-device "$p"

        # 3. A compression bomb: one byte over the per-file limit of zeros,
        # a few KiB once compressed.
        p="$BATS_FILE_TMPDIR/pkg-bomb"
        mkdir -p "$p/usr/share/berth-hostile"
        truncate -s $((1024 * 1024 * 1024 + 1)) "$p/usr/share/berth-hostile/zeros"
        make_package berth-hostile-bomb "$p"
        rm -rf "$p"

        (cd "$REPO" && dpkg-scanpackages --multiversion . >Packages 2>/dev/null)
        # A cache as an older build-image made it, open to everyone.
        mkdir -m 0755 "$CACHE"
}

# make_package NAME DIR: DIR's files as package NAME in the local repository.
make_package() {
        mkdir -p "$2/DEBIAN"
        printf 'Package: %s\nVersion: 1.0\nArchitecture: amd64\nMaintainer: berth tests <tests@berth.invalid>\nDescription: hostile test package\n' \
                "$1" >"$2/DEBIAN/control"
        dpkg-deb --root-owner-group -Zzstd -z1 -b "$2" "$REPO/$1_1.0_amd64.deb" >/dev/null
}

# recipe PACKAGE: recipes/minimal.toml plus PACKAGE, from the local repository only.
recipe() {
        local r="$BATS_FILE_TMPDIR/$1.toml"
        sed -e "s|\"\.\./overlays/|\"$BERTH_ROOT/overlays/|g" \
                -e "s|^include = \[|include = [\"$1\", |" \
                -e "s|^\[output\]|[source]\nlines = [\"deb [trusted=yes] file:$REPO ./\"]\n\n[output]|" \
                "$BERTH_ROOT/recipes/minimal.toml" >"$r"
        echo "$r"
}

@test "a package's usr/bin/busybox is not run on the build host; the build succeeds" {
        echo untouched >"$VICTIM"
        run -0 "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out-busybox" "$(recipe berth-hostile-busybox)"
        is "$(cat "$VICTIM")" "^untouched$" "the victim"
        is "$output" "usr/bin/busybox holds no busybox applet table" "the log"
}

@test "the cache is private to root, an older open one too" {
        run -0 stat -c %a "$CACHE"
        is "$output" "^700$" "the cache's mode"
}

@test "a package's device node is refused, naming the package and member" {
        run -1 "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out-device" "$(recipe berth-hostile-device)"
        is "$output" "package berth-hostile-device: refusing member '\./usr/lib/berth-hostile/sda': a block device node" "message"
        run -0 find "$CACHE" -type b
        is "$output" "^$" "block devices made"
        [ ! -e "$BATS_FILE_TMPDIR/out-device" ]
}

@test "a compression bomb is refused before it is written, naming the package and member" {
        run -1 "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out-bomb" "$(recipe berth-hostile-bomb)"
        is "$output" "package berth-hostile-bomb: refusing member '\./usr/share/berth-hostile/zeros': 1073741825 bytes, over the limit of 1073741824 for one file" "message"
        run -0 find "$CACHE" -name zeros
        is "$output" "^$" "the bomb's file in the cache"
        [ ! -e "$BATS_FILE_TMPDIR/out-bomb" ]
}
