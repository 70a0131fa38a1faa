# Sourced by the suites that run a real containerd of their own
# (containerd-api.bats, berth-ctr.bats): its setup and teardown, and the
# cgroup file systems runc needs under /sys/fs/cgroup.

# ensure_cgroups: a chroot (as ../shared/tools/fresh-clone-check makes one,
# with a fresh sysfs) has no cgroup file system mounted there, though the
# machine has them; mount the same hierarchies as PID 1 has, in PID 1's
# order, so runc sees the machine's layout (v2, or v1 beside v2). Does
# nothing where /sys/fs/cgroup is already mounted.
ensure_cgroups() {
        mountpoint -q /sys/fs/cgroup && return 0
        local mp fstype opts
        # mountinfo: ... MOUNTPOINT ... - FSTYPE SOURCE SUPEROPTIONS
        while read -r mp fstype opts; do
                case $fstype in
                tmpfs) mount -t tmpfs -o mode=755 tmpfs "$mp" ;;
                cgroup2) mkdir -p "$mp" && mount -t cgroup2 cgroup2 "$mp" ;;
                cgroup) mkdir -p "$mp" && mount -t cgroup -o "${opts#rw,}" cgroup "$mp" ;;
                esac || return 1
        done < <(awk '{ for (i = 7; $i != "-"; i++); if ($5 ~ "^/sys/fs/cgroup" && ($(i+1) ~ /^cgroup/ || $5 == "/sys/fs/cgroup")) print $5, $(i+1), $(i+3) }' /proc/1/mountinfo)
        mountpoint -q /sys/fs/cgroup
}

# containerd_env_start SUITE TAG: a containerd of the suite's own (folder $D,
# socket $D/c.sock, cgroups under $CGP) and its registries on 127.0.0.1 ($REG,
# and $PRIV wanting a token); returns once containerd answers. Needs $CT.
containerd_env_start() {
        if [[ $(id -u) -ne 0 ]]; then
                echo "$1 needs root: containerd, runc and cgroups" >&2
                return 1
        fi
        ensure_cgroups
        # A short path: the socket's must fit in sun_path. Not tmpfs-only:
        # overlayfs wants a file system with trusted xattrs (ext4 and tmpfs
        # both do).
        D=$(mktemp -d /tmp/berth-$2.XXXXXX)
        export D
        local port port2
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        port2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        export REG=127.0.0.1:$port
        # a second registry that wants a token from the test's token server
        export PRIV=127.0.0.1:$port2
        # Unique per run: the container cgroups land under it on this host.
        export CGP=/berth-$2-test-${D##*.}
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
        if mountpoint -q /; then
                containerd --config "$D/config.toml" --log-level info >"$D/containerd.log" 2>&1 &
        else
                # A chroot whose / is no mount point (fresh-clone-check's):
                # runc cannot pivot_root() out of it (EINVAL). containerd, and
                # so its shims and runc, run chrooted into an rbind of / in a
                # mount namespace of their own, where / is one: the same files
                # and sockets. unshare cannot make / private there (it is no
                # mount point either), so newroot is first bound onto itself
                # and made private, and the rbind made on it stays inside.
                # Where the chroot's mount is shared, that first bind also
                # shows outside; containerd_env_stop removes it.
                mkdir -p "$D/newroot"
                # shellcheck disable=SC2016 # expanded by the inner sh
                unshare --mount --propagation unchanged sh -c \
                        'mount --bind "$0" "$0" && mount --make-private "$0" && mount --rbind / "$0" &&
                         cd "$0" && exec chroot . "$@"' "$D/newroot" \
                        containerd --config "$D/config.toml" --log-level info >"$D/containerd.log" 2>&1 &
        fi
        echo $! >"$D/containerd.pid"

        python3 "$BATS_TEST_DIRNAME/../../qemu-tests/make-oci-image.py" /bin/busybox "$D/image.tar" berth/busybox:1
        for i in $(seq 50); do
                curl -fs "http://$REG/v2/" >/dev/null && curl -s "http://$PRIV/v2/" >/dev/null && break
                sleep 0.2
        done
}

# containerd_wait: until the suite's containerd answers.
containerd_wait() {
        for i in $(seq 50); do
                "$CT" -a "$D/c.sock" version >/dev/null 2>&1 && break
                sleep 0.2
        done
}

# containerd_env_stop: what containerd_env_start made, containers included.
containerd_env_stop() {
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
