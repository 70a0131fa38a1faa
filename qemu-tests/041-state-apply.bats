#!/usr/bin/env bats
# Applying the host state (docs/host-state.md): a document through fw_cfg
# sets the host name, a sysctl and a file under /etc, and is kept as the
# last good one under /var/lib/berth; the next boot on the same disk with a
# bad document comes up on that one. A second VM fetches over plain http
# from a server of the test (qemu-tests/state-server.py; 10.0.2.2 is the
# host's 127.0.0.1 in QEMU's user network) and converges on `berthctl
# reload`; a file path through a symlink in /etc is refused whole, and a
# malformed document, 20 MB (with and without a Content-Length), a server
# that never answers and an HTTP 500 each leave it on the last good state
# (its fetch deadline is berth.state.timeout=10, so each waits ~10 s, not
# 60). Its reboot without the allowance for unpinned http is refused at
# boot and comes up on the last good state. Four boots of
# recipes/debug.toml.

bats_require_minimum_version 1.5.0
load helpers
load vm

STATE_LINE='^berth: (state applied|FAILED state|no host state)'

setup_file() {
        export DEBUG_OUT="$BATS_FILE_TMPDIR/debug"
        "$BI" --quiet --cache "$BERTH_TEST_CACHE" -o "$DEBUG_OUT" "$BERTH_ROOT/recipes/debug.toml" >/dev/null
        cat >"$BATS_FILE_TMPDIR/good.toml" <<'DOC'
version = 1
hostname = "applied-one"

[sysctl]
vm.swappiness = 17

[[files]]
path = "/etc/berth-test/hello"
mode = "0640"
group = 4
content = "hello from the state\n"
DOC
        # Valid TOML, not a valid document: an unknown key on line 3.
        printf 'version = 1\nhostname = "bad-host"\nbogus = 1\n' >"$BATS_FILE_TMPDIR/bad.toml"
        GOOD_SHA=$(sha256sum "$BATS_FILE_TMPDIR/good.toml" | cut -d' ' -f1)
        BAD_SHA=$(sha256sum "$BATS_FILE_TMPDIR/bad.toml" | cut -d' ' -f1)
        export GOOD_SHA BAD_SHA
        VM_EXTRA_ARGS="-fw_cfg name=opt/org.berth/state,file=$BATS_FILE_TMPDIR/good.toml" \
                vm_start main "$DEBUG_OUT" "berth.state.sha256=$GOOD_SHA"
        vm_wait main "$STATE_LINE" 240
}

teardown_file() {
        vm_stop_all
        if [[ -f $BATS_FILE_TMPDIR/http.pid ]]; then
                kill "$(cat "$BATS_FILE_TMPDIR/http.pid")" 2>/dev/null || true
        fi
}

console() { vm_console "$1" | tr -d '\r'; }

@test "fw_cfg: the document is applied, and the console says so with its source, hash and time" {
        local c
        c=$(console main)
        is "$c" $'(^|\n)berth: state applied fw_cfg:opt/org\\.berth/state sha256:'"$GOOD_SHA"$' [0-9]+\\.[0-9]{2}(\n|$)' \
                "the applied line"
        is_not "$c" "FAILED state" "a FAILED state line"
}

@test "fw_cfg: host name, sysctl and the file under /etc with its mode and group" {
        run -0 vm_run main 'hostname; cat /etc/hostname; cat /proc/sys/vm/swappiness; stat -c "%a %u %g" /etc/berth-test/hello; cat /etc/berth-test/hello'
        is "$output" "^applied-one"$'\r?\n'"applied-one"$'\r?\n'"17"$'\r?\n'"640 0 4"$'\r?\n'"hello from the state" \
                "hostname, /etc/hostname, vm.swappiness, the file"
}

@test "fw_cfg: kept as the last good document, root's only; berthctl status names it" {
        run -0 vm_run main 'stat -c %a /var/lib/berth/state.toml; sha256sum /var/lib/berth/state.toml; cat /var/lib/berth/state.toml.sha256'
        is "$output" "^600"$'\r?\n'"$GOOD_SHA " "mode and hash"
        is "$output" $'\n'"$GOOD_SHA fw_cfg:opt/org\\.berth/state" "the stamp"
        run -0 vm_run main 'berthctl status'
        is "$output" "state: fw_cfg:opt/org\\.berth/state sha256:$GOOD_SHA applied at [0-9.]+ s"$'\r?\n' "status"
        run -0 vm_run main 'berthctl status --json'
        is "$output" '"state": \{[^}]*"sha256": "'"$GOOD_SHA"'"' "status --json's state"
        is "$output" '"last_good": false' "not the last good one: this boot's"
        run -0 vm_run main 'grep VmRSS /proc/1/status'
        echo "# PID 1 with the state applied: $(echo "$output" | tr -d '\r')" >&3
}

@test "a bad document on the next boot: FAILED with line and column, then the last good one, nothing of the bad" {
        local c
        run -0 vm_run main 'sync'
        vm_stop main
        VM_EXTRA_ARGS="-fw_cfg name=opt/org.berth/state,file=$BATS_FILE_TMPDIR/bad.toml" \
                vm_start main "$DEBUG_OUT" "berth.state.sha256=$BAD_SHA"
        vm_wait main "^berth: state last-good|^berth: state applied" 240
        c=$(console main)
        is "$c" $'(^|\n)berth: FAILED state fw_cfg:opt/org\\.berth/state: 3:1: [^\n]*bogus[^\n]*\nberth: state last-good sha256:'"$GOOD_SHA"$'(\n|$)' \
                "FAILED (line 3, column 1) and then last-good"
        is_not "$c" "state applied" "an applied line"
        # /etc is a tmpfs overlay: the file is there again because the last good one was applied.
        run -0 vm_run main 'hostname; cat /proc/sys/vm/swappiness; stat -c %a /etc/berth-test/hello; ls /run/berth | grep -c "^state.toml$"; true'
        is "$output" "^applied-one"$'\r?\n'"17"$'\r?\n'"640"$'\r?\n'"0" \
                "the last good state applied; the bad document not even written"
        run -0 vm_run main 'berthctl status --json'
        is "$output" '"source": "last-good"' "status: the source"
        is "$output" '"last_good": true' "status: last good"
}

# ---- over http, with reload ----

serve() { cp "$BATS_FILE_TMPDIR/$1" "$BATS_FILE_TMPDIR/www/state.toml"; }
# serve_mode MODE: what the server answers instead of the document (state-server.py).
serve_mode() { echo "$1" >"$BATS_FILE_TMPDIR/www/mode"; }

start_net_vm() {
        mkdir -p "$BATS_FILE_TMPDIR/www"
        cat >"$BATS_FILE_TMPDIR/v1.toml" <<'DOC'
version = 1
hostname = "net-one"

[sysctl]
vm.swappiness = 21

[[files]]
path = "/etc/berth-test/old"
content = "old\n"

[[files]]
path = "/etc/berth-test/kept"
content = "kept\n"
DOC
        cat >"$BATS_FILE_TMPDIR/v2.toml" <<'DOC'
version = 1
hostname = "net-two"

[sysctl]
vm.swappiness = 22

[[files]]
path = "/etc/berth-test/kept"
content = "kept\n"

[[files]]
path = "/etc/berth-test/sub/new"
mode = "0600"
content = "new\n"
DOC
        cat >"$BATS_FILE_TMPDIR/escape.toml" <<'DOC'
version = 1
hostname = "escaped"

[sysctl]
vm.swappiness = 33

[[files]]
path = "/etc/berth-test/first"
content = "written first?\n"

[[files]]
path = "/etc/evil/x"
content = "out of /etc\n"
DOC
        serve v1.toml
        python3 "$BATS_TEST_DIRNAME/state-server.py" http "$BATS_FILE_TMPDIR/www" "$BATS_FILE_TMPDIR/http.port" \
                2>"$BATS_FILE_TMPDIR/http.log" &
        echo $! >"$BATS_FILE_TMPDIR/http.pid"
        local i
        for i in $(seq 50); do
                [[ -f $BATS_FILE_TMPDIR/http.port ]] && break
                sleep 0.1
        done
        PORT=$(cat "$BATS_FILE_TMPDIR/http.port")
        vm_start net "$DEBUG_OUT" "berth.state=http://10.0.2.2:$PORT/state.toml" "berth.state.http=any" \
                "berth.state.timeout=10"
        vm_wait net "$STATE_LINE" 240
}

@test "http: the first document is applied" {
        vm_stop main
        start_net_vm
        local c
        c=$(console net)
        is "$c" $'(^|\n)berth: state applied http://10\\.0\\.2\\.2:[0-9]+/state\\.toml sha256:'"$(sha256sum "$BATS_FILE_TMPDIR/v1.toml" | cut -d' ' -f1)"' [0-9.]+' \
                "the applied line"
        run -0 vm_run net 'hostname; cat /etc/berth-test/old /etc/berth-test/kept'
        is "$output" "^net-one"$'\r?\n'"old"$'\r?\n'"kept" "hostname and files"
}

@test "http: berthctl reload converges: new file written, removed file removed, unchanged file untouched" {
        local v2
        v2=$(sha256sum "$BATS_FILE_TMPDIR/v2.toml" | cut -d' ' -f1)
        run -0 vm_run net 'stat -c %i.%Y /etc/berth-test/kept'
        local kept_before=${output//$'\r'/}
        serve v2.toml
        run -0 vm_run net 'berthctl reload; echo rc=$?'
        is "$output" "rc=0" "berthctl reload's exit"
        vm_wait net "^berth: state applied http://[^ ]+ sha256:$v2" 120
        run -0 vm_run net 'hostname; cat /proc/sys/vm/swappiness; ls -1 /etc/berth-test; stat -c %a /etc/berth-test/sub/new; cat /run/berth/state-written'
        is "$output" "^net-two"$'\r?\n'"22"$'\r?\n'"kept"$'\r?\n'"sub"$'\r?\n'"600"$'\r?\n' \
                "hostname, sysctl, old gone, new there with its mode"
        is "$output" "file /etc/berth-test/kept"$'\r?\n'"file /etc/berth-test/sub/new" "the record"
        run -0 vm_run net 'stat -c %i.%Y /etc/berth-test/kept'
        is "${output//$'\r'/}" "^${kept_before}\$" "the unchanged file is the same inode, not rewritten"
}

@test "http: a file path through a symlink in /etc is refused whole; the host stays on the last good" {
        local v2 c
        v2=$(sha256sum "$BATS_FILE_TMPDIR/v2.toml" | cut -d' ' -f1)
        run -0 vm_run net 'mkdir -p /tmp/outside && ln -s /tmp/outside /etc/evil && echo made'
        is "$output" "made" "the symlink"
        serve escape.toml
        run -0 vm_run net 'berthctl reload'
        # Either end, so that a document wrongly applied fails the assertions below.
        vm_wait net "^berth: state last-good|^berth: state applied [^ ]+ sha256:$(sha256sum "$BATS_FILE_TMPDIR/escape.toml" | cut -d' ' -f1)" 120
        run -0 vm_run net 'hostname; cat /proc/sys/vm/swappiness; ls /tmp/outside | wc -l; ls -1 /etc/berth-test'
        is "$output" "^net-two"$'\r?\n'"22"$'\r?\n'"0"$'\r?\n'"kept"$'\r?\n'"sub"$'\r?$' \
                "hostname, sysctl, nothing outside /etc and no file of the refused document"
        c=$(console net)
        is "$c" $'\nberth: FAILED state http://[^ ]+: /etc/evil/x: leads through a symlink[^\n]*\nberth: state last-good sha256:'"$v2" \
                "FAILED naming the path, then last-good"
}

@test "http: a malformed document on reload: FAILED with line and column, the host unchanged" {
        local v2 c
        v2=$(sha256sum "$BATS_FILE_TMPDIR/v2.toml" | cut -d' ' -f1)
        printf 'version = 1\nhostname = "x\n' >"$BATS_FILE_TMPDIR/malformed.toml"
        serve malformed.toml
        local before
        before=$(console net | grep -c '^berth: state last-good' || true)
        run -0 vm_run net 'berthctl reload'
        vm_wait net "^berth: state last-good" 120 $((before + 1))
        c=$(console net)
        is "$c" $'\nberth: FAILED state http://[^ ]+: 2:[0-9]+: [^\n]*\nberth: state last-good sha256:'"$v2"$'(\n|$)' \
                "FAILED with line and column, then last-good"
        run -0 vm_run net 'hostname'
        is "$output" "^net-two" "the hostname"
}

# ---- bad sources on reload: each FAILED, then the last good one ----

# reload_bad MODE: the server answers MODE; berthctl reload; waits for the
# next last-good line (berth.state.timeout=10: the fetch gives up after
# 10 s, PID 1 kills it 30 s later; 90 s bounds both under emulation).
# Leaves the console in $c, the reload's time in $took and v2's hash in $v2.
reload_bad() {
        local before start
        serve_mode "$1"
        before=$(console net | grep -c '^berth: state last-good' || true)
        start=$SECONDS
        run -0 vm_run net 'berthctl reload'
        vm_wait net "^berth: state last-good" 90 $((before + 1))
        took=$((SECONDS - start))
        v2=$(sha256sum "$BATS_FILE_TMPDIR/v2.toml" | cut -d' ' -f1)
        c=$(console net)
        echo "# $1: last-good after ${took} s" >&3
}

# on_last_good: nothing of what the server sent is applied or kept; the
# host is as v2 made it.
on_last_good() {
        run -0 vm_run net 'hostname; cat /proc/sys/vm/swappiness; ls -1 /etc/berth-test; cut -d" " -f1 /var/lib/berth/state.toml.sha256; sha256sum </var/lib/berth/state.toml'
        is "$output" "^net-two"$'\r?\n'"22"$'\r?\n'"kept"$'\r?\n'"sub"$'\r?\n'"$v2"$'\r?\n'"$v2 " \
                "hostname, sysctl, files and the last good document as v2 left them"
}

@test "http: 20 MB with a Content-Length on reload: FAILED as larger than the limit, the host on the last good" {
        local c took v2
        reload_bad big
        is "$c" $'\nberth: FAILED state http://10\\.0\\.2\\.2:[0-9]+/state\\.toml: larger than the limit of 1048576 bytes \\(Content-Length: 20000000\\)\nberth: state last-good sha256:'"$v2"$'(\n|$)' \
                "the FAILED line, then last-good"
        on_last_good
}

@test "http: 20 MB without a Content-Length on reload: FAILED as larger than the limit, the host on the last good" {
        local c took v2
        reload_bad big-unsized
        is "$c" $'\nberth: FAILED state http://10\\.0\\.2\\.2:[0-9]+/state\\.toml: larger than the limit of 1048576 bytes\nberth: state last-good sha256:'"$v2"$'(\n|$)' \
                "the FAILED line, then last-good"
        on_last_good
}

@test "http: a server that accepts and never answers: FAILED at the 10 s deadline, the host on the last good" {
        local c took v2
        reload_bad hang
        is "$c" $'\nberth: FAILED state http://10\\.0\\.2\\.2:[0-9]+/state\\.toml: no answer within the deadline \\([^\n]*\nberth: state last-good sha256:'"$v2"$'(\n|$)' \
                "the FAILED line, then last-good"
        on_last_good
        run -0 grep -c '"GET /state.toml HTTP/1.1" hang' "$BATS_FILE_TMPDIR/http.log"
        is "$output" "^[1-9]" "the server got the request and held it"
        # berth-fetch's own deadline ended it, not PID 1's kill 30 s later
        is_not "$c" "berth-fetch still running" "PID 1 killing berth-fetch"
        # berth.state.timeout=10 is its deadline, not the default 60 s
        [ "$took" -lt 40 ]
}

@test "http: HTTP 500: asked again with back-off until the deadline, then FAILED; the host on the last good" {
        local c took v2
        reload_bad 500
        is "$c" $'\nberth: FAILED state http://10\\.0\\.2\\.2:[0-9]+/state\\.toml: HTTP 500 \\([0-9]+ attempts, until the deadline\\)\nberth: state last-good sha256:'"$v2"$'(\n|$)' \
                "the FAILED line, then last-good"
        on_last_good
        run -0 grep -c '"GET /state.toml HTTP/1.1" 500' "$BATS_FILE_TMPDIR/http.log"
        is "$output" "^([3-9]|[1-9][0-9]+)$" "retried: at least 3 requests answered 500"
}

@test "at boot: unpinned plain http without berth.state.http=any is refused before anything is asked; up on the last good" {
        local c v2 requests
        PORT=$(cat "$BATS_FILE_TMPDIR/http.port")
        v2=$(sha256sum "$BATS_FILE_TMPDIR/v2.toml" | cut -d' ' -f1)
        printf 'version = 1\nhostname = "unpinned"\n' >"$BATS_FILE_TMPDIR/v3.toml"
        rm -f "$BATS_FILE_TMPDIR/www/mode"
        serve v3.toml
        run -0 vm_run net 'sync'
        vm_stop net
        requests=$(grep -c 'GET /state.toml' "$BATS_FILE_TMPDIR/http.log" || true)
        vm_start net "$DEBUG_OUT" "berth.state=http://10.0.2.2:$PORT/state.toml" "berth.state.timeout=10"
        vm_wait net "^berth: state last-good|^berth: state applied" 240
        c=$(console net)
        is "$c" $'(^|\n)berth: FAILED state http://10\\.0\\.2\\.2:[0-9]+/state\\.toml: plain http without berth\\.state\\.sha256= is refused [^\n]*\nberth: state last-good sha256:'"$v2"$'(\n|$)' \
                "FAILED unpinned, then last-good"
        is_not "$c" "state applied" "an applied line"
        run -0 vm_run net 'hostname'
        is "$output" "^net-two" "the last good hostname"
        run -0 grep -c 'GET /state.toml' "$BATS_FILE_TMPDIR/http.log"
        is "$output" "^$requests\$" "the server was not asked"
}
