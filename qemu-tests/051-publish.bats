#!/usr/bin/env bats
# Publishing (docs/updates.md): build-image --repo R --gpg-sign KEYID signs
# the commit, makes a static delta from the ref's previous commit and a
# signed summary, so that R served by any static HTTP server is what hosts
# pull from with GPG verification. Two builds of recipes/minimal.toml (v1,
# then v2 with one overlay file changed) into one repository, signed with a
# throw-away key; one unsigned build into another. No VM is booted: the host's
# ostree pulls from a python http.server on 127.0.0.1.

bats_require_minimum_version 1.5.0
load helpers

# build NAME VERSION REPO [build-image options]: the recipe of that version
# into REPO; prints the commit id.
build() {
        local name=$1 version=$2 repo=$3
        shift 3
        local dir="$BATS_FILE_TMPDIR/$name"
        SOURCE_DATE_EPOCH=1700000000 "$BI" --json --cache "$BERTH_TEST_CACHE" -o "$dir" --repo "$repo" \
                "$@" "$BATS_FILE_TMPDIR/recipe-$version.toml" >"$dir.json" 2>"$dir.log" || {
                cat "$dir.log" >&2
                return 1
        }
        jq -r .commit "$dir.json"
}

# recipe VERSION: minimal.toml with version VERSION and an overlay whose one
# file says VERSION.
recipe() {
        local overlay="$BATS_FILE_TMPDIR/overlay-$1"
        mkdir -p "$overlay/etc"
        echo "publish test $1" >"$overlay/etc/berth-publish-test"
        sed -e "s/^version = .*/version = \"$1\"/" \
                -e "s|^paths = .*|paths = [\"berth:containerd\", \"overlay-$1\"]|" \
                "$BERTH_ROOT/recipes/minimal.toml" >"$BATS_FILE_TMPDIR/recipe-$1.toml"
}

setup_file() {
        export GNUPGHOME="$BATS_FILE_TMPDIR/gnupg" R="$BATS_FILE_TMPDIR/repo" U="$BATS_FILE_TMPDIR/unsigned-repo"
        export REF=berth/minimal/x86_64
        mkdir -m 700 "$GNUPGHOME"
        gpg --batch --passphrase '' --quick-gen-key 'berth publish test <publish@example.org>' ed25519 sign never 2>/dev/null
        KEY=$(gpg --list-keys --with-colons | awk -F: '/^fpr/{print $10; exit}')
        export KEY
        gpg --export "$KEY" >"$BATS_FILE_TMPDIR/key.gpg"
        recipe 0.1.0
        recipe 0.1.1
        V1=$(build v1 0.1.0 "$R" --gpg-sign "$KEY" --gpg-homedir "$GNUPGHOME")
        V2=$(build v2 0.1.1 "$R" --gpg-sign "$KEY" --gpg-homedir "$GNUPGHOME")
        UNSIGNED=$(build unsigned 0.1.1 "$U")
        export V1 V2 UNSIGNED
        # One server for both repositories.
        python3 -u -m http.server --bind 127.0.0.1 --directory "$BATS_FILE_TMPDIR" 0 >"$BATS_FILE_TMPDIR/http.log" 2>&1 3>&- &
        echo $! >"$BATS_FILE_TMPDIR/http.pid"
        local i
        PORT=
        for ((i = 0; i < 100; i++)); do
                PORT=$(sed -n 's/^Serving HTTP on 127\.0\.0\.1 port \([0-9]*\) .*/\1/p' "$BATS_FILE_TMPDIR/http.log")
                if [ -n "$PORT" ]; then
                        break
                fi
                sleep 0.1
        done
        [ -n "$PORT" ]
        export PORT
}

teardown_file() {
        [ -f "$BATS_FILE_TMPDIR/http.pid" ] && kill "$(cat "$BATS_FILE_TMPDIR/http.pid")" 2>/dev/null
        gpgconf --kill gpg-agent 2>/dev/null || true
}

# pull_into DIR PATH REFSPEC [remote add options]: a fresh repository DIR (mode
# bare, as a host's: libostree uses no static delta to pull into an archive
# repository) pulls REFSPEC from http://127.0.0.1:PORT/PATH with GPG verification
# of the summary and the commit, trusting only the test's key.
pull_into() {
        local dir=$1 path=$2 refspec=$3
        shift 3
        ostree --repo="$dir" init --mode=bare || return
        ostree --repo="$dir" remote add --set=gpg-verify=true --set=gpg-verify-summary=true \
                --gpg-import="$BATS_FILE_TMPDIR/key.gpg" "$@" origin "http://127.0.0.1:$PORT/$path" "$REF" || return
        ostree --repo="$dir" pull origin "$refspec"
}

@test "two builds into one repository: the ref names the second, both commits are signed by the key" {
        is "$V1" '^[0-9a-f]{64}$' "v1's commit id"
        is "$V2" '^[0-9a-f]{64}$' "v2's commit id"
        [ "$V1" != "$V2" ]
        run -0 ostree --repo="$R" rev-parse "$REF"
        is "$output" "^$V2\$" "the ref"
        # ostree show reads the public keys from *.gpg files in --gpg-homedir.
        mkdir -p "$BATS_FILE_TMPDIR/keys"
        cp "$BATS_FILE_TMPDIR/key.gpg" "$BATS_FILE_TMPDIR/keys/"
        for c in "$V1" "$V2"; do
                run -0 ostree --repo="$R" show --gpg-homedir="$BATS_FILE_TMPDIR/keys" "$c"
                is "$output" "Found 1 signature:" "signatures of $c"
                is "$output" "key ID ${KEY: -16}"$'\n'"  Good signature from \"berth publish test" "signature of $c"
        done
}

@test "the static delta from v1 to v2 exists; v1 had none" {
        run -0 ostree --repo="$R" static-delta list
        is "$output" "^${V1}-${V2}\$" "deltas"
        local delta objects tree
        delta=$(du -sb "$R/deltas" | cut -f1)
        objects=$(du -sb --exclude=deltas "$R/objects" | cut -f1)
        tree=$(jq -r .tree_size "$BATS_FILE_TMPDIR/v2.json")
        echo "# static delta v1 -> v2 (one overlay file and the version changed): $delta bytes;" \
                "the repository's objects (both commits, compressed): $objects bytes; v2's tree: $tree bytes" >&3
}

@test "the summary names v2 and the delta, and is signed by the key" {
        [ -s "$R/summary.sig" ]
        run -0 ostree --repo="$R" summary --view
        is "$output" "\\* $REF"$'\n'"    Latest Commit \\([0-9]+ bytes\\):"$'\n'"      $V2" "the summary's ref"
        is "$output" "Static Deltas \\(ostree\\.static-deltas\\): \\{'${V1}-${V2}'" "the summary's deltas"
        local host="$BATS_FILE_TMPDIR/host-summary"
        ostree --repo="$host" init --mode=archive
        ostree --repo="$host" remote add --set=gpg-verify=true --set=gpg-verify-summary=true \
                --gpg-import="$BATS_FILE_TMPDIR/key.gpg" origin "http://127.0.0.1:$PORT/repo" "$REF"
        run -0 ostree --repo="$host" remote summary origin
        is "$output" "GPG: Verification enabled, found 1 signature:" "the summary's signatures"
        is "$output" "key ID ${KEY: -16}"$'\n'"  Good signature from \"berth publish test" "the summary's signature"
}

@test "a host pulls v2 over HTTP with GPG verification of summary and commit, through the delta" {
        run -0 pull_into "$BATS_FILE_TMPDIR/host" repo "$REF"
        run -0 ostree --repo="$BATS_FILE_TMPDIR/host" rev-parse "origin:$REF"
        is "$output" "^$V2\$" "the pulled commit"
        run -0 ostree --repo="$BATS_FILE_TMPDIR/host" cat "origin:$REF" /usr/etc/berth-publish-test
        is "$output" "^publish test 0\\.1\\.1\$" "v2's file"
}

@test "a host that has v1 updates to v2 through the static delta" {
        local host="$BATS_FILE_TMPDIR/host-v1"
        # v1 first (the ref at v1), then the ref: the delta from v1 is used.
        run -0 pull_into "$host" repo "$REF@$V1"
        run -0 ostree --repo="$host" rev-parse "origin:$REF"
        is "$output" "^$V1\$" "the host's commit before"
        run -0 ostree --repo="$host" pull origin "$REF"
        is "$output" "(^|"$'\n'")1 delta parts, " "the pull of v2"
        run -0 ostree --repo="$host" rev-parse "origin:$REF"
        is "$output" "^$V2\$" "the pulled commit"
}

@test "an unsigned build's repository is refused by a host that verifies signatures" {
        is "$UNSIGNED" "^$V2\$" "the unsigned build's commit (the same inputs as v2)"
        [ -f "$U/summary" ]
        [ ! -e "$U/summary.sig" ]
        run -1 pull_into "$BATS_FILE_TMPDIR/host-u" unsigned-repo "$REF"
        is "$output" "GPG verification enabled, but no summary\\.sig found" "the refusal of the summary"
        # The commit alone, without the summary's check: refused too.
        run -1 pull_into "$BATS_FILE_TMPDIR/host-u2" unsigned-repo "$REF" --set=gpg-verify-summary=false
        is "$output" "GPG verification enabled, but no signatures found" "the refusal of the commit"
}

@test "a repository signed with another key is refused" {
        local other="$BATS_FILE_TMPDIR/other-gnupg"
        mkdir -m 700 "$other"
        GNUPGHOME=$other gpg --batch --passphrase '' --quick-gen-key 'other <other@example.org>' ed25519 sign never 2>/dev/null
        GNUPGHOME=$other gpg --export >"$BATS_FILE_TMPDIR/other.gpg"
        GNUPGHOME=$other gpgconf --kill gpg-agent
        ostree --repo="$BATS_FILE_TMPDIR/host-o" init --mode=archive
        ostree --repo="$BATS_FILE_TMPDIR/host-o" remote add --set=gpg-verify=true --set=gpg-verify-summary=true \
                --gpg-import="$BATS_FILE_TMPDIR/other.gpg" origin "http://127.0.0.1:$PORT/repo" "$REF"
        run -1 ostree --repo="$BATS_FILE_TMPDIR/host-o" pull origin "$REF"
        is "$output" "public key not found" "the refusal"
}

@test "a key that is not there fails before building, naming it and the homedir, and writes nothing" {
        local out="$BATS_FILE_TMPDIR/nokey" repo="$BATS_FILE_TMPDIR/nokey-repo"
        run -2 "$BI" --cache "$BERTH_TEST_CACHE" -o "$out" --repo "$repo" --gpg-sign 0123456789ABCDEF \
                --gpg-homedir "$GNUPGHOME" "$BATS_FILE_TMPDIR/recipe-0.1.0.toml"
        is "$output" "GPG key 0123456789ABCDEF \\(homedir $GNUPGHOME\\)" "the message"
        is_not "$output" "==> resolve" "the build log"
        [ ! -e "$out" ]
        [ ! -e "$repo" ]
        [ -z "$(ls -d "$out".tmp-* 2>/dev/null)" ]
        run -2 "$BI" --gpg-homedir "$GNUPGHOME" "$BATS_FILE_TMPDIR/recipe-0.1.0.toml"
        is "$output" "--gpg-homedir needs --gpg-sign" "the message"
}

@test "a rebuild of the same inputs into the signed repository changes nothing and signs nothing twice" {
        local again
        again=$(build again 0.1.1 "$R" --gpg-sign "$KEY" --gpg-homedir "$GNUPGHOME")
        is "$again" "^$V2\$" "the commit"
        run -0 ostree --repo="$R" static-delta list
        is "$output" "^${V1}-${V2}\$" "deltas"
        run -0 ostree --repo="$R" show --gpg-homedir="$BATS_FILE_TMPDIR/keys" "$V2"
        is "$output" "Found 1 signature:" "signatures on v2"
        run -0 pull_into "$BATS_FILE_TMPDIR/host-again" repo "$REF"
}
