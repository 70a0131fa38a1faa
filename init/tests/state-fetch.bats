#!/usr/bin/env bats
# berth-fetch on the build host, against servers on 127.0.0.1
# (state-servers.py): the same command line stage 2 gives it, with the
# servers' addresses as the sources. No QEMU; fw_cfg and NoCloud, which
# load kernel modules and mount, are left to the boot tests.

bats_require_minimum_version 1.5.0

setup_file() {
        export FETCH="${BERTH_BUILD:-$BATS_TEST_DIRNAME/../../build}/berth-fetch"
        export SRV="$BATS_FILE_TMPDIR"
        printf 'version = 1\nhostname = "fetched"\n' >"$SRV/doc.toml"
        DOC_SHA=$(sha256sum "$SRV/doc.toml" | cut -d' ' -f1)
        export DOC_SHA
        openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
                -addext subjectAltName=IP:127.0.0.1 -keyout "$SRV/key.pem" -out "$SRV/cert.pem" 2>/dev/null
        python3 "$BATS_TEST_DIRNAME/state-servers.py" "$SRV/doc.toml" "$SRV/ports" "$SRV/cert.pem" \
                "$SRV/key.pem" 2>"$SRV/requests.log" &
        echo $! >"$SRV/pid"
        for _ in $(seq 100); do
                [[ -s $SRV/ports ]] && break
                sleep 0.1
        done
        read -r HTTP HANG HTTPS <"$SRV/ports"
        export HTTP HANG HTTPS
        export BASE="http://127.0.0.1:$HTTP"
}

teardown_file() {
        [[ -f $SRV/pid ]] && kill "$(cat "$SRV/pid")"
}

setup() {
        OUT="$BATS_TEST_TMPDIR/state.toml"
}

# seconds since the epoch, with a fraction
now() {
        date +%s.%N
}

# elapsed START MAX: fails when more than MAX seconds passed since START.
elapsed_at_most() {
        local took
        took=$(awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }')
        echo "took $took s (at most $2)"
        awk -v t="$took" -v m="$2" 'BEGIN { exit !(t <= m) }'
}

@test "the servers are up" {
        [[ $HTTP =~ ^[0-9]+$ ]]
        [[ $HANG =~ ^[0-9]+$ ]]
        [[ $HTTPS =~ ^[0-9]+$ ]]
}

@test "a document that is not a valid host state is refused with its line and column, and not written" {
        run -4 --separate-stderr "$FETCH" --out "$OUT" --http-unpinned "url:$BASE/bad.toml"
        [[ $output == "$BASE/bad.toml: 3:1: unknown key 'bogus'"* ]]
        [[ ! -e $OUT ]]
}

@test "a pinned document over http is written, mode 0600, and named with its hash" {
        run -0 --separate-stderr "$FETCH" --out "$OUT" --sha256 "$DOC_SHA" "url:$BASE/state.toml"
        [[ $output == "$BASE/state.toml sha256:$DOC_SHA" ]]
        cmp "$OUT" "$SRV/doc.toml"
        [[ $(stat -c %a "$OUT") == 600 ]]
}

@test "the pin may be in upper case" {
        run -0 --separate-stderr "$FETCH" --out "$OUT" --sha256 "${DOC_SHA^^}" "url:$BASE/state.toml"
        cmp "$OUT" "$SRV/doc.toml"
}

@test "a document replaces the last one whole, and leaves no temporary file" {
        echo old >"$OUT"
        run -0 --separate-stderr "$FETCH" --out "$OUT" --sha256 "$DOC_SHA" "url:$BASE/state.toml"
        cmp "$OUT" "$SRV/doc.toml"
        run -0 ls -A "$BATS_TEST_TMPDIR"
        echo "$output"
        [[ $output != *state.toml.* ]]
}

@test "plain http without a pin is refused, and nothing is asked or written" {
        echo old >"$OUT"
        : >"$SRV/requests.log"
        run -4 --separate-stderr "$FETCH" --out "$OUT" "url:$BASE/state.toml"
        [[ $output == "$BASE/state.toml: plain http without berth.state.sha256= is refused"* ]]
        [[ $(cat "$OUT") == old ]]
        run -1 grep -c state.toml "$SRV/requests.log"
}

@test "plain http without a pin is fetched when the image allows it" {
        run -0 --separate-stderr "$FETCH" --out "$OUT" --http-unpinned "url:$BASE/state.toml"
        [[ $output == "$BASE/state.toml sha256:$DOC_SHA" ]]
}

@test "a wrong pin is refused with both hashes, and nothing is written" {
        local pin
        pin=$(printf '%064d' 0)
        run -4 --separate-stderr "$FETCH" --out "$OUT" --sha256 "$pin" "url:$BASE/state.toml"
        [[ $output == "$BASE/state.toml: sha256:$DOC_SHA is not the pin sha256:$pin" ]]
        [ ! -e "$OUT" ]
}

@test "a pin that is not 64 hex digits fails the state" {
        run -4 --separate-stderr "$FETCH" --out "$OUT" --sha256 abc "url:$BASE/state.toml"
        [[ $output == *"berth.state.sha256=abc: not 64 hex digits" ]]
        [ ! -e "$OUT" ]
}

@test "HTTP 500 is asked again with back-off, then fails at the deadline naming the URL" {
        local start
        start=$(now)
        run -4 --separate-stderr "$FETCH" --out "$OUT" --http-unpinned --timeout 3 "url:$BASE/500"
        [[ $output == "$BASE/500: HTTP 500 ("*" attempts, until the deadline)" ]]
        [[ $stderr == *"$BASE/500: HTTP 500; again in 0.1 s"* ]]
        [[ $stderr == *"again in 0.4 s"* ]]
        elapsed_at_most "$start" 4
        [ ! -e "$OUT" ]
}

@test "a 404 at a named URL is a failure, not asked again" {
        run -4 --separate-stderr "$FETCH" --out "$OUT" --http-unpinned "url:$BASE/missing"
        [[ $output == "$BASE/missing: HTTP 404" ]]
        [[ $stderr != *"again in"* ]]
}

@test "a 20 MB document with its Content-Length is refused before it is read" {
        local start
        start=$(now)
        run -4 --separate-stderr "$FETCH" --out "$OUT" --http-unpinned "url:$BASE/big"
        [[ $output == "$BASE/big: larger than the limit of 1048576 bytes (Content-Length: 20000000)" ]]
        elapsed_at_most "$start" 2
        [ ! -e "$OUT" ]
}

@test "a 20 MB document without a Content-Length is cut off at the limit" {
        run -4 --separate-stderr "$FETCH" --out "$OUT" --http-unpinned "url:$BASE/big-unsized"
        [[ $output == "$BASE/big-unsized: larger than the limit of 1048576 bytes" ]]
        [ ! -e "$OUT" ]
}

@test "--max-size sets the limit" {
        run -4 --separate-stderr "$FETCH" --out "$OUT" --max-size 10 --sha256 "$DOC_SHA" "url:$BASE/state.toml"
        [[ $output =~ ": larger than the limit of 10 bytes (Content-Length: "[0-9]+")"$ ]]
        run -0 --separate-stderr "$FETCH" --out "$OUT" --max-size 35 --sha256 "$DOC_SHA" "url:$BASE/state.toml"
}

@test "a server that accepts and never answers fails at the deadline, naming the URL" {
        local start
        start=$(now)
        run -4 --separate-stderr "$FETCH" --out "$OUT" --http-unpinned --timeout 2 "url:http://127.0.0.1:$HANG/state.toml"
        [[ $output == "http://127.0.0.1:$HANG/state.toml: no answer within the deadline"* ]]
        elapsed_at_most "$start" 3.5
}

@test "nothing listening: asked again until the deadline" {
        run -4 --separate-stderr "$FETCH" --out "$OUT" --http-unpinned --timeout 2 "url:http://127.0.0.1:1/s"
        [[ $output == "http://127.0.0.1:1/s: "**" attempts, until the deadline)" ]]
}

@test "EC2: the IMDSv2 token is asked for, then the user data with it" {
        run -0 --separate-stderr "$FETCH" --out "$OUT" "ec2:$BASE/ec2"
        [[ $output == "ec2:$BASE/ec2/latest/user-data sha256:$DOC_SHA" ]]
        cmp "$OUT" "$SRV/doc.toml"
        grep -q '"PUT /ec2/latest/api/token HTTP/1.1" 200' "$SRV/requests.log"
}

@test "EC2: the fake metadata service refuses a GET without the token" {
        run -0 curl -s -o /dev/null -w '%{http_code}' "$BASE/ec2/latest/user-data"
        [[ $output == 401 ]]
}

@test "EC2 without user data: no document, exit 3" {
        run -3 --separate-stderr "$FETCH" --out "$OUT" "ec2:$BASE/ec2-empty"
        [[ $output == "none: $BASE/ec2-empty/latest/user-data: no user data" ]]
        [ ! -e "$OUT" ]
}

@test "EC2 with a pin: the metadata's document is checked too" {
        run -4 --separate-stderr "$FETCH" --out "$OUT" --sha256 "$(printf '%064d' 1)" "ec2:$BASE/ec2/"
        [[ $output == "ec2:$BASE/ec2/latest/user-data: sha256:$DOC_SHA is not the pin"* ]]
}

@test "GCE: the user data with Metadata-Flavor: Google" {
        run -0 --separate-stderr "$FETCH" --out "$OUT" "gce:$BASE/gce"
        [[ $output == "gce:$BASE/gce/computeMetadata/v1/instance/attributes/user-data sha256:$DOC_SHA" ]]
        cmp "$OUT" "$SRV/doc.toml"
        run -0 curl -s -o /dev/null -w '%{http_code}' "$BASE/gce/computeMetadata/v1/instance/attributes/user-data"
        [[ $output == 403 ]]
}

@test "sources are asked in order: the first with a document wins" {
        run -0 --separate-stderr "$FETCH" --out "$OUT" "ec2:$BASE/ec2-empty" "gce:$BASE/gce"
        [[ $output == "gce:$BASE/gce/"*" sha256:$DOC_SHA" ]]
}

@test "a failed source ends the search: no fallback to the next" {
        run -4 --separate-stderr "$FETCH" --out "$OUT" --http-unpinned "url:$BASE/500" "gce:$BASE/gce" --timeout 1
        [[ $output == "$BASE/500: HTTP 500"* ]]
        [ ! -e "$OUT" ]
}

@test "https is verified against the CA bundle given" {
        run -0 --separate-stderr "$FETCH" --out "$OUT" --ca-bundle "$SRV/cert.pem" "url:https://127.0.0.1:$HTTPS/state.toml"
        [[ $output == "https://127.0.0.1:$HTTPS/state.toml sha256:$DOC_SHA" ]]
        cmp "$OUT" "$SRV/doc.toml"
}

@test "https with a certificate the bundle does not vouch for fails" {
        run -4 --separate-stderr "$FETCH" --out "$OUT" --timeout 2 --ca-bundle /etc/ssl/certs/ca-certificates.crt \
                "url:https://127.0.0.1:$HTTPS/state.toml"
        [[ $output == "https://127.0.0.1:$HTTPS/state.toml: SSL certificate problem"* ]]
        [ ! -e "$OUT" ]
}

@test "a redirect from https to http is refused, even with a pin" {
        run -4 --separate-stderr "$FETCH" --out "$OUT" --timeout 2 --ca-bundle "$SRV/cert.pem" --sha256 "$DOC_SHA" \
                "url:https://127.0.0.1:$HTTPS/to-http"
        [[ $output == "https://127.0.0.1:$HTTPS/to-http: Protocol \"http\" not supported"* ]]
        [ ! -e "$OUT" ]
}

@test "a redirect is followed, and its own body is not the document" {
        run -0 --separate-stderr "$FETCH" --out "$OUT" --sha256 "$DOC_SHA" "url:$BASE/redirect"
        [[ $output == "$BASE/redirect sha256:$DOC_SHA" ]]
        cmp "$OUT" "$SRV/doc.toml"
}

@test "redirects are limited" {
        run -4 --separate-stderr "$FETCH" --out "$OUT" --timeout 2 --http-unpinned "url:$BASE/redirect-loop"
        [[ $output == "$BASE/redirect-loop: "*"redirects"* ]]
        [ ! -e "$OUT" ]
}

@test "no proxy from the environment is used" {
        http_proxy=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1 ALL_PROXY=http://127.0.0.1:1 \
                run -0 --separate-stderr "$FETCH" --out "$OUT" --timeout 2 --sha256 "$DOC_SHA" \
                "url:$BASE/state.toml"
        cmp "$OUT" "$SRV/doc.toml"
}

@test "credentials in a URL are not printed" {
        run -0 --separate-stderr "$FETCH" --out "$OUT" --sha256 "$DOC_SHA" "url:http://user:secret@127.0.0.1:$HTTP/state.toml"
        [[ $output == "$BASE/state.toml sha256:$DOC_SHA" ]]
}

@test "usage errors: no source, no --out, an unknown kind, a URL that is not http" {
        run -2 --separate-stderr "$FETCH" --out "$OUT"
        run -2 --separate-stderr "$FETCH" "url:$BASE/state.toml"
        run -2 --separate-stderr "$FETCH" --out "$OUT" "azure:$BASE"
        [[ $stderr == *"not url:, fw_cfg:, nocloud:, ec2: or gce:"* ]]
        run -2 --separate-stderr "$FETCH" --out "$OUT" "url:file:///etc/passwd"
        [[ $stderr == *"not an http:// or https:// URL"* ]]
        run -2 --separate-stderr "$FETCH" --out "$OUT" --timeout 0 "url:$BASE/state.toml"
        [ ! -e "$OUT" ]
}

@test "--plan prints this host's sources, one a line, in berth-fetch's own syntax" {
        run -0 --separate-stderr "$FETCH" --plan
        echo "$output"
        [ -n "$output" ]
        run -1 grep -vE '^(url|fw_cfg|nocloud|ec2|gce):.' <<<"$output"
}

# --archive: a container's OCI archive (berth-ctr's), streamed to a file.
# The servers' documents stand in for archives: berth-fetch does not look
# inside. OUT in a folder of its own, to see that no temporary file stays.

@test "--archive: written once its sha256 is the pin, mode 0600; OUT there with that hash is not fetched again" {
        local dir="$BATS_TEST_TMPDIR/archives"
        mkdir "$dir"
        run -0 --separate-stderr "$FETCH" --archive "$BASE/state.toml" --sha256 "$DOC_SHA" --out "$dir/a.tar"
        [ "$output" = "$BASE/state.toml sha256:$DOC_SHA $(stat -c %s "$SRV/doc.toml") bytes" ]
        cmp "$dir/a.tar" "$SRV/doc.toml"
        run -0 stat -c %a "$dir/a.tar"
        [ "$output" = 600 ]
        run -0 ls -A "$dir"
        [ "$output" = a.tar ]
        run -0 --separate-stderr "$FETCH" --archive "http://127.0.0.1:1/gone.tar" --sha256 "$DOC_SHA" --timeout 2 \
                --out "$dir/a.tar"
        [ "$output" = "http://127.0.0.1:1/gone.tar sha256:$DOC_SHA (there already)" ]
        # a file that is not the pin is replaced
        echo damaged >"$dir/a.tar"
        run -0 --separate-stderr "$FETCH" --archive "$BASE/state.toml" --sha256 "$DOC_SHA" --out "$dir/a.tar"
        cmp "$dir/a.tar" "$SRV/doc.toml"
}

@test "--archive: a wrong pin, HTTP 500 to the deadline, a body past --max-size: refused naming the URL, nothing left" {
        local dir="$BATS_TEST_TMPDIR/archives" zero
        mkdir "$dir"
        zero=$(printf '%064d' 0)
        run -4 --separate-stderr "$FETCH" --archive "$BASE/state.toml" --sha256 "$zero" --out "$dir/a.tar"
        [ "$output" = "$BASE/state.toml: sha256:$DOC_SHA ($(stat -c %s "$SRV/doc.toml") bytes) is not the pin sha256:$zero" ]
        run -4 --separate-stderr "$FETCH" --archive "$BASE/500" --sha256 "$zero" --timeout 2 --out "$dir/a.tar"
        [[ $output == "$BASE/500: HTTP 500 ("*" attempts, until the deadline)" ]]
        [[ $stderr == *"$BASE/500: HTTP 500; again in 0.1 s"* ]]
        run -4 --separate-stderr "$FETCH" --archive "$BASE/big-unsized" --sha256 "$zero" --max-size 100000 \
                --out "$dir/a.tar"
        [ "$output" = "$BASE/big-unsized: larger than the limit of 100000 bytes" ]
        run -0 ls -A "$dir"
        [ "$output" = "" ]
}

@test "--archive over https: verified against the CA bundle given" {
        local dir="$BATS_TEST_TMPDIR/archives"
        mkdir "$dir"
        run -4 --separate-stderr "$FETCH" --archive "https://127.0.0.1:$HTTPS/state.toml" --sha256 "$DOC_SHA" \
                --timeout 2 --ca-bundle /etc/ssl/certs/ca-certificates.crt --out "$dir/a.tar"
        [[ $output == "https://127.0.0.1:$HTTPS/state.toml: SSL certificate problem"* ]]
        run -0 --separate-stderr "$FETCH" --archive "https://127.0.0.1:$HTTPS/state.toml" --sha256 "$DOC_SHA" \
                --ca-bundle "$SRV/cert.pem" --out "$dir/a.tar"
        cmp "$dir/a.tar" "$SRV/doc.toml"
}

@test "--archive usage: a pin is required, no SOURCE, only http and https" {
        run -2 --separate-stderr "$FETCH" --archive "$BASE/state.toml" --out "$BATS_TEST_TMPDIR/a.tar"
        run -2 --separate-stderr "$FETCH" --archive "$BASE/state.toml" --sha256 "$DOC_SHA" \
                --out "$BATS_TEST_TMPDIR/a.tar" "url:$BASE/state.toml"
        run -2 --separate-stderr "$FETCH" --archive "ftp://127.0.0.1/a.tar" --sha256 "$DOC_SHA" \
                --out "$BATS_TEST_TMPDIR/a.tar"
        [ "$output" = "ftp://127.0.0.1/a.tar: not an http:// or https:// URL" ]
        run -2 --separate-stderr "$FETCH" --archive "$BASE/state.toml" --sha256 abc --out "$BATS_TEST_TMPDIR/a.tar"
        [ "$output" = "$BASE/state.toml: --sha256 abc: not 64 hex digits" ]
}

@test "--archive: what a killed download left is removed, another download's file (locked) is not" {
        local dir="$BATS_TEST_TMPDIR/archives"
        mkdir "$dir"
        echo partial >"$dir/a.tar.tmp-dead01"
        echo writing >"$dir/a.tar.tmp-live01"
        echo other >"$dir/b.tar.tmp-dead02"
        flock "$dir/a.tar.tmp-live01" sleep 30 &
        local holder=$!
        sleep 0.3
        run -0 --separate-stderr "$FETCH" --archive "$BASE/state.toml" --sha256 "$DOC_SHA" --out "$dir/a.tar"
        kill "$holder"
        run -0 ls "$dir"
        [ "$output" = "$(printf 'a.tar\na.tar.tmp-live01\nb.tar.tmp-dead02')" ]
}
