#!/usr/bin/env bats
# Hostile recipes (issue "build-image as root, safely", classes 3, 4 and 8):
# recipe values cannot change the syntax of apt's configuration or the kernel's
# command line, overlays stay inside the recipe's folder, odd dates and output
# names neither crash nor wrap around. Victims outside the tree stay as they
# were. One build in setup_file; the refusals need no build.

bats_require_minimum_version 1.5.0
load helpers

# A pid no process has (above any pid_max): its OUTDIR.tmp-PID is stale.
DEAD_PID=2147483646

setup_file() {
        export NAME=hostile DIR="$BATS_FILE_TMPDIR/recipe"
        export RECIPE="$DIR/hostile.toml" OUTS="$BATS_FILE_TMPDIR/outs"
        export OUT="$OUTS/[x]"
        mkdir -p "$DIR/overlay/etc" "$OUTS/[x].tmp-$DEAD_PID" "$OUTS/x.tmp-$DEAD_PID"
        echo "berth hostile-recipe motd" >"$DIR/overlay/etc/motd"
        # The overlay named with a trailing '/'; a kernel argument quoted the kernel's way.
        sed -e 's|^name = .*|name = "hostile"|' \
                -e 's|^paths = \[\(.*\)\]$|paths = [\1, "overlay/"]|' \
                -e "s|^cmdline = .*|cmdline = 'console=ttyS0 quiet dyndbg=\"file x.c +p\"'|" \
                "$BERTH_ROOT/recipes/minimal.toml" >"$RECIPE"

        "$BI" --cache "$BERTH_TEST_CACHE" -o "$OUT" "$RECIPE" >"$BATS_FILE_TMPDIR/build.log" 2>&1 || {
                cat "$BATS_FILE_TMPDIR/build.log" >&2
                return 1
        }
}

# A recipe with the required keys, then $1 (more TOML).
hostile_recipe() {
        printf '[image]\nname = "t"\nversion = "1"\n[packages]\ninclude = ["runc"]\n%s\n' "$1" \
                >"$BATS_TEST_TMPDIR/r.toml"
}

@test "an overlay named with a trailing slash lands at its own paths" {
        run -0 repo_cat /usr/etc/motd
        is "$output" "^berth hostile-recipe motd$" "/usr/etc/motd"
        run ! repo_ls berth/hostile/x86_64 /usr/tc/motd
        run ! repo_ls berth/hostile/x86_64 /tc/motd
}

@test "a quoted kernel argument reaches the boot entry whole, on one line" {
        run -0 cat "$OUT/cmdline"
        is "$output" ' quiet dyndbg="file x\.c \+p" ostree=' "cmdline"
        run -0 wc -l <"$OUT/cmdline"
        is "$output" '^1$' "lines in cmdline"
}

@test "an output folder named with glob characters: only its own stale folder is removed" {
        [ -f "$OUT/disk.raw" ]
        [ ! -e "$OUTS/[x].tmp-$DEAD_PID" ]
        [ -d "$OUTS/x.tmp-$DEAD_PID" ]
}

@test "a keyring path that would inject an apt option fails the build before apt runs" {
        hostile_recipe "[source]
keyring = '/k\";APT::Update::Pre-Invoke {\"touch $BATS_TEST_TMPDIR/pwned\";};//'"
        run -2 "$BI" --cache "$BERTH_TEST_CACHE" -o "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/r.toml"
        is "$output" "r\.toml:7:11: keyring path" "message"
        [ ! -e "$BATS_TEST_TMPDIR/pwned" ]
        [ ! -e "$BATS_TEST_TMPDIR/out" ]
}

@test "an overlay outside the recipe's folder cannot copy the build host's files" {
        mkdir -p "$BATS_TEST_TMPDIR/secret"
        echo "host secret" >"$BATS_TEST_TMPDIR/secret/key"
        ln -s "$BATS_TEST_TMPDIR/secret" "$BATS_TEST_TMPDIR/via"
        for p in "$BATS_TEST_TMPDIR/secret" "../$(basename "$BATS_TEST_TMPDIR")/secret"; do
                hostile_recipe "[overlays]
paths = [\"$p\"]"
                run -2 "$BI" --cache "$BERTH_TEST_CACHE" -o "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/r.toml"
                is "$output" "r\.toml:7:10: overlay .*(must be relative|must stay inside)" "message for $p"
        done
        mkdir "$BATS_TEST_TMPDIR/d"
        mv "$BATS_TEST_TMPDIR/r.toml" "$BATS_TEST_TMPDIR/d/"
        ln -s "$BATS_TEST_TMPDIR/secret" "$BATS_TEST_TMPDIR/d/link-out"
        sed -i "s|^paths = .*|paths = [\"link-out/.\"]|" "$BATS_TEST_TMPDIR/d/r.toml"
        run -2 "$BI" --cache "$BERTH_TEST_CACHE" -o "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/d/r.toml"
        is "$output" "r\.toml:7:10: overlay .* leads out of the recipe's folder" "message for a symlink on the way"
        [ ! -e "$BATS_TEST_TMPDIR/out" ]
}

@test "an out-of-range SOURCE_DATE_EPOCH fails with a message, not a crash, and is not kept" {
        run -1 env SOURCE_DATE_EPOCH=99999999999999999 "$BI" --cache "$BERTH_TEST_CACHE" \
                -o "$BATS_TEST_TMPDIR/out" "$RECIPE"
        is "$output" "SOURCE_DATE_EPOCH='99999999999999999' is not a number of seconds from 1970" "message"
        run -1 env SOURCE_DATE_EPOCH=253402300800 "$BI" --cache "$BERTH_TEST_CACHE" \
                -o "$BATS_TEST_TMPDIR/out" "$RECIPE"
        is "$output" "SOURCE_DATE_EPOCH='253402300800'" "message for year 10000"
        # The last date accepted builds, and the packages' own date after it.
        run -0 env SOURCE_DATE_EPOCH=253402300799 "$BI" --cache "$BERTH_TEST_CACHE" \
                -o "$BATS_TEST_TMPDIR/out" "$RECIPE"
        run -0 jq -r .source_date_epoch "$BATS_TEST_TMPDIR/out/manifest.json"
        is "$output" '^253402300799$' "manifest's date"
}

@test "a cache folder whose name would end a value of apt's configuration is refused" {
        local cache="$BATS_TEST_TMPDIR/c\";Dir::Bin::methods \"x"
        fresh_cache_with_packages "$cache"
        run -1 "$BI" --cache "$cache" -o "$BATS_TEST_TMPDIR/out" "$RECIPE"
        is "$output" "cannot be written into apt's configuration" "message"
        [ ! -e "$BATS_TEST_TMPDIR/out" ]
}
