#!/usr/bin/env bats
# berth-ctr, the container runner PID 1 supervises (init/ctr/berth-ctr.c),
# against a real containerd and runc on this host, no QEMU, set up as
# containerd-api.bats does (a containerd of the test's own, Debian's
# docker-registry on 127.0.0.1, one open and one wanting a token, an image
# made from busybox-static): the pull, the output on standard output and in
# the log file, its rotation, the credentials file, SIGTERM and the grace
# period, the exit status, what an earlier run left behind, and OCI archives
# from a URL (an http server on 127.0.0.1) with their sha256 pin. Needs root.

bats_require_minimum_version 1.5.0

load containerd-env

setup_file() {
        export CT="${BERTH_BUILD:-$BATS_TEST_DIRNAME/../../build}/ctrd-test"
        export BCTR="${BERTH_BUILD:-$BATS_TEST_DIRNAME/../../build}/berth-ctr"
        containerd_env_start berth-ctr.bats ctr
        python3 "$BATS_TEST_DIRNAME/push-oci-image.py" "$D/image.tar" "$REG" berth/busybox:1 >"$D/digest"
        python3 "$BATS_TEST_DIRNAME/push-oci-image.py" "$D/image.tar" "$PRIV" berth/private:1 >/dev/null
        containerd_wait
}

teardown_file() {
        [[ -f ${D:-}/srv.pid ]] && kill "$(cat "$D/srv.pid")" 2>/dev/null
        containerd_env_stop
}

ct() {
        "$CT" -a "$D/c.sock" "$@"
}

# berth-ctr run NAME ... against the test's containerd, its logs and FIFOs under $D;
# exec: in the background, $! is berth-ctr itself
bctr() {
        local name=$1
        shift
        exec "$BCTR" run "$name" --address "$D/c.sock" --log-dir "$D/log" --run-dir "$D/run" \
                --cgroup-parent "$CGP" --auth "$D/auth.json" "$@"
}

# No task, no container record: what berth-ctr leaves once it is done.
gone() {
        run -0 ct ps
        [[ $output != *"$1 "* ]]
}

@test "pulls the image it lacks, copies each line to stdout and the log, exits with the task's status" {
        run -7 --separate-stderr bctr hello --image "$REG/berth/busybox:1" \
                --command /bin/sh --arg -c --arg 'echo out-line; echo err-line >&2; echo "$GREETING"; exit 7' \
                --env GREETING=from-env
        [[ $stderr == *"berth-ctr: hello: pulling $REG/berth/busybox:1"* ]]
        [[ $stderr == *"berth-ctr: hello: exited with status 7"* ]]
        [[ $output == *out-line* ]]
        [[ $output == *err-line* ]]
        [[ $output == *from-env* ]]
        run -0 cat "$D/log/hello.log"
        [[ $output == *out-line*  ]]
        [[ $output == *err-line* ]]
        gone hello
}

@test "an image that cannot be pulled: status 125, the reason on stderr, nothing left" {
        run -125 --separate-stderr bctr nopull --image "$REG/berth/absent:1" --command /bin/true
        [[ $stderr == *"berth-ctr: nopull: cannot pull $REG/berth/absent:1"* ]]
        gone nopull
}

@test "a registry that wants a token: credentials come from the auth file, by host" {
        rm -f "$D/auth.json"
        run -125 --separate-stderr bctr priv --image "$PRIV/berth/private:1" --command /bin/true
        [[ $stderr == *"cannot pull"* ]]
        printf '{"%s": {"username": "berth", "password": "s3cret"}}\n' "$PRIV" >"$D/auth.json"
        run -0 --separate-stderr bctr priv --image "$PRIV/berth/private:1" --command /bin/echo --arg private-ok
        [[ $stderr == *"pulling $PRIV/berth/private:1 (with credentials)"* ]]
        [[ $output == private-ok ]]
        rm -f "$D/auth.json"
}

@test "the log rotates past 1 MiB: NAME.log.1 and NAME.log hold every line between them" {
        ct pull "$REG/berth/busybox:1" >/dev/null
        # 30000 lines of 41 bytes: 1230000 bytes
        run -0 --separate-stderr bctr chatty --image "$REG/berth/busybox:1" \
                --command /bin/sh --arg -c --arg 'yes 0123456789012345678901234567890123456789 | head -n 30000'
        run -0 stat -c %s "$D/log/chatty.log.1"
        (( output <= 1048576 ))
        (( output > 1000000 ))
        local first=$output
        run -0 stat -c %s "$D/log/chatty.log"
        (( first + output == 1230000 ))
}

@test "SIGTERM: the task gets TERM, its last words are copied, it is deleted, its status is berth-ctr's" {
        ct pull "$REG/berth/busybox:1" >/dev/null
        bctr trapper --image "$REG/berth/busybox:1" --command /bin/sh --arg -c \
                --arg 'trap "echo got-TERM; exit 3" TERM; echo started; while :; do sleep 0.1; done' \
                >"$D/trapper.out" 2>"$D/trapper.err" &
        local pid=$! i
        for i in $(seq 100); do
                grep -q started "$D/trapper.out" && break
                sleep 0.1
        done
        run -0 grep -q started "$D/trapper.out"
        kill -TERM "$pid"
        local rc=0
        wait "$pid" || rc=$?
        [ "$rc" = 3 ]
        run -0 cat "$D/trapper.out"
        [[ $output == *got-TERM* ]]
        run -0 cat "$D/log/trapper.log"
        [[ $output == *got-TERM* ]]
        gone trapper
}

@test "a task that ignores TERM is killed after the grace period" {
        ct pull "$REG/berth/busybox:1" >/dev/null
        bctr stubborn --grace 1 --image "$REG/berth/busybox:1" --command /bin/sh --arg -c \
                --arg 'trap "" TERM; echo started; while :; do sleep 0.1; done' \
                >"$D/stubborn.out" 2>"$D/stubborn.err" &
        local pid=$! i
        for i in $(seq 100); do
                grep -q started "$D/stubborn.out" && break
                sleep 0.1
        done
        kill -TERM "$pid"
        local t0=$SECONDS rc=0
        wait "$pid" || rc=$?
        [ "$rc" = 137 ]
        (( SECONDS - t0 <= 6 ))
        run -0 cat "$D/stubborn.err"
        [[ $output == *"still running 1 s after SIGTERM: SIGKILL"* ]]
        gone stubborn
}

@test "what an earlier run left of the container is removed first" {
        ct pull "$REG/berth/busybox:1" >/dev/null
        run -0 ct run left "$REG/berth/busybox:1" --detach --cgroup-parent "$CGP" -- /bin/sleep 300
        run -0 --separate-stderr bctr left --image "$REG/berth/busybox:1" --command /bin/echo --arg second-life
        [[ $output == second-life ]]
        gone left
}

@test "the limits land in containers' cgroup NAME" {
        ct pull "$REG/berth/busybox:1" >/dev/null
        run -0 --separate-stderr bctr limited --image "$REG/berth/busybox:1" --memory 33554432 --pids 20 \
                --cpu-max "50000 100000" --command /bin/sh --arg -c --arg 'cat /proc/self/cgroup'
        [[ $output == *"$CGP/limited"* ]]
}

@test "a mount source is bound; one with a symlink on its way is refused: status 125, the source named" {
        ct pull "$REG/berth/busybox:1" >/dev/null
        mkdir -p "$D/vol/real"
        echo bound >"$D/vol/real/mark"
        ln -sfn / "$D/vol/link"
        run -0 --separate-stderr bctr mounted --image "$REG/berth/busybox:1" --mount "$D/vol/real" \
                --to /data --ro --command /bin/cat --arg /data/mark
        [[ $output == bound ]]
        run -125 --separate-stderr bctr escaped --image "$REG/berth/busybox:1" --mount "$D/vol/link/etc" \
                --to /data --command /bin/cat --arg /data/hostname
        [[ $stderr == *"mount source $D/vol/link/etc: "*"symlink"*"refused"* ]]
        [[ $output != *"$(hostname)"* ]]
        gone escaped
}

@test "bad usage: status 2 and a message" {
        run -2 "$BCTR" run 'Bad/Name' --image x
        [[ $output == *"not a valid container name"* ]]
        run -2 "$BCTR" run ok --memory lots
        [[ $output == *"bad options"* ]]
        run -2 "$BCTR" run ok --archive-url http://x/a.tar --archive-sha256 ABC
        [[ $output == *"bad options"* ]]
        run -2 "$BCTR" run ok --image a/b:1 --archive-url http://x/a.tar --archive-sha256 "$(printf '%064d' 0)"
        [[ $output == *"bad options"* ]]
}

# An http server on 127.0.0.1 for the OCI archive, serving $D/srv; each
# request is a line of $D/srv.log (so the test sees whether it was asked).
archive_server() {
        mkdir -p "$D/srv"
        [[ -f $D/srv.port ]] && return 0
        python3 - "$D/srv" "$D/srv.port" >"$D/srv.log" 2>&1 <<-'PY' &
	import functools, http.server, sys
	class H(http.server.SimpleHTTPRequestHandler):
	    def log_message(self, fmt, *a):
	        print(self.path, flush=True)
	s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=sys.argv[1]))
	open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
	__import__("os").rename(sys.argv[2] + ".tmp", sys.argv[2])
	s.serve_forever()
	PY
        echo $! >"$D/srv.pid"
        local i
        for i in $(seq 50); do
                [[ -f $D/srv.port ]] && break
                sleep 0.1
        done
        [[ -f $D/srv.port ]]
}

# busybox as an OCI archive at $D/srv/$1.tar; $HEX its sha256.
make_archive() {
        python3 "$BATS_TEST_DIRNAME/../../qemu-tests/make-oci-image.py" /bin/busybox "$D/srv/$1.tar" "berth/$1:1"
        HEX=$(sha256sum "$D/srv/$1.tar" | cut -c1-64)
}

archive_images() {
        ctr -a "$D/c.sock" -n k8s.io images ls -q
}

@test "an OCI archive from a URL: fetched, verified, imported, run; the file removed; a second run fetches nothing" {
        archive_server
        make_archive offline
        local url="http://127.0.0.1:$(cat "$D/srv.port")/offline.tar"
        run -0 --separate-stderr bctr offline --archive-url "$url" --archive-sha256 "$HEX" \
                --archive-dir "$D/archives" --fetch "$(dirname "$BCTR")/berth-fetch" \
                --command /bin/echo --arg from-the-archive
        echo "$stderr"
        [ "$output" = from-the-archive ]
        [[ $stderr == *"berth-ctr: offline: fetching $url"* ]]
        [[ $stderr == *"imported $url as berth.archive/sha256-$HEX:latest"* ]]
        run -0 archive_images
        [[ $output == *"berth.archive/sha256-$HEX:latest"* ]]
        run -0 ls -A "$D/archives"
        [ "$output" = "" ]
        run -0 grep -c offline.tar "$D/srv.log"
        [ "$output" = 1 ]
        gone offline

        run -0 --separate-stderr bctr offline --archive-url "$url" --archive-sha256 "$HEX" \
                --archive-dir "$D/archives" --fetch "$(dirname "$BCTR")/berth-fetch" \
                --command /bin/echo --arg again
        [ "$output" = again ]
        [[ $stderr != *fetching* ]]
        run -0 grep -c offline.tar "$D/srv.log"
        [ "$output" = 1 ]
}

@test "an archive whose sha256 is not the pin: status 125, the URL and both hashes said, nothing kept or imported" {
        archive_server
        make_archive wrongpin
        local url="http://127.0.0.1:$(cat "$D/srv.port")/wrongpin.tar" pin
        pin=$(printf '%064d' 7)
        run -125 --separate-stderr bctr wrongpin --archive-url "$url" --archive-sha256 "$pin" \
                --archive-dir "$D/archives" --fetch "$(dirname "$BCTR")/berth-fetch" --command /bin/true
        echo "$stderr"
        [[ $stderr == *"berth-ctr: wrongpin: cannot fetch the archive: $url: sha256:$HEX "*" is not the pin sha256:$pin"* ]]
        run -0 ls -A "$D/archives"
        [ "$output" = "" ]
        run -0 archive_images
        [[ $output != *"sha256-$pin"* ]]
        run -0 ct ps
        [[ $output != *"wrongpin "* ]]
}

@test "an archive the server does not have: status 125 naming the URL and the HTTP status" {
        archive_server
        local url="http://127.0.0.1:$(cat "$D/srv.port")/absent.tar"
        run -125 --separate-stderr bctr absent --archive-url "$url" --archive-sha256 "$(printf '%064d' 1)" \
                --archive-dir "$D/archives" --fetch "$(dirname "$BCTR")/berth-fetch" --command /bin/true
        [[ $stderr == *"cannot fetch the archive: $url: HTTP 404"* ]]
}

@test "a verified archive that is not an OCI image: status 125 naming the URL; the file stays for the next try" {
        archive_server
        head -c 5000 /dev/urandom >"$D/srv/junk.tar"
        local url="http://127.0.0.1:$(cat "$D/srv.port")/junk.tar" hex
        hex=$(sha256sum "$D/srv/junk.tar" | cut -c1-64)
        run -125 --separate-stderr bctr junk --archive-url "$url" --archive-sha256 "$hex" \
                --archive-dir "$D/archives" --fetch "$(dirname "$BCTR")/berth-fetch" --command /bin/true
        echo "$stderr"
        [[ $stderr == *"cannot import the archive $url: "* ]]
        run -0 ls -A "$D/archives"
        [ "$output" = "$hex.tar" ]
        rm -f "$D/archives/$hex.tar"
}
