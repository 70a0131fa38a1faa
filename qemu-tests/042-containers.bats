#!/usr/bin/env bats
# Host state's containers (docs/host-state.md, "How containers run"): one
# boot of recipes/debug.toml with a state document in fw_cfg naming an image
# on a registry the test starts on 127.0.0.1 (Debian's docker-registry, the
# image made from busybox-static), reached by the guest at 10.0.2.2 over
# plain http. berth-init runs each container through berth-ctr: its output
# on the console and in /var/log/berth, the console lines, the restart
# policy after an OOM kill, berthctl status, and TERM first at shutdown.
#
# Until the state-apply branch is merged, stage 2 applies the fetched
# document's containers (and plain-http registries' hosts.toml) itself:
# a temporary hook in init/stage2/state-fetch.c.

bats_require_minimum_version 1.5.0
load helpers
load vm

setup_file() {
        export DEBUG_OUT="$BATS_FILE_TMPDIR/debug"
        "$BI" --quiet --cache "$BERTH_TEST_CACHE" -o "$DEBUG_OUT" "$BERTH_ROOT/recipes/debug.toml" >/dev/null

        local port i
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        export PORT=$port
        mkdir -p "$BATS_FILE_TMPDIR/registry"
        cat >"$BATS_FILE_TMPDIR/registry.yml" <<-YML
	version: 0.1
	log:
	  level: warn
	storage:
	  filesystem:
	    rootdirectory: $BATS_FILE_TMPDIR/registry
	http:
	  addr: 127.0.0.1:$PORT
	YML
        docker-registry serve "$BATS_FILE_TMPDIR/registry.yml" >"$BATS_FILE_TMPDIR/registry.log" 2>&1 &
        echo $! >"$BATS_FILE_TMPDIR/registry.pid"
        python3 "$BATS_TEST_DIRNAME/make-oci-image.py" /bin/busybox "$BATS_FILE_TMPDIR/image.tar" berth/busybox:1
        for i in $(seq 50); do
                curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null && break
                sleep 0.2
        done
        python3 "$BERTH_ROOT/init/tests/push-oci-image.py" "$BATS_FILE_TMPDIR/image.tar" "127.0.0.1:$PORT" \
                berth/busybox:1 >/dev/null

        # hello: runs until TERM, which it traps. hog: over its memory.max at
        # once (the task's own process, awk, doubles a string until the OOM
        # killer ends it: status 137), twice restarted.
        cat >"$BATS_FILE_TMPDIR/state.toml" <<-TOML
	version = 1

	[[registries]]
	host = "10.0.2.2:$PORT"
	plain_http = true

	[[containers]]
	name = "hello"
	image = "10.0.2.2:$PORT/berth/busybox:1"
	command = ["/bin/sh", "-c", "trap 'echo hello-got-TERM; exit 0' TERM; echo hello-from-berth; while :; do sleep 0.2; done"]
	[containers.resources]
	memory_max = "64M"
	pids_max = 32

	[[containers]]
	name = "hog"
	image = "10.0.2.2:$PORT/berth/busybox:1"
	command = ["/bin/sh", "-c", "echo hog-start; exec /bin/busybox awk \"BEGIN { s = 1; while (1) s = s s }\"; echo hog-survived"]
	restart = "on-failure"
	max_restarts = 2
	[containers.resources]
	memory_max = "32M"
	TOML
        "$BERTH_BUILD/berthctl" check "$BATS_FILE_TMPDIR/state.toml"
        DOC_SHA=$(sha256sum "$BATS_FILE_TMPDIR/state.toml" | cut -d' ' -f1)
        VM_EXTRA_ARGS="-fw_cfg name=opt/org.berth/state,file=$BATS_FILE_TMPDIR/state.toml" \
                vm_start main "$DEBUG_OUT" "berth.state.sha256=$DOC_SHA"
        vm_wait main "^berth: healthy [0-9.]+" 600
        # the hog's third OOM kill ends its restarts
        vm_wait main "hog exited with status 137 .*not restarted" 300
}

teardown_file() {
        vm_stop_all
        [[ -f $BATS_FILE_TMPDIR/registry.pid ]] && kill "$(cat "$BATS_FILE_TMPDIR/registry.pid")" 2>/dev/null
        true
}

@test "the container runs: its output on the console, prefixed with its name, and in its log file" {
        local console
        console=$(vm_console main | tr -d '\r')
        is "$console" $'(^|\n)\\[ *[0-9.]+\\] hello: hello-from-berth($|\n)' "the prefixed line"
        run -0 vm_run main 'cat /var/log/berth/hello.log'
        is "$output" "hello-from-berth" "the log file"
}

@test "console: 'container NAME running' and, once, 'healthy'" {
        local console
        console=$(vm_console main | tr -d '\r')
        is "$console" $'(^|\n)berth: container hello running [0-9.]+($|\n)' "the running line"
        [ "$(grep -c '^berth: healthy [0-9.]*' <<<"$console")" = 1 ]
        # healthy comes after containerd ready and hello running
        local ready running healthy
        ready=$(milestone main "containerd ready")
        running=$(milestone main "container hello running")
        healthy=$(milestone main healthy)
        python3 -c "import sys; a,b,c=map(float,sys.argv[1:]); sys.exit(not (a <= c and b <= c))" \
                "$ready" "$running" "$healthy"
        local first
        first=$(grep -m1 'hello: hello-from-berth' <<<"$console" | sed -E 's/^\[ *([0-9.]+)\].*/\1/')
        echo "# containerd ready $ready s, hello running $running s, its first line $first s, healthy $healthy s" >&3
        python3 -c "import sys; print('# containerd ready to the first output line: %.2f s' % (float(sys.argv[2]) - float(sys.argv[1])))" \
                "$ready" "$first" >&3
        grep -A1 '^berth: container hello running' <<<"$console" | grep 'pid1 rss' | sed 's/^/# /' >&3 || true
        # what happened in between (printed, not asserted)
        sed -n '/^berth: containerd ready/,/^berth: container hello running/p' <<<"$console" | sed 's/^/#   /' >&3 || true
}

@test "over its memory.max, a container is OOM-killed in its own cgroup and restarted per policy" {
        local console
        console=$(vm_console main | tr -d '\r')
        is "$console" "berth: hog exited with status 137 after [0-9.]+ s; restart 1 in" "the first restart"
        is "$console" "berth: hog exited with status 137 after [0-9.]+ s; restart 2 in" "the second restart"
        is "$console" "berth: hog exited with status 137 after [0-9.]+ s; not restarted \\(restart on-failure, 2 restarts\\)" \
                "no third"
        is_not "$console" "hog-survived" "the hog outliving its limit"
        [ "$(grep -c 'hog: hog-start' <<<"$console")" = 3 ]
        # the kernel's OOM report names the container's cgroup
        run -0 vm_run main 'dmesg | grep -m1 "oom-kill:"'
        is "$output" "oom_memcg=/containers/hog" "the OOM kill's cgroup"
        # berth-init, containerd and the other container are untouched
        run -0 vm_run main 'berthctl status --json | awk "{ gsub(/^ +/, \"\"); printf \"%s\", \$0 } END { print \"\" }"'
        is "$output" '"name": *"containerd", *"state": *"running", *"pid": *[0-9]+, *"restarts": *0' "containerd"
        is "$output" '"name": *"hello", *"state": *"running", *"pid": *[0-9]+, *"restarts": *0' "hello"
}

@test "berthctl status: each container's state, restarts, limits, memory and CPU" {
        run -0 vm_run main 'berthctl status'
        is "$output" $'\nhello +running +0 +always +67108864 +32 +- +[0-9.]+M +[0-9.]+s' "hello's row"
        is "$output" $'\nhog +stopped +2 +on-failure +33554432 ' "hog's row"
        run -0 vm_run main 'berthctl status --json | awk "{ gsub(/^ +/, \"\"); printf \"%s\", \$0 } END { print \"\" }"'
        is "$output" '"memory_current": *[0-9]+' "memory.current"
        is "$output" '"cpu_usage_usec": *[0-9]+' "cpu.stat usage_usec"
        is "$output" '"limits": *\{ *"memory_max": *67108864, *"pids_max": *32' "hello's limits"
}

@test "shutdown with a running container: it gets TERM first; the root file system is clean" {
        vm_send main poweroff
        vm_wait_exit main 120
        local console
        console=$(vm_console main | tr -d '\r')
        is "$console" "berth: poweroff [0-9.]+" "console"
        is "$console" $'hello: hello-got-TERM[^\n]*\n(.*\n)?berth: poweroff' "TERM reached the container before the poweroff"
        # containerd stopped after the containers: no runner lost it
        is_not "$console" "berth-ctr: hello: (cannot delete|lost track)" "the runner's errors"
        run -0 fsck_disk main
}
