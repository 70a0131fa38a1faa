#!/usr/bin/env bats
# The stages that touch package content run in a sandbox (builder/sandbox.h,
# docs/architecture.md "Trust boundaries"): whatever path a package's symlink
# sends a tree step to, the build host is not there. Hostile packages, made
# here with dpkg-deb into a local `file:` source beside the image's real
# packages, leave symlinks to stand-in victims on the host; each victim must
# be untouched, whether the step writes inside the tree or fails. (The unit
# test builder/tests/test-sandbox.c checks the sandbox itself, from inside.)

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        export REPO="$BATS_FILE_TMPDIR/repo" CACHE="$BATS_FILE_TMPDIR/cache"
        export VICTIM_TMP="$BATS_FILE_TMPDIR/victim-tmp" VICTIM_LIB="$BATS_FILE_TMPDIR/victim-lib"
        mkdir -p "$REPO" "$CACHE"
        mkdir -m 0700 "$VICTIM_TMP" "$VICTIM_LIB"
        echo untouched >"$VICTIM_TMP/keep"
        echo untouched >"$VICTIM_LIB/keep"
        cp -l "$BERTH_TEST_CACHE"/apt/archives/*.deb "$REPO/" 2>/dev/null ||
                cp "$BERTH_TEST_CACHE"/apt/archives/*.deb "$REPO/"
        # The packages' downloads, not their stages: each build unpacks.
        fresh_cache_with_packages "$CACHE"

        # ./tmp to a host folder: the tree's layout sets /tmp's mode (01777).
        local p="$BATS_FILE_TMPDIR/pkg-tmp"
        mkdir -p "$p"
        ln -s "$VICTIM_TMP" "$p/tmp"
        make_package berth-hostile-tmp "$p"

        # ./usr/lib/berth to a host folder: berth-init is installed there,
        # with the dhcpcd hook's symlink beside it.
        p="$BATS_FILE_TMPDIR/pkg-lib"
        mkdir -p "$p/usr/lib"
        ln -s "$VICTIM_LIB" "$p/usr/lib/berth"
        make_package berth-hostile-lib "$p"

        (cd "$REPO" && dpkg-scanpackages --multiversion . >Packages 2>/dev/null)
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

# victim_untouched DIR: DIR still 0700, holding its one file, unchanged.
victim_untouched() {
        run -0 stat -c %a "$1"
        is "$output" "^700$" "the mode of $1"
        run -0 ls -A "$1"
        is "$output" "^keep$" "what $1 holds"
        run -0 cat "$1/keep"
        is "$output" "^untouched$" "$1/keep"
}

@test "a package's ./tmp symlink to a host folder: the folder's mode is untouched" {
        # The link leads nowhere in the tree: the layout step fails, naming the
        # path (not some earlier failure that would hide whether it was reached).
        run -1 "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out-tmp" "$(recipe berth-hostile-tmp)"
        is "$output" "Cannot create /tmp in [^ ]* \(a package's symlink\?\): Too many levels of symbolic links" "message"
        victim_untouched "$VICTIM_TMP"
}

@test "a package's ./usr/lib/berth symlink to a host folder: nothing is written there" {
        run -1 "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out-lib" "$(recipe berth-hostile-lib)"
        is "$output" "Cannot write /usr/lib/berth/berth-init in [^ ]*: Too many levels of symbolic links" "message"
        victim_untouched "$VICTIM_LIB"
}

@test "no sandbox is left behind: no process, no mount on the host" {
        run -1 pgrep -f "$CACHE"
        run -1 grep -F "$BATS_FILE_TMPDIR" /proc/self/mountinfo
}
