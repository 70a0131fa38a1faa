#!/usr/bin/env bats
# The image boots: berth-init stage 1 and 2, containerd, supervision,
# shutdown. Real boots of recipes/debug.toml (minimal + busybox + a shell on
# ttyS1) and recipes/minimal.toml under QEMU (software emulation).

bats_require_minimum_version 1.5.0
load helpers
load vm

setup_file() {
        export DEBUG_OUT="$BATS_FILE_TMPDIR/debug" MIN_OUT="$BATS_FILE_TMPDIR/minimal"
        "$BI" --quiet --cache "$BERTH_TEST_CACHE" -o "$DEBUG_OUT" "$BERTH_ROOT/recipes/debug.toml" >/dev/null
        "$BI" --quiet --cache "$BERTH_TEST_CACHE" -o "$MIN_OUT" "$BERTH_ROOT/recipes/minimal.toml" >/dev/null
        # A container image as a tarball, handed to the guest as a second disk.
        python3 "$BATS_TEST_DIRNAME/make-oci-image.py" /bin/busybox "$BATS_FILE_TMPDIR/hello.tar" docker.io/berth/hello:1
        VM_EXTRA_ARGS="-drive file=$BATS_FILE_TMPDIR/hello.tar,format=raw,if=virtio,readonly=on" \
                vm_start main "$DEBUG_OUT"
        vm_wait main "^berth: containerd ready" 180
}

teardown_file() {
        vm_stop_all
}

@test "milestones come in order: stage1, root, stage2, then network and containerd (each on its own)" {
        local prev=0 t stage2
        for m in stage1 "root mounted" stage2; do
                t=$(milestone main "$m")
                echo "$m: $t"
                [ -n "$t" ]
                awk -v a="$prev" -v b="$t" 'BEGIN { exit !(b >= a) }'
                prev=$t
        done
        stage2=$prev
        # containerd does not wait for the lease: the two may come in either order.
        for m in "network up" "containerd ready"; do
                t=$(milestone main "$m")
                echo "$m: $t"
                [ -n "$t" ]
                awk -v a="$stage2" -v b="$t" 'BEGIN { exit !(b >= a) }'
        done
}

@test "PID 1's resident memory stays under its budget of 4 MiB" {
        local rss
        rss=$(tr -d '\r' <"$(vm_dir main)/console.log" |
                sed -n 's/^berth: memory used .*, pid1 rss \([0-9.]*\) MiB.*/\1/p' | head -1)
        echo "pid1 rss: $rss MiB"
        [ -n "$rss" ]
        awk -v r="$rss" 'BEGIN { exit !(r < 4) }'
}

@test "berth-init is PID 1" {
        run -0 vm_run main 'cat /proc/1/comm'
        is "$output" "^berth-init" "PID 1"
}

@test "/ and /usr are read-only" {
        run vm_run main 'touch /usr/berth-test'
        [ "$status" -ne 0 ]
        is "$output" "Read-only file system" "/usr"
        run vm_run main 'touch /berth-test'
        [ "$status" -ne 0 ]
        run -0 vm_run main 'grep " / " /proc/mounts'
        is "$output" " ro[, ]" "root mount options"
        run vm_run main 'touch /sysroot/berth-test'
        [ "$status" -ne 0 ]
        is "$output" "Read-only file system" "/sysroot"
}

@test "/etc is an overlay of the image's defaults over tmpfs" {
        run -0 vm_run main 'grep " /etc " /proc/mounts'
        is "$output" "^overlay /etc overlay .*lowerdir=.*/usr/etc,upperdir=/run/" "/etc mount"
        run -0 vm_run main 'cat /etc/os-release'
        is "$output" "ID=berth" "os-release through /etc"
}

@test "/var is persistent: the stateroot's, on the root partition (the disk's third, after the BIOS boot partition and the ESP)" {
        run -0 vm_run main 'grep " /var " /proc/mounts'
        is "$output" "^/dev/vda3 /var ext4 rw" "/var mount"
}

@test "cgroup2 is mounted on /sys/fs/cgroup" {
        run -0 vm_run main 'grep " /sys/fs/cgroup " /proc/mounts'
        is "$output" "^cgroup2 /sys/fs/cgroup cgroup2 " "cgroup2"
}

@test "cgroup v2: controllers on, PID 1 and the system services under system/, containers/ empty" {
        run -0 vm_run main 'cat /sys/fs/cgroup/cgroup.subtree_control'
        is "$output" "(^| )cpu( |$)" "root: cpu"
        is "$output" "(^| )memory( |$)" "root: memory"
        is "$output" "(^| )pids( |$)" "root: pids"
        run -0 vm_run main 'cat /sys/fs/cgroup/system/cgroup.subtree_control'
        is "$output" "(^| )memory( |$)" "system: memory"
        run -0 vm_run main 'cat /proc/1/cgroup'
        is "$output" "^0::/system/init$" "PID 1's cgroup"
        run -0 vm_run main 'cat /proc/$(pidof containerd)/cgroup'
        is "$output" "^0::/system/containerd$" "containerd's cgroup"
        run -0 vm_run main 'for p in $(pidof dhcpcd); do cat /proc/$p/cgroup; done | sort -u'
        is "$output" "^0::/system/dhcpcd$" "every dhcpcd process's cgroup"
        # No internal processes: system/ itself holds none, its leaves do.
        run -0 vm_run main 'wc -l < /sys/fs/cgroup/system/cgroup.procs'
        is "$output" "^0$" "processes in system/ itself"
        run -0 vm_run main 'cat /sys/fs/cgroup/system/memory.min /sys/fs/cgroup/system/cpu.weight'
        is "$output" "^67108864"$'\n'"200$" "system's reserve: memory.min, cpu.weight"
        run -0 vm_run main 'wc -l < /sys/fs/cgroup/containers/cgroup.procs; find /sys/fs/cgroup/containers -mindepth 1 -type d | wc -l'
        is "$output" "^0"$'\n'"0$" "containers/: no process, no child cgroup"
}

@test "berthctl status lists the services running and ready, and the milestones" {
        run -0 vm_run main 'berthctl status'
        is "$output" "(^|"$'\n'")dhcpcd +running +[0-9]+ +[0-9]+ +[0-9.]+s +yes +none" "dhcpcd"
        is "$output" "(^|"$'\n'")containerd +running +[0-9]+ +[0-9]+ +[0-9.]+s +yes +notify" "containerd"
        is "$output" "network: eth0 10\.0\.2\.15" "network"
        is "$output" $'\n'"stage1 +[0-9]+\.[0-9]+" "stage 1's milestones"
        is "$output" $'\n'"containerd ready +[0-9]+\.[0-9]+" "stage 2's milestones"
}

@test "berthctl status --json is JSON with every field" {
        run -0 vm_run main 'berthctl status --json'
        local json=$output
        # jq -e succeeds on an empty input
        [ -n "$json" ]
        run -0 jq -e '.services | map(select(.name == "containerd")) | .[0] |
                .state == "running" and .ready == true and .readiness == "notify" and .pid > 1 and
                .restarts >= 0 and .uptime > 0 and .cgroup == "system/containerd"' <<<"$json"
        run -0 jq -e '.services | map(select(.name == "dhcpcd")) | .[0] |
                .state == "running" and .ready == true and .readiness == "none" and .pid > 1' <<<"$json"
        run -0 jq -e '[.milestones[].name] | index("stage1") and index("root mounted") and index("containerd ready")' <<<"$json"
        run -0 jq -e '.milestones | map(.time) | . == sort and all(. > 0)' <<<"$json"
        run -0 jq -e '.network.up == true and .network.address == "eth0 10.0.2.15"' <<<"$json"
        run -0 jq -e '.uptime > 0 and (.orphans_reaped | type) == "number" and (.jobs | type) == "array"' <<<"$json"
}

@test "the control socket answers root only" {
        # busybox su: root needs no password; nobody's own shell is nologin.
        run -0 vm_run main 'su -s /bin/sh -c "id -u" nobody'
        is "$output" "^65534$" "su to nobody"
        run vm_run main 'su -s /bin/sh -c "berthctl status" nobody'
        is "$status" "^1$" "berthctl's status as nobody"
        # Mode 0600: the kernel refuses the connect() (docs/control.md).
        is "$output" "cannot reach PID 1 on its control socket: Permission denied" "refusal"
        run -0 vm_run main 'berthctl status'
}

@test "the network has the address QEMU's DHCP gave, and resolv.conf from the lease" {
        run -0 vm_run main 'ip -4 addr show eth0'
        is "$output" "inet 10\.0\.2\.15/24" "eth0 address"
        run -0 vm_run main 'cat /etc/resolv.conf'
        is "$output" "nameserver 10\.0\.2\.3" "resolv.conf"
        is "$(vm_console main)" "berth: address eth0 10\.0\.2\.15" "console"
}

@test "containerd answers and runs a container from an imported tarball" {
        run -0 vm_run main 'ctr version'
        is "$output" "Server:" "ctr version"
        run -0 vm_run main 'ctr images import /dev/vdb'
        run -0 vm_run main 'ctr run --rm docker.io/berth/hello:1 hello /bin/echo hello-from-a-container </dev/null'
        is "$output" "^hello-from-a-container" "container output"
}

@test "200 orphans leave no zombie behind" {
        # Each (sleep &) is a double fork: the sleep's parent exits at once and
        # PID 1 inherits it.
        run -0 vm_run main 'for i in $(seq 200); do (sleep 1 &); done; sleep 4; grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | wc -l'
        is "$output" "^0" "zombies"
}

@test "killing containerd gets it restarted and ready again" {
        local n
        n=$(grep -c "^berth: containerd ready" "$(vm_dir main)/console.log")
        run -0 vm_run main 'kill -9 $(pidof containerd)'
        vm_wait main "^berth: containerd ready" 90 $((n + 1))
        is "$(vm_console main)" "containerd was killed by signal 9 .* restart [0-9]+ in 0\.[0-9] s" "restart line"
}

@test "a service that keeps failing backs off instead of spinning" {
        local before after
        before=$(grep -c "containerd exited" "$(vm_dir main)/console.log" || true)
        # A config containerd refuses: every start fails at once.
        run -0 vm_run main 'echo "this is not toml [[" > /etc/containerd/config.toml && kill $(pidof containerd)'
        sleep 8
        after=$(grep -c "containerd exited" "$(vm_dir main)/console.log" || true)
        echo "failed starts in 8 s: $((after - before))"
        # 0.1 + 0.2 + 0.4 + 0.8 + 1.6 + 3.2 s: at most ~7 restarts, not hundreds
        [ $((after - before)) -ge 2 ]
        [ $((after - before)) -le 8 ]
        # The serial console ends lines with CR LF.
        delays=$(grep "containerd exited" "$(vm_dir main)/console.log" | tail -3 | tr -d '\r' |
                sed 's/.* in \([0-9.]*\) s$/\1/')
        echo "last delays: $delays"
        # Every line a number, or sort -n -c has nothing to compare.
        run -1 grep -vxE '[0-9]+(\.[0-9]+)?' <<<"$delays"
        sort -n -c <<<"$delays"
        # The image's default comes back from the lower layer; containerd follows.
        local n
        n=$(grep -c "^berth: containerd ready" "$(vm_dir main)/console.log")
        run -0 vm_run main 'rm /etc/containerd/config.toml'
        vm_wait main "^berth: containerd ready" 90 $((n + 1))
}

@test "ctrl-alt-del reboots; /etc forgets what was written, /var keeps it" {
        run -0 vm_run main 'echo etc > /etc/berth-etc-test && echo var > /var/berth-var-test && sync'
        local n
        n=$(grep -c "^berth: containerd ready" "$(vm_dir main)/console.log")
        vm_keys main ctrl alt delete
        vm_wait main "^berth: reboot " 60
        vm_wait main "^berth: containerd ready" 180 $((n + 1))
        run vm_run main 'cat /etc/berth-etc-test'
        [ "$status" -ne 0 ]
        run -0 vm_run main 'cat /var/berth-var-test'
        is "$output" "^var" "/var file after reboot"
}

@test "poweroff ends the VM; the root file system is clean" {
        vm_send main poweroff
        vm_wait_exit main 60
        is "$(vm_console main)" "berth: poweroff [0-9.]+" "console"
        run -0 fsck_disk main
}

@test "the minimal image has no shell, boots to containerd, and the ACPI power button powers it off cleanly" {
        run ostree --repo="$MIN_OUT/repo" ls berth/minimal/x86_64 /usr/bin/sh
        [ "$status" -ne 0 ]
        vm_start minimal "$MIN_OUT"
        vm_wait minimal "^berth: containerd ready" 180
        vm_qmp minimal system_powerdown
        vm_wait_exit minimal 60
        is "$(vm_console minimal)" "shutdown requested by power button" "console"
        # What the services say while they stop still reaches the console.
        # Usually dhcpcd's "received SIGTERM, stopping"; but dhcpcd 9.4.1
        # (privsep) now and then misses a TERM that comes while it handles a
        # router advertisement, and is killed after the grace period, having
        # said other things meanwhile. Either way its lines follow.
        is "$(vm_console minimal)" "stopping services [0-9.]+.*dhcpcd: " "services' last words"
        run -0 fsck_disk minimal
}

@test "berth.var=tmpfs gives an empty /var on tmpfs" {
        # No network card either: the next tests use this VM for that.
        VM_NO_NET=1 vm_start tmpfs "$DEBUG_OUT" berth.var=tmpfs berth.network_timeout=2
        vm_wait tmpfs "^berth: containerd ready" 180
        run -0 vm_run tmpfs 'grep " /var " /proc/mounts'
        is "$output" "^tmpfs /var tmpfs " "/var mount"
}

@test "without a DHCP lease, containerd starts at once and the network is given up on after berth.network_timeout" {
        local console
        # containerd may be ready before the 2 s are over: wait for the line.
        vm_wait tmpfs "^berth: FAILED network: no DHCP lease within 2 s; going on without it" 60
        console=$(tr -d '\r' <"$(vm_dir tmpfs)/console.log")
        run -0 grep -x "berth: FAILED network: no DHCP lease within 2 s; going on without it" <<<"$console"
        # containerd does not wait for the network: started before the timeout is given up on.
        run -0 awk '/^berth: stage2 /{a=NR} /^berth: FAILED network/{b=NR} /^berth: containerd started/{c=NR}
                END {exit !(a && a < c && c < b)}' <<<"$console"
        run grep -c "^berth: network up" <<<"$console"
        is "$output" "^0" "network up lines"
}

@test "SIGTERM to PID 1 powers off cleanly" {
        vm_send tmpfs 'kill -TERM 1'
        vm_wait_exit tmpfs 60
        is "$(vm_console tmpfs)" "shutdown requested by SIGTERM" "console"
        is "$(vm_console tmpfs)" "berth: poweroff [0-9.]+" "console"
        run -0 fsck_disk tmpfs
}

@test "a crash of PID 1 is named on the console and halts, instead of a kernel panic" {
        vm_start crash "$DEBUG_OUT"
        vm_wait crash "^berth: shell started " 120
        run -0 vm_run crash 'true'
        # PID 1 gets only the signals it has a handler for: this reaches the crash handler.
        vm_send crash 'kill -SEGV 1'
        vm_wait crash "^berth: FAILED berth-init: crashed \(signal 11\); the system is halted" 30
        run grep -c "Kernel panic" "$(vm_dir crash)/console.log"
        is "$output" "^0" "no panic"
        vm_stop crash
}

@test "the root is found by its file system UUID as well as by its label" {
        local uuid
        uuid=$(blkid -p -O "$(root_offset "$DEBUG_OUT/disk.raw")" -s UUID -o value "$DEBUG_OUT/disk.raw")
        [ -n "$uuid" ]
        VM_CMDLINE="$(sed "s/root=LABEL=[^ ]*/root=UUID=$uuid/" "$DEBUG_OUT/cmdline")" vm_start uuid "$DEBUG_OUT"
        # The label is not on this command line: the root was found by UUID.
        vm_wait uuid "^berth: root mounted " 120
        vm_wait uuid "^berth: stage2 " 60
        vm_stop uuid
}

@test "a root label that matches no disk stops with a clear message" {
        VM_CMDLINE="console=ttyS0 root=LABEL=no-such-disk berth.root_timeout=3 ostree=/ostree/boot.1/berth/x/0" \
                vm_start badroot "$DEBUG_OUT"
        vm_wait badroot "^berth: FAILED root: no device LABEL=no-such-disk appeared within 3 s" 60
        vm_stop badroot
}

@test "a kernel argument that is not valid is one warning, and its default is used" {
        local console
        # No network card: the network timeout's default (30 s) shows in its FAILED line.
        VM_NO_NET=1 vm_start badargs "$DEBUG_OUT" berth.root_timeout=4294968 berth.network_timeout=abc
        vm_wait badargs "^berth: FAILED network: no DHCP lease within 30 s; going on without it" 180
        vm_wait badargs "^berth: containerd ready " 120
        vm_stop badargs
        console=$(tr -d '\r' <"$(vm_dir badargs)/console.log")
        run -0 grep -x "berth: warning: berth.root_timeout=4294968: out of range (1 to 86400); using the default 30" <<<"$console"
        run -0 grep -x "berth: warning: berth.network_timeout=abc: not a number; using the default 30" <<<"$console"
        # Each from the stage that uses it, once: root_timeout in stage 1, network_timeout in stage 2.
        run -0 awk '/^berth: stage1 /{a=NR} /^berth: warning: berth.root_timeout=/{b=NR; nb++} /^berth: root mounted /{c=NR}
                /^berth: stage2 /{d=NR} /^berth: warning: berth.network_timeout=/{e=NR; ne++}
                END {exit !(a && a < b && b < c && c < d && d < e && nb == 1 && ne == 1)}' <<<"$console"
}

@test "a missing ostree= argument stops with a clear message" {
        VM_CMDLINE="console=ttyS0 root=LABEL=berth-root" vm_start noostree "$DEBUG_OUT"
        vm_wait noostree "^berth: FAILED ostree: no ostree= on the kernel command line" 60
        vm_stop noostree
}

@test "a corrupt deployment stops with a clear message" {
        mkdir -p "$(vm_dir corrupt)"
        cp --sparse=always "$DEBUG_OUT/disk.raw" "$(vm_dir corrupt)/disk.raw"
        deploy=$(debugfs -R "ls -p /ostree/deploy/berth/deploy" "$(vm_dir corrupt)/disk.raw?offset=$(root_offset "$(vm_dir corrupt)/disk.raw")" 2>/dev/null |
                awk -F/ '$6 ~ /\.0$/ {print $6; exit}')
        [ -n "$deploy" ]
        debugfs -w -R "rm /ostree/deploy/berth/deploy/$deploy/usr/lib/berth/berth-init" \
                "$(vm_dir corrupt)/disk.raw?offset=$(root_offset "$(vm_dir corrupt)/disk.raw")"
        vm_start corrupt "$DEBUG_OUT"
        vm_wait corrupt "^berth: FAILED corrupt deployment: ostree=.*: No such file or directory" 60
        vm_stop corrupt
}

@test "a healthy boot and power-off print no warning or error on the console" {
        vm_start clean "$MIN_OUT"
        vm_wait clean "^berth: containerd ready" 180
        # Some plugins (CRI's network set-up) log just after containerd is ready.
        sleep 5
        vm_qmp clean system_powerdown
        vm_wait_exit clean 60
        # containerd's log lines (logfmt: level=...) and berth-init's own.
        run grep -E "level=(warning|error|fatal|panic)|^berth: (warning|FAILED)" "$(vm_dir clean)/console.log"
        echo "lines a healthy boot must not print: $output"
        [ "$status" -eq 1 ]
}
