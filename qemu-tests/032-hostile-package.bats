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

        # 4. Symlinks that would lead the tree steps after unpacking to the
        # build host: each names a victim folder beside the tree by its
        # absolute path (or by enough ../ to climb out of any tree).
        local kind
        for kind in ssl berth tmp modules overlay var boot; do
                mkdir -p "$BATS_FILE_TMPDIR/victim-$kind"
                echo "host's" >"$BATS_FILE_TMPDIR/victim-$kind/secret"
                chmod 0600 "$BATS_FILE_TMPDIR/victim-$kind/secret"
        done
        # The CA bundle's folder (the recipe then has no ca-certificates, so
        # no other package ships etc/ssl), with a certificate to bundle.
        p="$BATS_FILE_TMPDIR/pkg-ssl"
        mkdir -p "$p/etc" "$p/usr/share/ca-certificates/berth-hostile"
        ln -s "$BATS_FILE_TMPDIR/victim-ssl" "$p/etc/ssl"
        printf -- '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n' \
                >"$p/usr/share/ca-certificates/berth-hostile/test.crt"
        make_package berth-hostile-ssl "$p"
        # berth's own folder (berth-init, the dhcpcd hook), by ../ all the way up.
        p="$BATS_FILE_TMPDIR/pkg-berth"
        mkdir -p "$p/usr/lib"
        ln -s "../../../../../../../../../../../..$BATS_FILE_TMPDIR/victim-berth" "$p/usr/lib/berth"
        make_package berth-hostile-berth "$p"
        # /tmp, whose mode the layout sets to 1777.
        p="$BATS_FILE_TMPDIR/pkg-tmp"
        mkdir -p "$p"
        ln -s "$BATS_FILE_TMPDIR/victim-tmp" "$p/tmp"
        make_package berth-hostile-tmp "$p"
        # /var and /boot, which the layout makes 0755 and later steps empty
        # (their victims are 0700, so a mode set through the link shows).
        for kind in var boot; do
                chmod 0700 "$BATS_FILE_TMPDIR/victim-$kind"
                p="$BATS_FILE_TMPDIR/pkg-$kind"
                mkdir -p "$p"
                ln -s "$BATS_FILE_TMPDIR/victim-$kind" "$p/$kind"
                make_package "berth-hostile-$kind" "$p"
        done
        # A module that is a link to a host file (depmod, the host's, would
        # read it), and a link where depmod writes its temporary file.
        KVER=$(dpkg-deb -c "$REPO"/linux-image-[0-9]*.deb | sed -n 's|.*/lib/modules/\([^/]*\)/modules.order$|\1|p')
        export KVER
        p="$BATS_FILE_TMPDIR/pkg-modules"
        mkdir -p "$p/usr/lib/modules/$KVER/kernel"
        ln -s "$BATS_FILE_TMPDIR/victim-modules/secret" "$p/usr/lib/modules/$KVER/modules.dep.tmp"
        ln -s "$BATS_FILE_TMPDIR/victim-modules/secret" "$p/usr/lib/modules/$KVER/kernel/berth-hostile.ko"
        make_package berth-hostile-modules "$p"
        # Two overlays: the first leaves etc/berth-x -> the victim, the second writes under it.
        mkdir -p "$BATS_FILE_TMPDIR/ov-a/etc" "$BATS_FILE_TMPDIR/ov-b/etc/berth-x"
        ln -s "$BATS_FILE_TMPDIR/victim-overlay" "$BATS_FILE_TMPDIR/ov-a/etc/berth-x"
        echo pwned >"$BATS_FILE_TMPDIR/ov-b/etc/berth-x/secret"

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

# recipe_without_ca PACKAGE: recipe PACKAGE, without ca-certificates (nor openssl).
recipe_without_ca() {
        local r
        r=$(recipe "$1")
        sed -i 's/, "ca-certificates"\]/]/' "$r"
        echo "$r"
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

# victim_state KIND: the victim folder's listing, modes and its file's text.
victim_state() {
        local v="$BATS_FILE_TMPDIR/victim-$1"
        ls -lAn --time-style=+ "$v"
        stat -c '%a %U' "$v"
        cat "$v/secret"
}

# victim_untouched KIND [MODE]: the victim as setup_file made it: one file,
# "secret", 0600, "host's", in a folder of MODE (755).
victim_untouched() {
        local state
        state=$(victim_state "$1")
        is "$state" "^total [0-9]+
-rw------- 1 0 0 7  secret
${2:-755} root
host's$" "victim-$1"
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

# Issue 9, class 2: the steps after unpacking resolve every path inside the tree.

# Each checks the victim first, then that the build failed with a message naming the path.
@test "a package's etc/ssl -> a host folder does not get the CA bundle written there" {
        run "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out-ssl" "$(recipe_without_ca berth-hostile-ssl)"
        victim_untouched ssl
        is "$status" "^1$" "exit status"
        is "$output" "Cannot write /etc/ssl/certs/ca-certificates\.crt in [^ ]*: Too many levels of symbolic links" "message"
        [ ! -e "$BATS_FILE_TMPDIR/out-ssl" ]
}

@test "a package's usr/lib/berth -> ../../.. out of the tree does not get berth-init written there" {
        run "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out-berth" "$(recipe berth-hostile-berth)"
        victim_untouched berth
        is "$status" "^1$" "exit status"
        is "$output" "Cannot write /usr/lib/berth/berth-init in [^ ]*: Too many levels of symbolic links" "message"
}

@test "a package's tmp -> a host folder does not get its mode set to 1777" {
        run "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out-tmp" "$(recipe berth-hostile-tmp)"
        victim_untouched tmp
        is "$status" "^1$" "exit status"
        is "$output" "Cannot create /tmp in [^ ]* \(a package's symlink\?\)" "message"
}

@test "a package's module that is a link to a host file is refused before the host's depmod reads it" {
        run "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out-modules" "$(recipe berth-hostile-modules)"
        victim_untouched modules
        is "$status" "^1$" "exit status"
        is "$output" "/usr/lib/modules/$KVER/kernel/berth-hostile\.ko in [^ ]* is a symlink \(a package's\?\); refusing to run depmod" "message"
}

@test "an overlay cannot write through an earlier overlay's symlink" {
        local r
        r=$(recipe berth-hostile-tmp)
        sed -i -e '/^include = /s/"berth-hostile-tmp", //' \
                -e 's|^paths = \["berth:containerd"\]|paths = ["berth:containerd", "ov-a", "ov-b"]|' "$r"
        run "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out-overlay" "$r"
        victim_untouched overlay
        is "$status" "^1$" "exit status"
        is "$output" "overlay [^ ]*ov-b: refusing '[^']*ov-b/etc/berth-x': a symlink of an earlier overlay stands on the way to /usr/etc/berth-x, and overlays do not write through symlinks" "message"
}

@test "a package's var -> a host folder is neither given a mode nor emptied" {
        local r
        # dhcpcd-base ships /var/lib/dhcpcd: without it no package writes under var.
        r=$(recipe berth-hostile-var)
        sed -i 's/"dhcpcd-base", //' "$r"
        run "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out-var" "$r"
        victim_untouched var 700
        is "$status" "^1$" "exit status"
        is "$output" "Cannot create /var in [^ ]* \(a package's symlink\?\)" "message"
}

# Packages unpack in name order: this one's link comes first, and the
# kernel's package, unpacked after it, replaces the link with a folder
# (libarchive's ARCHIVE_EXTRACT_UNLINK): the link never leads a write.
@test "a package's boot -> a host folder is neither given a mode nor emptied" {
        run "$BI" --cache "$CACHE" -o "$BATS_FILE_TMPDIR/out-boot" "$(recipe berth-hostile-boot)"
        victim_untouched boot 700
        is "$status" "^0$" "exit status"
        run -0 ostree --repo="$BATS_FILE_TMPDIR/out-boot/repo" ls -d berth/minimal/x86_64 /boot
        is "$output" "^d00755 " "/boot in the commit"
}

# Last: every build above ran its content stages in the sandbox (builder/sandbox.c).
@test "no sandbox is left behind: no process, no mount on the host" {
        run -1 pgrep -f "$CACHE"
        run -1 grep -F "$BATS_FILE_TMPDIR" /proc/self/mountinfo
}
