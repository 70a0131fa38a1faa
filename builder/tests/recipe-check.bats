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
