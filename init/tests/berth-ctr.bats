#!/usr/bin/env bats
# berth-ctr, the container runner PID 1 supervises (init/ctr/berth-ctr.c),
# against a real containerd and runc on this host, no QEMU, set up as
# containerd-api.bats does (a containerd of the test's own, Debian's
# docker-registry on 127.0.0.1, one open and one wanting a token, an image
# made from busybox-static): the pull, the output on standard output and in
# the log file, its rotation, the credentials file, SIGTERM and the grace
# period, the exit status, and what an earlier run left behind. Needs root.

bats_require_minimum_version 1.5.0

load cgroups

setup_file() {
        export CT="${BERTH_BUILD:-$BATS_TEST_DIRNAME/../../build}/ctrd-test"
        export BCTR="${BERTH_BUILD:-$BATS_TEST_DIRNAME/../../build}/berth-ctr"
        if [[ $(id -u) -ne 0 ]]; then
                echo "berth-ctr.bats needs root: containerd, runc and cgroups" >&2
                return 1
        fi
        ensure_cgroups
        # A short path: the socket's must fit in sun_path. Not tmpfs-only:
        # overlayfs wants a file system with trusted xattrs (ext4 and tmpfs
        # both do).
        D=$(mktemp -d /tmp/berth-ctr.XXXXXX)
        export D
        local port port2
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        port2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        export REG=127.0.0.1:$port
        # a second registry that wants a token from the test's token server
        export PRIV=127.0.0.1:$port2
        # Unique per run: the container cgroups land under it on this host.
        export CGP=/berth-ctr-test-${D##*.}
        mkdir -p "$D/registry" "$D/registry2" "$D/certs.d/$REG" "$D/certs.d/$PRIV"
        python3 "$BATS_TEST_DIRNAME/token-server.py" "$D/token-port" berth s3cret 2>"$D/token.log" &
        echo $! >"$D/token.pid"

        cat >"$D/registry.yml" <<-YML
	version: 0.1
	log:
	  level: warn
	storage:
	  filesystem:
	    rootdirectory: $D/registry
	http:
	  addr: $REG
	YML
        docker-registry serve "$D/registry.yml" >"$D/registry.log" 2>&1 &
        echo $! >"$D/registry.pid"
        local i
        for i in $(seq 50); do
                [[ -f $D/token-port ]] && break
                sleep 0.1
        done
        # "silly" auth: any Authorization header passes, none gets a Bearer
        # challenge naming the token server, where the credentials are checked
        cat >"$D/registry2.yml" <<-YML
	version: 0.1
	log:
	  level: warn
	storage:
	  filesystem:
	    rootdirectory: $D/registry2
	http:
	  addr: $PRIV
	auth:
	  silly:
	    realm: http://127.0.0.1:$(cat "$D/token-port")/token
	    service: berth-test
	YML
        docker-registry serve "$D/registry2.yml" >"$D/registry2.log" 2>&1 &
        echo $! >"$D/registry2.pid"

        # Plain http for this registry only, as a berth host's hosts.toml
        # would say it.
        local r
        for r in "$REG" "$PRIV"; do
                cat >"$D/certs.d/$r/hosts.toml" <<-TOML
		server = "http://$r"
		[host."http://$r"]
		  capabilities = ["pull", "resolve"]
		TOML
        done
        cat >"$D/config.toml" <<-TOML
	version = 2
	root = "$D/root"
	state = "$D/state"
	[grpc]
	  address = "$D/c.sock"
	[plugins."io.containerd.grpc.v1.cri".registry]
	  config_path = "$D/certs.d"
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$D/opt"
	TOML
        containerd --config "$D/config.toml" --log-level info >"$D/containerd.log" 2>&1 &
        echo $! >"$D/containerd.pid"

        python3 "$BATS_TEST_DIRNAME/../../qemu-tests/make-oci-image.py" /bin/busybox "$D/image.tar" berth/busybox:1
        for i in $(seq 50); do
                curl -fs "http://$REG/v2/" >/dev/null && curl -s "http://$PRIV/v2/" >/dev/null && break
                sleep 0.2
        done
        python3 "$BATS_TEST_DIRNAME/push-oci-image.py" "$D/image.tar" "$REG" berth/busybox:1 >"$D/digest"
        python3 "$BATS_TEST_DIRNAME/push-oci-image.py" "$D/image.tar" "$PRIV" berth/private:1 >/dev/null
        for i in $(seq 50); do
                "$CT" -a "$D/c.sock" version >/dev/null 2>&1 && break
                sleep 0.2
        done
}

teardown_file() {
        [[ -n ${D:-} ]] || return 0
        local name
        for name in $(ls "$D/root/io.containerd.runtime.v2.task/k8s.io" 2>/dev/null); do
                "$CT" -a "$D/c.sock" kill "$name" 9 || true
                "$CT" -a "$D/c.sock" -t 5 wait "$name" || true
                "$CT" -a "$D/c.sock" rm "$name" || true
        done
        [[ -f $D/containerd.pid ]] && kill "$(cat "$D/containerd.pid")" 2>/dev/null
        local p
        for p in registry registry2 token; do
                [[ -f $D/$p.pid ]] && kill "$(cat "$D/$p.pid")" 2>/dev/null
        done
        sleep 0.5
        rmdir /sys/fs/cgroup/*"$CGP" /sys/fs/cgroup/*/"$CGP" 2>/dev/null || true
        # a container's rootfs stays mounted under the state folder if its
        # task was never deleted: unmount what is left under $D, deepest first
        local m
        for m in $(awk -v d="$D/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
                umount -l "$m" || true
        done
        rm -rf "$D"
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

@test "bad usage: status 2 and a message" {
        run -2 "$BCTR" run 'Bad/Name' --image x
        [[ $output == *"not a valid container name"* ]]
        run -2 "$BCTR" run ok --memory lots
        [[ $output == *"bad options"* ]]
}
