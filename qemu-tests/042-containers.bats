#!/usr/bin/env bats
# Host state's containers (docs/host-state.md, "How containers run"): one
# boot of recipes/debug.toml with a state document served over plain http
# by the test (qemu-tests/state-server.py, unpinned: berth.state.http=any,
# so that the document may change) naming an image on a registry the test
# starts on 127.0.0.1 (Debian's docker-registry, the image made from
# busybox-static), both reached by the guest at 10.0.2.2. berth-init runs
# each container through berth-ctr: its output on the console and in
# /var/log/berth, the console lines, the restart policy after an OOM kill,
# berthctl status, `berthctl reload` converging on a changed document
# (unchanged containers keep their task), a CPU hog in containers/ against
# a fixed workload in the host's system/ cgroup, and TERM first at
# shutdown.

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

        # hello: runs until TERM, which it traps. gone and changer: run until
        # TERM too; the reload's document removes gone and changes changer. hog: over its memory.max at
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
	name = "gone"
	image = "10.0.2.2:$PORT/berth/busybox:1"
	command = ["/bin/sh", "-c", "trap 'exit 0' TERM; echo gone-here; while :; do sleep 0.2; done"]

	[[containers]]
	name = "changer"
	image = "10.0.2.2:$PORT/berth/busybox:1"
	command = ["/bin/sh", "-c", "trap 'exit 0' TERM; echo changer-is-\$WHICH; while :; do sleep 0.2; done"]
	env = { WHICH = "first" }

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
        mkdir -p "$BATS_FILE_TMPDIR/www"
        cp "$BATS_FILE_TMPDIR/state.toml" "$BATS_FILE_TMPDIR/www/state.toml"
        python3 "$BATS_TEST_DIRNAME/state-server.py" http "$BATS_FILE_TMPDIR/www" "$BATS_FILE_TMPDIR/http.port" \
                2>"$BATS_FILE_TMPDIR/http.log" &
        echo $! >"$BATS_FILE_TMPDIR/http.pid"
        for i in $(seq 50); do
                [[ -f $BATS_FILE_TMPDIR/http.port ]] && break
                sleep 0.1
        done
        vm_start main "$DEBUG_OUT" "berth.state=http://10.0.2.2:$(cat "$BATS_FILE_TMPDIR/http.port")/state.toml" \
                "berth.state.http=any"
        vm_wait main "^berth: healthy [0-9.]+" 600
        # the hog's third OOM kill ends its restarts
        vm_wait main "hog exited with status 137 .*not restarted" 300
}

teardown_file() {
        vm_stop_all
        [[ -f $BATS_FILE_TMPDIR/registry.pid ]] && kill "$(cat "$BATS_FILE_TMPDIR/registry.pid")" 2>/dev/null
        [[ -f $BATS_FILE_TMPDIR/http.pid ]] && kill "$(cat "$BATS_FILE_TMPDIR/http.pid")" 2>/dev/null
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

# ---- berthctl reload with containers ----

# serve_doc FILE: the server's document from now on (checked as a pipeline would).
serve_doc() {
        "$BERTH_BUILD/berthctl" check "$1"
        cp "$1" "$BATS_FILE_TMPDIR/www/state.toml.tmp"
        mv "$BATS_FILE_TMPDIR/www/state.toml.tmp" "$BATS_FILE_TMPDIR/www/state.toml"
}

# doc_v2: hello as it was, changer with another env, gone removed, newbie
# new, hog (stopped after its OOM kills) removed; with "cpuhog", a CPU hog
# too: eight busy loops, restart always, no cpu.max, the default weight.
doc_v2() {
        local port
        port=$(grep -o '10\.0\.2\.2:[0-9]*' "$BATS_FILE_TMPDIR/state.toml" | head -1)
        cat <<-TOML
	version = 1

	[[registries]]
	host = "$port"
	plain_http = true

	[[containers]]
	name = "hello"
	image = "$port/berth/busybox:1"
	command = ["/bin/sh", "-c", "trap 'echo hello-got-TERM; exit 0' TERM; echo hello-from-berth; while :; do sleep 0.2; done"]
	[containers.resources]
	memory_max = "64M"
	pids_max = 32

	[[containers]]
	name = "changer"
	image = "$port/berth/busybox:1"
	command = ["/bin/sh", "-c", "trap 'exit 0' TERM; echo changer-is-\$WHICH; while :; do sleep 0.2; done"]
	env = { WHICH = "second" }

	[[containers]]
	name = "newbie"
	image = "$port/berth/busybox:1"
	command = ["/bin/sh", "-c", "trap 'exit 0' TERM; echo newbie-here; while :; do sleep 0.2; done"]
	TOML
        if [[ ${1:-} == cpuhog ]]; then
                cat <<-'TOML'

	[[containers]]
	name = "cpuhog"
	image = "HOST/berth/busybox:1"
	command = ["/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8; do (while :; do :; done) & done; trap 'exit 0' TERM; echo cpuhog-spinning; wait"]
	TOML
        fi | sed "s|HOST|$port|"
}

# task_pid NAME: the container's task, its first process: the lowest PID in
# its cgroup (the others are the task's children, such as its sleep).
task_pid() {
        vm_run main "sort -n /sys/fs/cgroup/containers/$1/cgroup.procs | head -1"
}

# runner_pid NAME: its berth-ctr runner's PID, from berthctl status --json.
runner_pid() {
        vm_run main "berthctl status --json | tr -d ' \\n' | grep -o '\"name\":\"$1\"[^}]*\"runner_pid\":[0-9]*' | grep -o '[0-9]*\$'"
}

@test "berthctl reload converges: new started, removed stopped, changed restarted, unchanged keep their PIDs" {
        local console hello_before hello_runner changer_before before
        run -0 task_pid hello
        hello_before=${output//$'\r'/}
        is "$hello_before" "^[0-9]+$" "hello's task"
        run -0 runner_pid hello
        hello_runner=${output//$'\r'/}
        is "$hello_runner" "^[0-9]+$" "hello's runner"
        run -0 task_pid changer
        changer_before=${output//$'\r'/}
        is "$changer_before" "^[0-9]+$" "changer's task"
        doc_v2 >"$BATS_FILE_TMPDIR/v2.toml"
        serve_doc "$BATS_FILE_TMPDIR/v2.toml"
        before=$(vm_console main | tr -d '\r' | grep -c '^berth: state applied' || true)
        run -0 vm_run main 'berthctl reload; echo rc=$?'
        is "$output" "rc=0" "berthctl reload's exit"
        vm_wait main "^berth: state applied" 120 $((before + 1))
        vm_wait main "^berth: container newbie running" 180
        vm_wait main "changer: changer-is-second" 180
        vm_wait main "^berth: container gone removed" 60
        run -0 task_pid hello
        is "${output//$'\r'/}" "^$hello_before\$" "hello's task, the same process"
        run -0 runner_pid hello
        is "${output//$'\r'/}" "^$hello_runner\$" "hello's runner, the same process"
        console=$(vm_console main | tr -d '\r')
        is "$console" $'(^|\n)berth: container changer changed: restarting it\n' "changer restarted"
        is "$console" $'(^|\n)berth: container newbie running [0-9.]+' "newbie started"
        is "$console" $'(^|\n)berth: container hog removed\n' "the stopped hog removed"
        is_not "$console" "berth: container hello (changed|removed)" "hello touched"
        run -0 vm_run main 'ls /sys/fs/cgroup/containers/ | grep -c "^gone$"; true'
        is "$output" "^0" "gone's cgroup"
        run -0 task_pid changer
        is "${output//$'\r'/}" "^[0-9]+$" "changer's new task"
        is_not "${output//$'\r'/}" "^$changer_before\$" "changer's task, the old process"
        run -0 vm_run main 'berthctl status'
        is "$output" $'\nhello +running +0 ' "hello's row: running, no restart"
        is "$output" $'\nnewbie +running ' "newbie's row"
        # (its milestone "gone started" stays in the list)
        is_not "$output" $'\ngone +[a-z]+ +[0-9]+ +always ' "gone's row in the containers"
}

# spin_time: seconds of a fixed workload in the debug shell (system/shell,
# the host's reserve): a busybox sh loop of 30000 steps, the best of three.
spin_time() {
        vm_run main 'best=; for n in 1 2 3; do a=$(cut -d" " -f1 /proc/uptime); i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; b=$(cut -d" " -f1 /proc/uptime); t=$(echo "$a $b" | awk "{ printf \"%.2f\", \$2 - \$1 }"); best=$(echo "$best $t" | awk "{ print (NF == 1 || \$2 < \$1) ? \$NF : \$1 }"); done; echo "spin $best"'
}

@test "a CPU hog container (8 busy loops, no cpu.max) slows a fixed workload in the host's system cgroup at most 2.5x" {
        local before base hogged before_status
        run -0 vm_run main 'cat /proc/self/cgroup'
        is "$output" "0::/system/shell" "the workload's cgroup: the host's reserve"
        doc_v2 >"$BATS_FILE_TMPDIR/v2.toml"
        run -0 spin_time
        base=$(echo "$output" | tr -d '\r' | awk '/^spin/ { print $2 }')
        doc_v2 cpuhog >"$BATS_FILE_TMPDIR/v3.toml"
        serve_doc "$BATS_FILE_TMPDIR/v3.toml"
        before=$(vm_console main | tr -d '\r' | grep -c '^berth: state applied' || true)
        run -0 vm_run main 'berthctl reload'
        vm_wait main "cpuhog: cpuhog-spinning" 180
        sleep 2
        run -0 vm_run main 'cat /sys/fs/cgroup/containers/cpuhog/cpu.max /sys/fs/cgroup/containers/cpuhog/cpu.weight /sys/fs/cgroup/system/cpu.weight; grep -c . /sys/fs/cgroup/containers/cpuhog/cgroup.procs'
        is "$output" "^max 100000"$'\r?\n'"100"$'\r?\n'"200"$'\r?\n'"(9|1[0-9])" "no cpu.max, the default weight, the system's 200, the loops running"
        run -0 spin_time
        hogged=$(echo "$output" | tr -d '\r' | awk '/^spin/ { print $2 }')
        run -0 vm_run main 'a=$(cut -d" " -f1 /proc/uptime); berthctl status >/dev/null; b=$(cut -d" " -f1 /proc/uptime); echo "$a $b"'
        echo "# the workload: ${base} s alone, ${hogged} s with the hog; berthctl status with the hog: from ${output//$'\r'/} s of uptime" >&3
        python3 -c "import sys; b, h = map(float, sys.argv[1:]); sys.exit(not (h <= 2.5 * max(b, 0.05)))" "$base" "$hogged"
        # the hog goes again (the next tests need the CPU)
        serve_doc "$BATS_FILE_TMPDIR/v2.toml"
        run -0 vm_run main 'berthctl reload'
        vm_wait main "^berth: container cpuhog removed" 120
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
