#!/usr/bin/env bats
# A container from an OCI archive (docs/host-state.md, `archive =`), for
# air-gapped hosts: one boot of recipes/debug.toml with a state document in
# fw_cfg naming an archive (made from busybox-static) that an http server
# on 127.0.0.1 serves, reached by the guest at 10.0.2.2 over plain http
# with its sha256 pin. berth-ctr has berth-fetch download it, imports it
# into containerd and runs it: its output on the console, `berth: healthy`,
# and the downloaded file gone once containerd has the image.

bats_require_minimum_version 1.5.0
load helpers
load vm

setup_file() {
        export DEBUG_OUT="$BATS_FILE_TMPDIR/debug"
        "$BI" --quiet --cache "$BERTH_TEST_CACHE" -o "$DEBUG_OUT" "$BERTH_ROOT/recipes/debug.toml" >/dev/null

        mkdir -p "$BATS_FILE_TMPDIR/srv"
        python3 "$BATS_TEST_DIRNAME/make-oci-image.py" /bin/busybox "$BATS_FILE_TMPDIR/srv/app.oci.tar" berth/app:1
        local sha i
        sha=$(sha256sum "$BATS_FILE_TMPDIR/srv/app.oci.tar" | cut -d' ' -f1)
        export ARCHIVE_SHA=$sha
        # Each request a line of srv.log: the test sees what the guest asked.
        python3 - "$BATS_FILE_TMPDIR/srv" "$BATS_FILE_TMPDIR/srv.port" >"$BATS_FILE_TMPDIR/srv.log" 2>&1 <<-'PY' &
	import functools, http.server, os, sys
	class H(http.server.SimpleHTTPRequestHandler):
	    def log_message(self, fmt, *a):
	        print(self.path, flush=True)
	s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=sys.argv[1]))
	open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
	os.rename(sys.argv[2] + ".tmp", sys.argv[2])
	s.serve_forever()
	PY
        echo $! >"$BATS_FILE_TMPDIR/srv.pid"
        for i in $(seq 50); do
                [[ -f $BATS_FILE_TMPDIR/srv.port ]] && break
                sleep 0.1
        done
        export PORT
        PORT=$(cat "$BATS_FILE_TMPDIR/srv.port")

        cat >"$BATS_FILE_TMPDIR/state.toml" <<-TOML
	version = 1

	[[containers]]
	name = "offline"
	archive = { url = "http://10.0.2.2:$PORT/app.oci.tar", sha256 = "$ARCHIVE_SHA" }
	command = ["/bin/sh", "-c", "echo offline-from-the-archive; while :; do sleep 1; done"]
	TOML
        "$BERTH_BUILD/berthctl" check "$BATS_FILE_TMPDIR/state.toml"
        local doc_sha
        doc_sha=$(sha256sum "$BATS_FILE_TMPDIR/state.toml" | cut -d' ' -f1)
        VM_EXTRA_ARGS="-fw_cfg name=opt/org.berth/state,file=$BATS_FILE_TMPDIR/state.toml" \
                vm_start main "$DEBUG_OUT" "berth.state.sha256=$doc_sha"
        vm_wait main "^berth: healthy [0-9.]+" 900
}

teardown_file() {
        vm_stop_all
        [[ -f $BATS_FILE_TMPDIR/srv.pid ]] && kill "$(cat "$BATS_FILE_TMPDIR/srv.pid")" 2>/dev/null
        true
}

@test "the archive's container runs: its output on the console, 'container offline running', 'healthy'" {
        local console
        console=$(vm_console main | tr -d '\r')
        is "$console" $'(^|\n)\\[ *[0-9.]+\\] offline: offline-from-the-archive($|\n)' "the container's line"
        is "$console" $'(^|\n)berth: container offline running [0-9.]+($|\n)' "the running line"
        is "$console" $'(^|\n)berth: healthy [0-9.]+($|\n)' "healthy"
        is_not "$console" "OCI archives are not run yet" "the old refusal"
        is_not "$console" "cannot (fetch|import)" "a failed download or import"
        echo "# $(grep -E 'berth-ctr: offline: (fetching|fetched|imported)' <<<"$console" | head -3 | tr '\n' ' ')" >&3
}

@test "the guest asked for the archive once; the file is gone, containerd has the image by its sha256" {
        run -0 grep -c '^/app.oci.tar$' "$BATS_FILE_TMPDIR/srv.log"
        [ "$output" = 1 ]
        run -0 vm_run main 'ls -A /var/lib/berth/archives; echo end'
        [ "$output" = end ]
        run -0 vm_run main 'ctr -n k8s.io images ls -q'
        is "$output" "berth.archive/sha256-$ARCHIVE_SHA:latest" "the image"
}
