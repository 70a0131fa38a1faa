#!/usr/bin/env bats
# build-image --check: a valid recipe is summarised; every bad recipe is
# reported as file:line:column: message with exit status 2.

bats_require_minimum_version 1.5.0

setup_file() {
        export BI="${BERTH_BUILD:-$BATS_TEST_DIRNAME/../../build}/build-image"
        export RECIPES="$BATS_TEST_DIRNAME/../../recipes"
}

# expect_bad RECIPE LINE:COL REGEX
expect_bad() {
        run -2 "$BI" --check "$RECIPES/invalid/$1"
        echo "output: $output"
        [[ $output =~ ^.*invalid/$1:$2:\ $3 ]]
}

# expect_bad_text LINE:COL REGEX: the recipe is on stdin.
expect_bad_text() {
        cat >"$BATS_TEST_TMPDIR/r.toml"
        run -2 "$BI" --check "$BATS_TEST_TMPDIR/r.toml"
        echo "output: $output"
        [[ $output =~ ^.*r\.toml:$1:\ $2 ]]
}

@test "--help documents usage and exit codes" {
        run -0 "$BI" --help
        [[ $output == *"Usage: build-image"* ]]
        [[ $output == *"Exit status:"* ]]
}

@test "--version prints the version" {
        run -0 "$BI" --version
        [[ $output =~ ^build-image\ \(berth\)\ [0-9]+\.[0-9]+ ]]
}

@test "no recipe is a usage error" {
        run -2 "$BI"
        [[ $output == *"expected exactly one recipe"* ]]
}

@test "unknown option is a usage error" {
        run -2 "$BI" --frobnicate "$RECIPES/minimal.toml"
}

@test "the minimal recipe is valid and shows what the image holds" {
        run -0 "$BI" --check "$RECIPES/minimal.toml"
        [[ $output == *"valid recipe"* ]]
        [[ $output == *"containerd"* ]]
        [[ $output == *"runc"* ]]
        [[ $output == *"linux-image-cloud-amd64"* ]]
}

@test "--check --json prints one parseable object" {
        run -0 "$BI" --check --json "$RECIPES/minimal.toml"
        # jq -e succeeds on an empty input
        [ -n "$output" ]
        jq -e '.name == "minimal" and (.packages | index("containerd")) != null' <<<"$output"
}

@test "a missing recipe file names the file" {
        run -2 "$BI" --check "$RECIPES/nope.toml"
        [[ $output == *"nope.toml: No such file or directory"* ]]
}

@test "unknown key" {
        expect_bad unknown-key.toml 4:1 "unknown key 'colour' in \[image\]"
}

@test "unknown section" {
        expect_bad unknown-section.toml 5:2 "unknown section 'pakages'"
}

@test "wrong type" {
        expect_bad wrong-type.toml 3:11 "'image.version' must be a string, not an integer"
}

@test "missing required key" {
        expect_bad missing-required.toml 1:1 "missing required key 'image.version'"
}

@test "duplicate key" {
        expect_bad duplicate-key.toml 7:1 ".*duplicate key 'include'"
}

@test "TOML syntax error" {
        expect_bad syntax-error.toml 2:8 ".+"
}

@test "bad package name" {
        expect_bad bad-package-name.toml 6:20 "'Not A Package' is not a Debian package name"
}

@test "missing overlay names the recipe line" {
        expect_bad missing-overlay.toml 9:10 "overlay '.*does-not-exist': No such file or directory"
}

@test "an overlay that is a symlink to a folder is refused, naming the recipe line" {
        local dir=$BATS_TEST_TMPDIR
        mkdir "$dir/overlay"
        ln -s overlay "$dir/overlay-link"
        sed 's/does-not-exist/overlay-link/' "$RECIPES/invalid/missing-overlay.toml" >"$dir/link.toml"
        run -2 "$BI" --check "$dir/link.toml"
        echo "output: $output"
        [[ $output =~ link\.toml:9:10:\ overlay\ \'.*overlay-link\'\ is\ a\ symlink ]]
}

@test "unknown output format" {
        expect_bad bad-format.toml 9:19 "unknown output format 'vmdk'"
}

@test "a list item of the wrong type" {
        expect_bad list-item-type.toml 6:20 "'packages.include' must hold only strings, not an integer"
}

@test "exclude_paths must be absolute" {
        expect_bad relative-exclude.toml 7:18 "'usr/share/doc' must be an absolute path"
}

@test "a recipe that is not UTF-8 is rejected with a position" {
        f="$BATS_TEST_TMPDIR/latin1.toml"
        printf '[image]\nname = "caf\xe9"\nversion = "1"\n[packages]\ninclude = ["runc"]\n' >"$f"
        run -2 "$BI" --check "$f"
        [[ $output =~ latin1.toml:2:[0-9]+:\  ]]
}

# Values that reach other programs' syntax (apt's configuration, os-release,
# the boot entry, the kernel's command line) are checked, with a position.

@test "a keyring path with a quote cannot inject an apt option" {
        expect_bad_text 7:11 "keyring path .* must not .* hold any of" <<'EOF'
[image]
name = "t"
version = "1"
[packages]
include = ["runc"]
[source]
keyring = '/k";APT::Update::Pre-Invoke {"touch /tmp/berth-pwned";};//'
EOF
}

@test "a version that a shell sourcing os-release would run is refused" {
        expect_bad_text 3:11 "version '1\\\$\(reboot\)' must be 1-64 characters" <<'EOF'
[image]
name = "t"
version = '1$(reboot)'
[packages]
include = ["runc"]
EOF
}

@test "a version with a newline is refused" {
        expect_bad_text 3:11 "'image.version' must not contain control characters" <<'EOF'
[image]
name = "t"
version = "1\nID=evil"
[packages]
include = ["runc"]
EOF
}

@test "a description with an escape sequence is refused" {
        expect_bad_text 4:15 "'image.description' must not contain control characters" <<'EOF'
[image]
name = "t"
version = "1"
description = "x\u001b[2J"
[packages]
include = ["runc"]
EOF
}

@test "a kernel command line with a newline is refused" {
        expect_bad_text 7:11 "'kernel.cmdline' must not contain control characters" <<'EOF'
[image]
name = "t"
version = "1"
[packages]
include = ["runc"]
[kernel]
cmdline = "quiet\ninit=/bin/sh"
EOF
}

@test "a kernel argument with a stray quote is refused" {
        expect_bad_text 7:11 "kernel argument 'a=b\"c\"': quote a value whole" <<'EOF'
[image]
name = "t"
version = "1"
[packages]
include = ["runc"]
[kernel]
cmdline = 'quiet a=b"c"'
EOF
}

@test "a kernel argument berth sets itself is refused" {
        expect_bad_text 7:11 "kernel argument 'root=/dev/sda1' is set by berth" <<'EOF'
[image]
name = "t"
version = "1"
[packages]
include = ["runc"]
[kernel]
cmdline = "quiet root=/dev/sda1"
EOF
}

@test "a quoted kernel argument with spaces is valid" {
        cat >"$BATS_TEST_TMPDIR/ok.toml" <<'EOF'
[image]
name = "t"
version = "1"
[packages]
include = ["runc"]
[kernel]
cmdline = 'dyndbg="file x.c +p" quiet'
EOF
        run -0 "$BI" --check --json "$BATS_TEST_TMPDIR/ok.toml"
        jq -e '.cmdline == "dyndbg=\"file x.c +p\" quiet"' <<<"$output"
}

@test "an apt source line with a control character is refused" {
        expect_bad_text 7:10 "'source.lines' must not contain control characters" <<'EOF'
[image]
name = "t"
version = "1"
[packages]
include = ["runc"]
[source]
lines = ["deb http://deb.example/debian bookworm main\rdeb [trusted=yes] file:/tmp ./"]
EOF
}

@test "a free_space that wraps around 64 bits is refused" {
        expect_bad_text 7:14 "'17179869184G' is not a size" <<'EOF'
[image]
name = "t"
version = "1"
[packages]
include = ["runc"]
[output]
free_space = "17179869184G"
EOF
}

# Overlays stay inside the recipe's folder, or are berth's own (berth:NAME).

@test "an absolute overlay path is refused" {
        sed 's|does-not-exist|/etc|' "$RECIPES/invalid/missing-overlay.toml" >"$BATS_TEST_TMPDIR/abs.toml"
        run -2 "$BI" --check "$BATS_TEST_TMPDIR/abs.toml"
        echo "output: $output"
        [[ $output =~ abs\.toml:9:10:\ overlay\ \'/etc\'\ must\ be\ relative\ to\ the\ recipe\'s\ folder ]]
}

@test "an overlay path with '..' is refused" {
        mkdir "$BATS_TEST_TMPDIR/sub"
        sed 's|does-not-exist|sub/../../etc|' "$RECIPES/invalid/missing-overlay.toml" >"$BATS_TEST_TMPDIR/up.toml"
        run -2 "$BI" --check "$BATS_TEST_TMPDIR/up.toml"
        echo "output: $output"
        [[ $output =~ up\.toml:9:10:\ overlay\ \'sub/\.\./\.\./etc\'\ must\ stay\ inside\ the\ recipe\'s\ folder ]]
}

@test "an overlay reached through a symlink out of the recipe's folder is refused" {
        ln -s / "$BATS_TEST_TMPDIR/host"
        sed 's|does-not-exist|host/etc|' "$RECIPES/invalid/missing-overlay.toml" >"$BATS_TEST_TMPDIR/via.toml"
        run -2 "$BI" --check "$BATS_TEST_TMPDIR/via.toml"
        echo "output: $output"
        [[ $output =~ via\.toml:9:10:\ overlay\ .*host/etc\'\ leads\ out\ of\ the\ recipe\'s\ folder ]]
}

@test "a symlinked overlay named with a trailing slash is still refused" {
        mkdir "$BATS_TEST_TMPDIR/overlay"
        ln -s overlay "$BATS_TEST_TMPDIR/overlay-link"
        sed 's|does-not-exist|overlay-link/|' "$RECIPES/invalid/missing-overlay.toml" >"$BATS_TEST_TMPDIR/slash.toml"
        run -2 "$BI" --check "$BATS_TEST_TMPDIR/slash.toml"
        echo "output: $output"
        [[ $output =~ slash\.toml:9:10:\ overlay\ \'.*overlay-link\'\ is\ a\ symlink ]]
}

@test "berth's own overlay is found wherever the recipe is copied" {
        cp "$RECIPES/minimal.toml" "$BATS_TEST_TMPDIR/copy.toml"
        run -0 "$BI" --check --json "$BATS_TEST_TMPDIR/copy.toml"
        jq -e '.overlays | length == 1 and (.[0] | endswith("/overlays/containerd"))' <<<"$output"
}

@test "an unknown berth overlay is refused" {
        sed 's|does-not-exist|berth:nope|' "$RECIPES/invalid/missing-overlay.toml" >"$BATS_TEST_TMPDIR/nope.toml"
        run -2 "$BI" --check "$BATS_TEST_TMPDIR/nope.toml"
        echo "output: $output"
        [[ $output =~ nope\.toml:9:10:\ overlay\ \'.*/overlays/nope\':\ No\ such\ file ]]
}

@test "a --repo inside the output folder, which each build replaces, is refused before building" {
        local t=$BATS_TEST_TMPDIR
        run -1 "$BI" -o "$t/out/" --repo "$t/out/./sub/../repo" "$RECIPES/minimal.toml"
        [[ $output == *"--repo $t/out/./sub/../repo is inside the output folder $t/out, which each build replaces whole"* ]]
        run -1 "$BI" -o "$t/out" --repo "$t/out" "$RECIPES/minimal.toml"
        [[ $output == *"is inside the output folder"* ]]
        [ ! -e "$t/out" ]
}
