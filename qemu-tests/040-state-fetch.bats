#!/usr/bin/env bats
# Host state from QEMU's fw_cfg: stage 2 runs berth-fetch, which loads
# qemu_fw_cfg, reads opt/org.berth/state, checks the pin and writes
# /run/berth/state.toml (docs/state-providers.md). One boot of
# recipes/debug.toml, with a blank second disk that a test turns into a
# NoCloud config drive. A second boot with a wrong pin; a third with
# berth.platform=ec2 and no network but a fake IMDSv2 service
# (qemu-tests/state-server.py) at 169.254.169.254, run by QEMU's user
# network once per connection (guestfwd=...-cmd:). The fetcher's limits
# are tested without QEMU (init/tests/state-fetch.bats) and in the guest
# by 041-state-apply.bats.

bats_require_minimum_version 1.5.0
load helpers
load vm

setup_file() {
        export DEBUG_OUT="$BATS_FILE_TMPDIR/debug"
        "$BI" --quiet --cache "$BERTH_TEST_CACHE" -o "$DEBUG_OUT" "$BERTH_ROOT/recipes/debug.toml" >/dev/null
        printf 'version = 1\nhostname = "from-the-state"\n' >"$BATS_FILE_TMPDIR/state.toml"
        DOC_SHA=$(sha256sum "$BATS_FILE_TMPDIR/state.toml" | cut -d' ' -f1)
        export DOC_SHA
        truncate -s 8M "$BATS_FILE_TMPDIR/cidata.img"
        VM_EXTRA_ARGS="-fw_cfg name=opt/org.berth/state,file=$BATS_FILE_TMPDIR/state.toml -drive file=$BATS_FILE_TMPDIR/cidata.img,format=raw,if=virtio" \
                vm_start main "$DEBUG_OUT" "berth.state.sha256=$DOC_SHA"
        vm_wait main "^berth: (state fetched|no host state|FAILED state)" 240
}

teardown_file() {
        vm_stop_all
}

@test "the document from fw_cfg is fetched, its pin checked, and named on the console" {
        local console
        console=$(vm_console main | tr -d '\r')
        is "$console" $'(^|\n)berth: state fetched fw_cfg:opt/org\\.berth/state sha256:'"$DOC_SHA"'($|'$'\n'')' \
                "the state line"
        is_not "$console" "FAILED state" "a failed state"
}

@test "the document is in /run/berth/state.toml, mode 0600, whole" {
        run -0 vm_run main 'stat -c %a /run/berth/state.toml; sha256sum /run/berth/state.toml'
        is "$output" "^600"$'\r?\n'"$DOC_SHA " "mode and hash"
}

@test "qemu_fw_cfg is in the image and loaded" {
        run -0 vm_run main 'grep -c ^qemu_fw_cfg /proc/modules'
        is "$output" "^1" "qemu_fw_cfg in /proc/modules"
}

@test "berth-fetch in the guest: the same document again, and a wrong pin refused" {
        run -0 vm_run main '/usr/lib/berth/berth-fetch --out /tmp/s.toml fw_cfg:opt/org.berth/state; echo rc=$?'
        is "$output" "fw_cfg:opt/org.berth/state sha256:$DOC_SHA" "the line"
        is "$output" "rc=0" "exit 0"
        run -0 vm_run main "/usr/lib/berth/berth-fetch --out /tmp/w.toml --sha256 $(printf '%064d' 0) fw_cfg:opt/org.berth/state; echo rc=\$?"
        is "$output" "is not the pin sha256:0{64}" "the refusal"
        is "$output" "rc=4" "exit 4"
}

@test "NoCloud: nothing on a blank disk; the document from a vfat volume labelled CIDATA, unmounted after" {
        run -0 vm_run main '/usr/lib/berth/berth-fetch --out /tmp/n.toml nocloud:cidata; echo rc=$?'
        is "$output" "none: nocloud:cidata: no vfat or iso9660 volume labelled cidata" "the blank disk"
        is "$output" "rc=3" "exit 3"
        # berth-fetch loaded vfat and its character sets: the guest can make the drive now.
        run -0 vm_run main 'mkdosfs -n CIDATA /dev/vdb >/dev/null && mkdir -p /tmp/m && mount -t vfat -o iocharset=utf8 /dev/vdb /tmp/m && cp /run/berth/state.toml /tmp/m/user-data && umount /tmp/m && echo made'
        is "$output" "made" "the config drive"
        run -0 vm_run main '/usr/lib/berth/berth-fetch --out /tmp/n.toml nocloud:cidata; echo rc=$?; grep -c /dev/vdb /proc/mounts; ls /run | grep -c cidata; true'
        is "$output" "^nocloud:/dev/vdb sha256:$DOC_SHA"$'\r?\n'"rc=0"$'\r?\n'"0"$'\r?\n'"0" \
                "the line, the exit, no mount and no mount point left"
}

@test "berth-fetch's time in the guest (printed, not asserted)" {
        run -0 vm_run main 'a=$(cut -d" " -f1 /proc/uptime); /usr/lib/berth/berth-fetch --out /tmp/t.toml fw_cfg:opt/org.berth/state >/dev/null; b=$(cut -d" " -f1 /proc/uptime); echo "$a $b"'
        echo "# berth-fetch from fw_cfg under emulation: from $output s of uptime" >&3
}

@test "PID 1 stays under its memory budget: libcurl is never mapped into it" {
        run -0 vm_run main 'grep -c libcurl /proc/1/maps; grep VmRSS /proc/1/status'
        is "$output" "^0"$'\r?\n' "libcurl in PID 1's maps"
        echo "# PID 1 now: $(echo "$output" | tr -d '\r' | grep VmRSS)" >&3
        echo "# at containerd ready: $(vm_console main | tr -d '\r' | grep '^berth: memory used')" >&3
}

@test "a wrong pin: stage 2 prints FAILED state with both hashes, writes nothing, and the host comes up" {
        local pin console
        pin=$(printf '%064d' 0)
        vm_stop main
        VM_EXTRA_ARGS="-fw_cfg name=opt/org.berth/state,file=$BATS_FILE_TMPDIR/state.toml" \
                vm_start badpin "$DEBUG_OUT" "berth.state.sha256=$pin"
        vm_wait badpin "^berth: (state fetched|no host state|FAILED state)" 240
        vm_wait badpin "^berth: containerd ready" 240
        console=$(vm_console badpin | tr -d '\r')
        is "$console" $'(^|\n)berth: FAILED state fw_cfg:opt/org\\.berth/state: sha256:'"$DOC_SHA is not the pin sha256:$pin"'($|'$'\n'')' \
                "the FAILED line"
        is_not "$console" "state fetched" "a fetched state"
        run -0 vm_run badpin 'ls /run/berth/ | grep -c "^state.toml" ; true'
        is "$output" "^0" "/run/berth/state.toml"
}

@test "EC2: berth.platform=ec2 fetches the same document from IMDSv2 with a token, applies it and names the source" {
        local console imds=$BATS_FILE_TMPDIR/imds.log
        vm_stop_all
        : >"$imds"
        # restrict=on: the guest reaches nothing but the fake service.
        VM_NETDEV_OPTS="restrict=on,net=169.254.0.0/16,guestfwd=tcp:169.254.169.254:80-cmd:python3 $BATS_TEST_DIRNAME/state-server.py imds $BATS_FILE_TMPDIR/state.toml $imds" \
                vm_start ec2 "$DEBUG_OUT" "berth.platform=ec2" "berth.state.sha256=$DOC_SHA"
        vm_wait ec2 "^berth: (state applied|no host state|FAILED state)" 300
        console=$(vm_console ec2 | tr -d '\r')
        is "$console" $'(^|\n)berth: state fetched ec2:http://169\\.254\\.169\\.254/latest/user-data sha256:'"$DOC_SHA"$'(\n|$)' \
                "the fetched line"
        is "$console" $'(^|\n)berth: state applied ec2:http://169\\.254\\.169\\.254/latest/user-data sha256:'"$DOC_SHA"' [0-9.]+' \
                "the applied line"
        run -0 vm_run ec2 'hostname'
        is "$output" "^from-the-state" "the document's hostname"
        run -0 cat "$imds"
        is "$output" "PUT /latest/api/token 200" "the token asked for"
        is "$output" "GET /latest/user-data 200" "the user data with the token"
}

@test "EC2: the fake service refuses a GET without the token (401), one program per connection" {
        local imds=$BATS_FILE_TMPDIR/imds.log
        run -0 vm_run ec2 'wget -q -O- http://169.254.169.254/latest/user-data 2>&1; echo rc=$?'
        is "$output" "401" "wget's error"
        is "$output" "rc=1" "wget's exit"
        run -0 cat "$imds"
        is "$output" "GET /latest/user-data 401" "the refusal in the service's log"
        # QEMU ran the program once per connection: wget's request came to a
        # process of its own, not to one that served berth-fetch.
        echo "# the service's log: $(tr '\n' ';' <"$imds")" >&3
        local refused
        refused=$(awk '$4 == 401 { print $1 }' "$imds")
        is "$refused" "^[0-9]+$" "the PID of the program that refused"
        run -1 grep -E "^$refused .* 200\$" "$imds"
}
