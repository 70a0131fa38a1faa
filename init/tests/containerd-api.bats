#!/usr/bin/env bats
# berth's containerd client (init/containerd) against a real containerd and
# runc on this host, no QEMU: a containerd of the test's own (temporary root,
# state, socket and configuration), a registry on 127.0.0.1 holding an image
# made from busybox-static, and build/ctrd-test driving the client. Needs
# root (containerd, runc and cgroups), as make check does for build-image.

bats_require_minimum_version 1.5.0

load containerd-env

setup_file() {
        export CT="${BERTH_BUILD:-$BATS_TEST_DIRNAME/../../build}/ctrd-test"
        containerd_env_start containerd-api.bats ctrd
        python3 "$BATS_TEST_DIRNAME/push-oci-image.py" "$D/image.tar" "$REG" berth/busybox:1 >"$D/digest"
        python3 "$BATS_TEST_DIRNAME/push-oci-image.py" --index "$D/image.tar" "$REG" berth/multi:1 >/dev/null
        python3 "$BATS_TEST_DIRNAME/push-oci-image.py" "$D/image.tar" "$PRIV" berth/private:1 >/dev/null
        containerd_wait
}

teardown_file() {
        containerd_env_stop
}

ct() {
        "$CT" -a "$D/c.sock" "$@"
}

# The tests that run containers pull first, so that each also runs alone
# (bats -f); the pull test proves the pull itself.
pulled() {
        ct pull "$REG/berth/busybox:1" >/dev/null
}

# cgroup_file NAME v2-FILE v1-CONTROLLER v1-FILE: a container's cgroup file,
# on a cgroup v2 host (a berth host) or a v1 one (as build hosts may be).
cgroup_file() {
        if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
                cat "/sys/fs/cgroup$CGP/$1/$2"
        else
                cat "/sys/fs/cgroup/$3$CGP/$1/$4"
        fi
}

@test "Version answers over HTTP/2 on the unix socket" {
        run -0 ct version
        [[ $output =~ ^1\.[0-9]+\. ]]
}

@test "a missing socket is an error naming it" {
        run -1 "$CT" -a "$D/none.sock" version
        [[ $output == *"none.sock: No such file or directory"* ]]
}

@test "a server that accepts and never answers: the call's deadline ends it" {
        python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
for i in range(120): time.sleep(0.25)' "$D/mute.sock" &
        local mute=$!
        for i in $(seq 50); do [[ -S $D/mute.sock ]] && break; sleep 0.1; done
        SECONDS=0
        run -1 "$CT" -a "$D/mute.sock" -t 1 version
        kill "$mute"
        echo "output: $output"
        [[ $output == *"Version/Version: no answer within 1000 ms"* ]]
        ((SECONDS < 5))
}

# Before any pull or import, so that every blob and layer is new to containerd.
@test "an archive whose layer was altered is refused, and no image is made" {
        python3 - "$D/image.tar" "$D/altered.tar" <<-'PY'
	import sys, tarfile, io
	src, dst = sys.argv[1:3]
	with tarfile.open(src) as i, tarfile.open(dst, "w") as o:
	    for m in i.getmembers():
	        data = i.extractfile(m).read() if m.isfile() else None
	        if data is not None and len(data) > 100000:  # the layer
	            data = data[:-9] + bytes([data[-9] ^ 1]) + data[-8:]
	        o.addfile(m, io.BytesIO(data) if data is not None else None)
	PY
        run -1 ct import "$D/altered.tar" berth.test/altered:1
        [[ $output == *"Content/Write: FAILED_PRECONDITION: unexpected commit digest"* ]]
        run -1 ct image berth.test/altered:1
        [[ $output == *"image not pulled"* ]]
        # the import's lease is gone, and with it what it held
        run -0 ctr -a "$D/c.sock" -n k8s.io leases ls
        [[ $output != *berth-import* ]]
}

@test "an archive with more JSON documents than the import keeps is refused by name, not read as no image" {
        python3 - "$D/image.tar" "$D/many-docs.tar" <<-'PY'
	import sys, tarfile, io, hashlib
	src, dst = sys.argv[1:3]
	with tarfile.open(src) as i, tarfile.open(dst, "w") as o:
	    for m in i.getmembers():
	        o.addfile(m, i.extractfile(m) if m.isfile() else None)
	    for n in range(257):
	        data = b'{"n": %d}' % n
	        m = tarfile.TarInfo("blobs/sha256/" + hashlib.sha256(data).hexdigest())
	        m.size = len(data)
	        o.addfile(m, io.BytesIO(data))
	PY
        run -1 ct import "$D/many-docs.tar" berth.test/many:1
        [[ $output == *"many-docs.tar: more than 256 JSON documents or 8 MiB of them"* ]]
        run -1 ct image berth.test/many:1
        [[ $output == *"image not pulled"* ]]
}

@test "an OCI archive is imported without a registry, unpacked, and runs" {
        run -0 ct import "$D/image.tar" berth.test/imported:1
        [[ $output == *"chain_id=sha256:"* ]]
        run -0 ct run imp berth.test/imported:1 --rm --cgroup-parent "$CGP" -- /bin/echo from-the-archive
        [ "$output" = from-the-archive ]
}

@test "pull through CRI from the loopback registry over plain http" {
        run -0 ct pull "$REG/berth/busybox:1"
        [[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
        run -0 ct image "$REG/berth/busybox:1"
        [[ $output == *"chain_id=sha256:"* ]]
        [[ $output == *"cmd=/bin/sh"* ]]
        [[ $output == *"env=PATH=/bin"* ]]
}

@test "the image pulled by digest is the one pushed" {
        run -0 ct pull "$REG/berth/busybox@$(cat "$D/digest")"
        [[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
}

@test "a manifest list is resolved to linux/amd64" {
        # its arm64 image has no /bin: only the amd64 one can run echo
        run -0 ct pull "$REG/berth/multi:1"
        run -0 ct run multi "$REG/berth/multi:1" --rm --cgroup-parent "$CGP" -- /bin/echo amd64-chosen
        [ "$output" = amd64-chosen ]
}

@test "a registry that wants a token: none or a wrong password is refused, in containerd's words" {
        run -1 ct pull "$PRIV/berth/private:1"
        [[ $output == *"failed to fetch anonymous token: unexpected status: 401"* ]]
        run -1 ct pull "$PRIV/berth/private:1" berth wrong
        [[ $output == *"failed to fetch oauth token: unexpected status: 401"* ]]
}

@test "the right credentials get the token and the pull" {
        run -0 ct pull "$PRIV/berth/private:1" berth s3cret
        [[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
        run -0 grep -c "token granted to 'berth'" "$D/token.log"
}

@test "an image the registry lacks: NOT_FOUND with containerd's message" {
        run -1 ct pull "$REG/berth/nope:1"
        [[ $output == *"PullImage: NOT_FOUND: "*"berth/nope:1: not found"* ]]
}

@test "a malformed reference: containerd's message says so" {
        run -1 ct pull "Bad//ref"
        [[ $output == *"PullImage: "*"invalid reference format"* ]]
}

@test "a container's output comes through the FIFOs and its exit status is seen" {
        pulled
        run -7 ct run out1 "$REG/berth/busybox:1" --rm --cgroup-parent "$CGP" \
                -- /bin/sh -c 'echo out-line; echo err-line >&2; exit 7'
        [[ $output == *"out-line"* ]]
        [[ $output == *"err-line"* ]]
}

@test "the image's own command runs when none is given" {
        pulled
        run -0 ct run out2 "$REG/berth/busybox:1" --rm --cgroup-parent "$CGP" --env 'GREETING=from-env'
        # the image's cmd is /bin/sh, with no input: it ends at once, status 0
}

@test "detached, the output goes to a file the shim appends to" {
        pulled
        echo "an earlier line" >"$D/logged.log"
        run -0 ct run logged "$REG/berth/busybox:1" --detach --log "$D/logged.log" --cgroup-parent "$CGP" \
                -- /bin/sh -c 'echo to-the-log; echo err-to-the-log >&2; exit 5'
        run -0 ct -t 10 wait logged
        [ "$output" = 5 ]
        run -0 ct rm logged
        run -0 cat "$D/logged.log"
        [[ $output == "an earlier line"$'\n'* ]]
        [[ $output == *to-the-log* ]]
        [[ $output == *err-to-the-log* ]]
}

@test "memory.max, pids.max and cpu.max land in the container's cgroup" {
        pulled
        run -0 ct run lim "$REG/berth/busybox:1" --detach --cgroup-parent "$CGP" \
                --memory 33554432 --pids 20 --cpu-max 50000,100000 -- /bin/sleep 300
        [[ $output =~ ^[0-9]+$ ]]
        run -0 cgroup_file lim memory.max memory memory.limit_in_bytes
        [ "$output" = 33554432 ]
        run -0 cgroup_file lim pids.max pids pids.max
        [ "$output" = 20 ]
        run -0 cgroup_file lim cpu.max cpu cpu.cfs_quota_us
        [[ $output == 50000* ]]
}

@test "kill, wait and delete clean up: task, container, snapshot and cgroup" {
        pulled
        run -0 ct run gone "$REG/berth/busybox:1" --detach --cgroup-parent "$CGP" --pids 10 -- /bin/sleep 300
        run -0 cgroup_file gone pids.max pids pids.max
        run -0 ct ps
        [[ $output =~ (^|$'\n')gone\ running\ [0-9]+\ 0($|$'\n') ]]
        run -0 ct kill gone 9
        run -0 ct -t 10 wait gone
        [ "$output" = 137 ]
        run -0 ct ps
        [[ $output =~ (^|$'\n')gone\ stopped\ [0-9]+\ 137($|$'\n') ]]
        run -0 ct rm gone
        run -0 ct ps
        [[ $output != *gone* ]]
        run -1 ct wait gone
        [[ $output == *"NOT_FOUND"* ]]
        run ! test -d "/sys/fs/cgroup/pids$CGP/gone"
        run ! test -d "/sys/fs/cgroup$CGP/gone"
        # the name is free again: no record or snapshot was left behind
        # (containerd's garbage collector would take the snapshot anyway once
        # its container is gone; the record is ours to delete)
        run -3 ct run gone "$REG/berth/busybox:1" --rm --cgroup-parent "$CGP" -- /bin/sh -c 'exit 3'
}

@test "a running task cannot be deleted: the error says why and nothing is lost" {
        pulled
        run -0 ct run busy "$REG/berth/busybox:1" --detach --cgroup-parent "$CGP" -- /bin/sleep 300
        run -1 ct rm busy
        [[ $output == *"cannot delete a running process"* ]]
        run -0 ct kill busy 9
        run -0 ct -t 10 wait busy
        run -0 ct rm busy
}

@test "a container that cannot be made leaves nothing behind" {
        pulled
        run -1 ct run bad "$REG/berth/busybox:1" --cgroup-parent "$CGP" -- /no/such/program
        echo "output: $output"
        [[ $output == *"no/such/program"* ]]
        run -0 ct run bad "$REG/berth/busybox:1" --rm --cgroup-parent "$CGP" -- /bin/echo ok
}
