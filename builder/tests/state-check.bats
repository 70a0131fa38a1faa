#!/usr/bin/env bats
# berthctl check: the host state validator runs on the build host, without
# a guest. A good document prints FILE: ok; a bad one FILE:LINE:COL: message
# and exit status 1. The C unit test (lib/tests/test-host-state.c) covers
# every key; this file covers the command and a few documents end to end.

bats_require_minimum_version 1.5.0

setup_file() {
        export CTL="${BERTH_BUILD:-$BATS_TEST_DIRNAME/../../build}/berthctl"
        export DOCS="$BATS_TEST_DIRNAME/../../docs"
}

# expect_bad LINE:COL REGEX: the document is on stdin.
expect_bad() {
        cat >"$BATS_TEST_TMPDIR/state.toml"
        run -1 "$CTL" check "$BATS_TEST_TMPDIR/state.toml"
        echo "output: $output"
        [[ $output =~ ^.*/state\.toml:$1:\ $2 ]]
}

@test "berthctl is built beside berth-init and lists check" {
        run -0 "$CTL" --help
        [[ $output == *"check FILE"* ]]
}

@test "check without a file is a usage error" {
        run -2 "$CTL" check
        [[ $output == *"Usage: berthctl check FILE"* ]]
}

@test "the complete example of docs/host-state.md is valid" {
        awk '/^```toml$/ { f = 1; next } /^```$/ { f = 0 } f' "$DOCS/host-state.md" >"$BATS_TEST_TMPDIR/example.toml"
        run -0 grep -c '^\[\[containers\]\]' "$BATS_TEST_TMPDIR/example.toml"
        [ "$output" -ge 3 ]
        run -0 "$CTL" check "$BATS_TEST_TMPDIR/example.toml"
        [ "$output" = "$BATS_TEST_TMPDIR/example.toml: ok" ]
}

@test "several documents: each is named, and one bad one fails the run" {
        printf 'version = 1\n' >"$BATS_TEST_TMPDIR/a.toml"
        printf 'version = 1\nhostnme = "x"\n' >"$BATS_TEST_TMPDIR/b.toml"
        run -1 "$CTL" check "$BATS_TEST_TMPDIR/a.toml" "$BATS_TEST_TMPDIR/b.toml"
        echo "output: $output"
        [[ $output == *"a.toml: ok"* ]]
        [[ $output == *"b.toml:2:1: unknown key 'hostnme'"* ]]
}

@test "- reads the document from a pipe" {
        run -1 bash -c 'printf "version = 1\nx = 1\n" | "$CTL" check -'
        [[ $output == "<stdin>:2:1: unknown key 'x'"* ]]
        run -0 bash -c 'printf "version = 1\n" | "$CTL" check -'
        [ "$output" = "<stdin>: ok" ]
}

@test "a missing file names the file" {
        run -1 "$CTL" check "$BATS_TEST_TMPDIR/nope.toml"
        [[ $output == *"nope.toml: No such file or directory"* ]]
}

@test "a document without version" {
        expect_bad 1:1 "missing required key 'version'" <<'END'
hostname = "a"
END
}

@test "a TOML syntax error has its position" {
        expect_bad 2:10 ".+" <<'END'
version = 1
hostname "a"
END
}

@test "a file path that leaves /etc is refused at its line" {
        expect_bad 4:8 "file path '/etc/../root/.ssh/authorized_keys' must be below /etc" <<'END'
version = 1

[[files]]
path = "/etc/../root/.ssh/authorized_keys"
content = "ssh-ed25519 AAAA attacker"
END
}

@test "kernel.core_pattern, which runs a program as root, is refused" {
        expect_bad 3:8 "sysctl 'kernel.core_pattern' is refused" <<'END'
version = 1
[sysctl]
kernel.core_pattern = "|/bin/sh -c 'id > /tmp/x'"
END
}

@test "a sysctl outside the allow-list is refused" {
        expect_bad 3:9 "sysctl 'dev.tty.ldisc_autoload' is not allowed" <<'END'
version = 1
[sysctl]
dev.tty.ldisc_autoload = 1
END
}

@test "a mount of containerd's store is refused" {
        expect_bad 6:10 "mount source '/var/lib/containerd' is refused" <<'END'
version = 1
[[containers]]
name = "x"
image = "busybox:1.36"
[[containers.mounts]]
source = "/var/lib/containerd"
target = "/c"
END
}

@test "an image without a tag or digest is refused" {
        expect_bad 4:9 "image 'busybox' must name a tag" <<'END'
version = 1
[[containers]]
name = "x"
image = "busybox"
END
}

@test "a container name used twice is refused at the second" {
        expect_bad 6:8 "container name 'x' is used twice" <<'END'
version = 1
[[containers]]
name = "x"
image = "busybox:1.36"
[[containers]]
name = "x"
image = "busybox:1.37"
END
}

@test "memory_max that would wrap around is refused" {
        expect_bad 6:14 "'containers.resources.memory_max' must be between 1M and 1024T" <<'END'
version = 1
[[containers]]
name = "x"
image = "busybox:1.36"
[containers.resources]
memory_max = "17179869184G"
END
}

# Hostile documents fail cleanly and quickly, with a message.

@test "a document over 1 MiB is refused unread" {
        { echo 'version = 1'; head -c 1100000 /dev/zero | tr '\0' '#'; } >"$BATS_TEST_TMPDIR/big.toml"
        run -1 "$CTL" check "$BATS_TEST_TMPDIR/big.toml"
        [[ $output == *"big.toml: the document is larger than 1048576 bytes"* ]]
}

@test "60000 containers within 1 MiB are refused at the limit" {
        { echo 'version = 1'; yes '[[containers]]' | head -n 60000; } >"$BATS_TEST_TMPDIR/many.toml"
        run -1 timeout 20 "$CTL" check "$BATS_TEST_TMPDIR/many.toml"
        [[ $output == *"many.toml:2:1: 'containers' must hold at most 128 tables"* ]]
}

@test "arrays nested 100000 deep are refused by the parser" {
        { echo 'version = 1'; printf 'x = '; head -c 100000 /dev/zero | tr '\0' '['; } >"$BATS_TEST_TMPDIR/deep.toml"
        run -1 timeout 20 "$CTL" check "$BATS_TEST_TMPDIR/deep.toml"
        [[ $output == *"deep.toml:2:"*"nested deeper than 128"* ]]
}

@test "a file content of 900 KB is refused at the file's limit" {
        { printf 'version = 1\n[[files]]\npath = "/etc/big"\ncontent = "'; head -c 900000 /dev/zero | tr '\0' x; printf '"\n'; } >"$BATS_TEST_TMPDIR/huge.toml"
        run -1 timeout 20 "$CTL" check "$BATS_TEST_TMPDIR/huge.toml"
        [[ $output == *"huge.toml:4:11: 'files.content' must be at most 262144 bytes long"* ]]
}
