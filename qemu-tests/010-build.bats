#!/usr/bin/env bats
# build-image: recipe -> OS tree -> initramfs -> ostree commit, manifest, SBOM.
# Builds recipes/minimal.toml once for the suite and asserts on the commit.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        export NAME=minimal OUT="$BATS_FILE_TMPDIR/out"
        # An overlay of the suite's own, so the commit can be checked for a
        # setuid file, a file capability and a replaced package file.
        export RECIPE="$BATS_FILE_TMPDIR/minimal.toml" OVL="$BATS_FILE_TMPDIR/overlay"
        mkdir -p "$OVL/usr/local/bin" "$OVL/etc"
        printf '#!/bin/sh\n' >"$OVL/usr/local/bin/setuid-tool"
        chmod 4755 "$OVL/usr/local/bin/setuid-tool"
        printf 'cap\n' >"$OVL/usr/local/bin/cap-tool"
        chmod 0755 "$OVL/usr/local/bin/cap-tool"
        # cap_net_bind_service=ep, as setcap writes it (VFS_CAP_REVISION_2)
        python3 -c 'import os,sys,struct; os.setxattr(sys.argv[1], "security.capability", struct.pack("<IIIII", 0x02000001, 1<<10, 0, 0, 0))' \
                "$OVL/usr/local/bin/cap-tool"
        # replaces the file dhcpcd-base ships
        echo "# berth test dhcpcd.conf" >"$OVL/etc/dhcpcd.conf"
        # After the recipe's own overlays (berth:NAME, found beside build-image).
        sed -e 's|^paths = \[\(.*\)\]$|paths = [\1, "overlay"]|' \
                "$BERTH_ROOT/recipes/minimal.toml" >"$RECIPE"

        "$BI" --json --cache "$BERTH_TEST_CACHE" -o "$OUT" "$RECIPE" >"$BATS_FILE_TMPDIR/first.json" \
                2>"$BATS_FILE_TMPDIR/first.log" || {
                cat "$BATS_FILE_TMPDIR/first.log" >&2
                return 1
        }
        export COMMIT=$(jq -r .commit "$BATS_FILE_TMPDIR/first.json")
}

@test "the build reports success and a commit id" {
        run jq -r .status "$BATS_FILE_TMPDIR/first.json"
        is "$output" '^ok$' "status"
        is "$COMMIT" '^[0-9a-f]{64}$' "commit id"
}

@test "the ref in the output repository names the commit" {
        run -0 ostree --repo="$OUT/repo" rev-parse berth/minimal/x86_64
        is "$output" "^$COMMIT\$" "ref"
}

@test "the commit carries the version and the manifest's hash" {
        run -0 ostree --repo="$OUT/repo" show --print-metadata-key=version "$COMMIT"
        is "$output" "0.1.0" "version"
        run -0 ostree --repo="$OUT/repo" show --print-metadata-key=berth.manifest-sha256 "$COMMIT"
        hash=$(jq -r .manifest_sha256 "$OUT/manifest.json")
        is "$output" "$hash" "manifest hash"
}

@test "containerd and runc are present and executable" {
        for f in /usr/bin/containerd /usr/sbin/runc /usr/bin/containerd-shim-runc-v2; do
                run -0 commit_mode "$f"
                is "$output" '^-0075[0-9]$' "$f mode"
        done
}

@test "containerd's deprecated shims are excluded" {
        run ostree --repo="$OUT/repo" ls berth/minimal/x86_64 /usr/bin/containerd-shim-runc-v1
        [ "$status" -ne 0 ]
}

@test "/bin, /sbin and /lib are links into /usr" {
        run -0 repo_ls berth/minimal/x86_64 -d /bin /sbin /lib /lib64
        is "$output" "/bin -> usr/bin" "bin"
        is "$output" "/lib -> usr/lib" "lib"
        is "$output" "/lib64 -> usr/lib64" "lib64"
}

@test "os-release says berth, the recipe's version and a build id" {
        run -0 repo_cat /usr/lib/os-release
        is "$output" "ID=berth" "ID"
        is "$output" 'VERSION_ID="0.1.0"' "VERSION_ID"
        is "$output" "BUILD_ID=[0-9a-f]{12}" "BUILD_ID"
}

@test "the image's /etc defaults live in /usr/etc and /etc is absent" {
        run -0 repo_cat /usr/etc/machine-id
        [ -z "$output" ]
        run ostree --repo="$OUT/repo" ls berth/minimal/x86_64 -d /etc
        [ "$status" -ne 0 ]
}

@test "passwd and group are sane" {
        run -0 repo_cat /usr/etc/passwd
        is "$output" "^root:x:0:0:" "root user"
        is "$output" "nobody:x:65534:65534:" "nobody"
        is "$output" "dhcpcd:x:100:" "dhcpcd's system user"
        run -0 repo_cat /usr/etc/group
        is "$output" "^root:x:0:" "root group"
        run -0 commit_mode /usr/etc/shadow
        is "$output" '^-00640$' "shadow mode"
}

@test "no documentation, man pages or locales" {
        run -0 repo_ls -R berth/minimal/x86_64 /usr/share
        is_not "$output" ' /usr/share/(doc|man|locale)/.' "documentation"
}

@test "kernel and initramfs sit in /usr/lib/modules/KVER" {
        kver=$(jq -r .kernel "$OUT/manifest.json")
        is "$kver" "cloud-amd64" "kernel version"
        run -0 repo_ls berth/minimal/x86_64 "/usr/lib/modules/$kver"
        is "$output" "vmlinuz" "vmlinuz"
        is "$output" "initramfs.img" "initramfs"
        run ostree --repo="$OUT/repo" ls berth/minimal/x86_64 /boot
        is_not "$output" "vmlinuz" "/boot"
}

@test "only the recipe's kernel modules (and dependencies) are kept, indexed" {
        kver=$(jq -r .kernel "$OUT/manifest.json")
        run -0 repo_ls -R berth/minimal/x86_64 "/usr/lib/modules/$kver/kernel"
        n=$(grep -c '\.ko$' <<<"$output")
        echo "modules kept: $n"
        [ "$n" -gt 30 ]
        [ "$n" -lt 300 ]
        is "$output" "virtio_blk.ko" "virtio_blk"
        is "$output" "overlay.ko" "overlay"
        is_not "$output" 'xfs.ko' "xfs module"
        run -0 repo_cat "/usr/lib/modules/$kver/modules.dep"
        is "$output" "virtio_net.ko:" "modules.dep"
}

@test "the initramfs has berth-init as /init, root drivers, and no shell or systemd" {
        kver=$(jq -r .kernel "$OUT/manifest.json")
        img="$BATS_FILE_TMPDIR/initrd.img"
        repo_cat "/usr/lib/modules/$kver/initramfs.img" >"$img"
        run -0 lsinitrd "$img"
        grep -qE ' init$' <<<"$output"
        grep -qE 'virtio_blk\.ko$' <<<"$output"
        grep -qE 'virtio_pci\.ko$' <<<"$output"
        run ! grep -E 'bin/(bash|sh|busybox|systemd)$|systemd/systemd$' <<<"$output"
        # /init is berth-init (dracut strips it, so compare what it says it is)
        lsinitrd -f init "$img" >"$BATS_FILE_TMPDIR/init"
        grep -q "berth-init (berth)" "$BATS_FILE_TMPDIR/init"
}

@test "an overlay file replaces the package's and the log says so" {
        run -0 repo_cat /usr/etc/dhcpcd.conf
        is "$output" "^# berth test dhcpcd.conf$" "dhcpcd.conf"
        is "$(cat "$BATS_FILE_TMPDIR/first.log")" "replaces /usr/etc/dhcpcd.conf of the packages" "build log"
}

@test "berth's containerd overlay replaces the configuration Debian's package ships" {
        run -0 repo_cat /usr/etc/containerd/config.toml
        is "$output" '"io.containerd.snapshotter.v1.devmapper",' "berth's config.toml"
        is "$(cat "$BATS_FILE_TMPDIR/first.log")" "overlays/containerd: replaces /usr/etc/containerd/config.toml of the packages" "build log"
        run -0 repo_cat /usr/etc/cni/net.d/99-berth-loopback.conflist
}

@test "setuid bits and file capabilities are kept" {
        run -0 commit_mode /usr/local/bin/setuid-tool
        is "$output" '^-04755$' "setuid mode"
        run -0 repo_ls -X berth/minimal/x86_64 /usr/local/bin/cap-tool
        is "$output" "security.capability" "capability xattr"
}

@test "the manifest lists every package with version, architecture and sha256" {
        m="$OUT/manifest.json"
        run -0 jq -e '.packages | length > 10' "$m"
        run -0 jq -e 'all(.packages[]; (.name|length>0) and (.version|length>0) and (.architecture|test("amd64|all")) and (.sha256|test("^[0-9a-f]{64}$")))' "$m"
        run -0 jq -e '[.packages[].name] | index("containerd") and index("runc") and index("dhcpcd-base")' "$m"
        run -0 jq -r '.commit, .ref, .kernel, .tree_size' "$m"
        is "$output" "$COMMIT" "commit in the manifest"
        # the sha256 is the .deb's
        deb=$(ls "$BERTH_TEST_CACHE"/apt/archives/runc_*.deb | head -1)
        sum=$(sha256sum "$deb")
        is "$(jq -r '.packages[] | select(.name=="runc") | .sha256' "$m")" "${sum%% *}" "runc sha256"
}

@test "the SPDX SBOM is in OUTDIR and in the image, with every package" {
        # jq -e succeeds on an empty input
        [ -s "$OUT/sbom.spdx.json" ]
        run -0 jq -e '.spdxVersion == "SPDX-2.3" and (.packages | length) > 10' "$OUT/sbom.spdx.json"
        n=$(jq '.packages | length' "$OUT/manifest.json")
        run -0 jq -e ".packages | length == $n" "$OUT/sbom.spdx.json"
        run -0 jq -e '.packages[] | select(.name=="containerd") | .externalRefs[0].referenceLocator | startswith("pkg:deb/debian/containerd@")' "$OUT/sbom.spdx.json"
        run -0 jq -e '[.packages[].licenseDeclared] | map(select(. != "NOASSERTION")) | length > 3' "$OUT/sbom.spdx.json"
        run -0 repo_cat /usr/share/berth/sbom.spdx.json
        [ -n "$output" ]
        run -0 jq -e '.spdxVersion == "SPDX-2.3"' <<<"$output"
}

@test "the SBOM in the image and the one in OUTDIR are the same document" {
        run -0 repo_cat /usr/share/berth/sbom.spdx.json
        image_sbom=$output
        run -0 cat "$OUT/sbom.spdx.json"
        [ "$output" = "$image_sbom" ]
}

@test "the tree is at most 160 MB" {
        size=$(jq -r .tree_size "$OUT/manifest.json")
        echo "tree: $size bytes"
        [ "$size" -le 160000000 ]
}

@test "a warm rebuild runs no apt, needs no network, and gives the same commit" {
        # A network namespace with no interface: any download would fail.
        run -0 --separate-stderr unshare -n "$BI" --json --cache "$BERTH_TEST_CACHE" -o "$BATS_FILE_TMPDIR/warm" "$RECIPE"
        is "$(jq -r .commit <<<"$output")" "^$COMMIT\$" "commit id"
        run -0 jq -e '[.stages[] | select(.name=="resolve" or .name=="unpack" or .name=="initramfs") | .cached] | all' <<<"$output"
}

@test "two builds from separate caches give the same commit id" {
        fresh_cache_with_packages "$BATS_FILE_TMPDIR/cache2"
        run -0 --separate-stderr "$BI" --json --cache "$BATS_FILE_TMPDIR/cache2" -o "$BATS_FILE_TMPDIR/repro" "$RECIPE"
        is "$(jq -r .commit <<<"$output")" "^$COMMIT\$" "commit id"
        run -0 jq -e '[.stages[] | select(.name=="unpack") | .cached] | all | not' <<<"$output"
        rm -rf "$BATS_FILE_TMPDIR/cache2"
}

@test "changing one overlay file redoes only what depends on it" {
        echo "# changed" >"$OVL/etc/dhcpcd.conf"
        run -0 --separate-stderr "$BI" --json --cache "$BERTH_TEST_CACHE" -o "$BATS_FILE_TMPDIR/incr" "$RECIPE"
        echo "# berth test dhcpcd.conf" >"$OVL/etc/dhcpcd.conf"
        new=$(jq -r .commit <<<"$output")
        [ "$new" != "$COMMIT" ]
        run -0 jq -e '[.stages[] | select(.name=="resolve" or .name=="unpack" or .name=="initramfs") | .cached] | all' <<<"$output"
        run -0 ostree --repo="$BATS_FILE_TMPDIR/incr/repo" cat "$new" /usr/etc/dhcpcd.conf
        is "$output" "^# changed$" "new file"
}

@test "an overlay's /etc/os-release and /etc/passwd win over the generated ones" {
        printf 'ID=overlay-os\n' >"$OVL/etc/os-release"
        printf 'root:x:0:0:overlay:/root:/bin/false\n' >"$OVL/etc/passwd"
        run -0 --separate-stderr "$BI" --json --cache "$BERTH_TEST_CACHE" -o "$BATS_FILE_TMPDIR/ovl-wins" "$RECIPE"
        rm "$OVL/etc/os-release" "$OVL/etc/passwd"
        new=$(jq -r .commit <<<"$output")
        run -0 ostree --repo="$BATS_FILE_TMPDIR/ovl-wins/repo" cat "$new" /usr/etc/os-release
        is "$output" "^ID=overlay-os$" "/etc/os-release"
        run -0 ostree --repo="$BATS_FILE_TMPDIR/ovl-wins/repo" cat "$new" /usr/etc/passwd
        is "$output" "^root:x:0:0:overlay:" "/etc/passwd"
        is "$stderr" "sysfiles: /usr/etc/os-release comes from an overlay; not linked" "log"
}

@test "the cache's repository keeps no object that no ref reaches" {
        # Every build prunes what earlier builds left (old deltas, evicted base trees).
        run -0 ostree prune --repo="$BERTH_TEST_CACHE/repo" --refs-only --no-prune
        is "$output" "No unreachable objects" "unreachable objects"
        # Each berth-base ref still has its tree in the cache.
        refs=$(ostree refs --repo="$BERTH_TEST_CACHE/repo" berth-base)
        [ -n "$refs" ]
        for ref in $refs; do
                [ -d "$BERTH_TEST_CACHE/trees/${ref##*/}" ]
        done
}

@test "building into an existing --repo adds the ref there" {
        repo="$BATS_FILE_TMPDIR/user-repo"
        ostree --repo="$repo" init --mode=archive
        run -0 "$BI" --json --cache "$BERTH_TEST_CACHE" -o "$BATS_FILE_TMPDIR/withrepo" --repo "$repo" "$RECIPE"
        run -0 ostree --repo="$repo" rev-parse berth/minimal/x86_64
        is "$output" "^$COMMIT\$" "ref in --repo"
}

@test "qcow2 as well, a caller's umask of 077 and OUTDIR with a trailing slash change nothing" {
        local recipe="$BATS_FILE_TMPDIR/qcow2.toml" dir="$BATS_FILE_TMPDIR/qcow2"
        sed 's/^formats = .*/formats = ["raw", "qcow2"]/' "$RECIPE" >"$recipe"
        run -0 bash -c 'umask 077; "$0" --json --cache "$1" -o "$2/" "$3" 2>/dev/null' "$BI" "$BERTH_TEST_CACHE" "$dir" "$recipe"
        is "$(jq -r .commit <<<"$output")" "^$COMMIT\$" "commit id"
        [ -z "$(ls -d "$dir".tmp-* "$dir"/*.tmp-* 2>/dev/null)" ]
        run -0 qemu-img info --output=json "$dir/disk.qcow2"
        is "$(jq -r .format <<<"$output")" "^qcow2\$" "format"
        is "$(jq -r '.["virtual-size"]' <<<"$output")" "^$(stat -c %s "$dir/disk.raw")\$" "virtual size"
        run -0 ostree --repo="$dir/repo" ls -d berth/minimal/x86_64 /usr
        is "$output" "^d00755 " "/usr's mode"
}

@test "a recipe's [source] replaces the build host's apt sources" {
        # A local repository holding exactly the image's packages, from the cache.
        local repo="$BATS_FILE_TMPDIR/local-apt" recipe="$BATS_FILE_TMPDIR/local-source.toml"
        mkdir -p "$repo"
        jq -r '.packages[] | "\(.name)_\(.version|sub(":";"%3a"))_\(.architecture).deb"' "$OUT/manifest.json" |
                while read -r f; do cp "$BERTH_TEST_CACHE/apt/archives/$f" "$repo/"; done
        (cd "$repo" && dpkg-scanpackages --multiversion . >Packages 2>/dev/null)
        sed "s|^\[output\]|[source]\nlines = [\"deb [trusted=yes] file:$repo ./\"]\n\n[output]|" "$RECIPE" >"$recipe"
        run -0 --separate-stderr "$BI" --json --cache "$BATS_FILE_TMPDIR/cache-src" -o "$BATS_FILE_TMPDIR/src" "$recipe"
        is "$(jq -r .commit <<<"$output")" "^$COMMIT\$" "same packages, same commit"
        # apt read only that source: its lists are the local repository's.
        run -0 ls "$BATS_FILE_TMPDIR/cache-src/apt"
        run -0 grep -rl "local-apt" "$BATS_FILE_TMPDIR/cache-src/apt"
        # Take the repository away: a package it lacks is named.
        rm "$repo"/runc_*.deb
        (cd "$repo" && dpkg-scanpackages --multiversion . >Packages 2>/dev/null)
        run -3 "$BI" --refresh --cache "$BATS_FILE_TMPDIR/cache-src" -o "$BATS_FILE_TMPDIR/src2" "$recipe"
        is "$output" "package 'runc'" "message"
        rm -rf "$BATS_FILE_TMPDIR/cache-src"
}

@test "a package that does not exist is named, with the recipe line, exit 3" {
        bad="$BATS_FILE_TMPDIR/missing-package.toml"
        printf '[image]\nname = "bad"\nversion = "1"\n\n[packages]\ninclude = ["runc", "berth-no-such-package"]\n' >"$bad"
        run -3 "$BI" --cache "$BERTH_TEST_CACHE" -o "$BATS_FILE_TMPDIR/bad" "$bad"
        is "$output" "missing-package.toml:6:20: package 'berth-no-such-package' not found" "message"
        [ ! -e "$BATS_FILE_TMPDIR/bad" ]
}

@test "a version that does not exist and a kernel package that does not exist are named, exit 3" {
        bad="$BATS_FILE_TMPDIR/missing-version.toml"
        printf '[image]\nname = "bad"\nversion = "1"\n\n[packages]\ninclude = ["runc=9.9.9"]\n' >"$bad"
        run -3 "$BI" --cache "$BERTH_TEST_CACHE" -o "$BATS_FILE_TMPDIR/bad" "$bad"
        is "$output" "missing-version.toml:6:12: version 9.9.9 of package 'runc' not found" "message"
        bad="$BATS_FILE_TMPDIR/missing-kernel.toml"
        printf '[image]\nname = "bad"\nversion = "1"\n\n[kernel]\npackage = "linux-image-berth-none"\n\n[packages]\ninclude = ["runc"]\n' >"$bad"
        run -3 "$BI" --cache "$BERTH_TEST_CACHE" -o "$BATS_FILE_TMPDIR/bad" "$bad"
        is "$output" "missing-kernel.toml: kernel.package: package 'linux-image-berth-none' not found" "message"
        [ ! -e "$BATS_FILE_TMPDIR/bad" ]
}

@test "a bad recipe builds nothing and exits 2" {
        run -2 "$BI" --cache "$BERTH_TEST_CACHE" -o "$BATS_FILE_TMPDIR/bad2" "$BERTH_ROOT/recipes/invalid/unknown-key.toml"
        [ ! -e "$BATS_FILE_TMPDIR/bad2" ]
}

@test "--json gives one object on failure too: a bad recipe, a run without root" {
        run -2 --separate-stderr "$BI" --json "$BERTH_ROOT/recipes/invalid/unknown-key.toml"
        is "$(jq -r .status <<<"$output")" "^error$" "status"
        is "$(jq -r .error <<<"$output")" "unknown-key.toml:[0-9]+:[0-9]+: unknown key" "error"
        run -1 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$BI" --json -o /tmp/x \
                "$BERTH_ROOT/recipes/minimal.toml"
        is "$(jq -r .exit_code <<<"$output")" "^1$" "exit code"
}

@test "a build not run as root says that root is needed" {
        run -1 setpriv --reuid=65534 --regid=65534 --clear-groups "$BI" -o /tmp/x "$BERTH_ROOT/recipes/minimal.toml"
        is "$output" "needs root" "message"
}

@test "what a build killed outright left behind is removed by the next one" {
        local dead
        dead=$(sh -c 'echo $$')
        mkdir -p "$BATS_FILE_TMPDIR/killed.tmp-$dead/repo"
        run -0 "$BI" --quiet --cache "$BERTH_TEST_CACHE" -o "$BATS_FILE_TMPDIR/killed" "$RECIPE"
        [ ! -e "$BATS_FILE_TMPDIR/killed.tmp-$dead" ]
        [ -f "$BATS_FILE_TMPDIR/killed/manifest.json" ]
}

@test "SIGINT leaves OUTDIR untouched and the cache usable" {
        fresh_cache_with_packages "$BATS_FILE_TMPDIR/cache3"
        "$BI" --cache "$BATS_FILE_TMPDIR/cache3" -o "$BATS_FILE_TMPDIR/int" "$RECIPE" 2>"$BATS_FILE_TMPDIR/int.log" &
        pid=$!
        sleep 4
        kill -INT "$pid"
        local rc=0
        wait "$pid" || rc=$?
        echo "exit status $rc"
        [ "$rc" -eq 130 ]
        grep -q "Interrupted during" "$BATS_FILE_TMPDIR/int.log"
        [ ! -e "$BATS_FILE_TMPDIR/int" ]
        run ! ls -d "$BATS_FILE_TMPDIR"/int.tmp-*
        # the interrupted cache still builds, to the same commit
        run -0 --separate-stderr "$BI" --json --cache "$BATS_FILE_TMPDIR/cache3" -o "$BATS_FILE_TMPDIR/int" "$RECIPE"
        is "$(jq -r .commit <<<"$output")" "^$COMMIT\$" "commit after interruption"
        rm -rf "$BATS_FILE_TMPDIR/cache3"
}
