# Sourced by the suites that run a real containerd (containerd-api.bats,
# berth-ctr.bats): runc needs the cgroup file systems under /sys/fs/cgroup.

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
