#!/usr/bin/env python3
"""Writes a one-layer OCI image archive (what `ctr images import` reads) holding
a static busybox as /bin/busybox with /bin/sh and /bin/echo linked to it.

  make-oci-image.py BUSYBOX OUT.tar NAME:TAG
"""
import gzip
import hashlib
import io
import json
import sys
import tarfile


def blob(tar, data):
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
    return "sha256:" + digest, len(data)


def main():
    busybox, out, ref = sys.argv[1:4]
    layer_raw = io.BytesIO()
    with tarfile.open(fileobj=layer_raw, mode="w", format=tarfile.PAX_FORMAT) as lt:
        d = tarfile.TarInfo("bin")
        d.type, d.mode = tarfile.DIRTYPE, 0o755
        lt.addfile(d)
        with open(busybox, "rb") as f:
            data = f.read()
        bi = tarfile.TarInfo("bin/busybox")
        bi.size, bi.mode = len(data), 0o755
        lt.addfile(bi, io.BytesIO(data))
        for name in ("sh", "echo", "cat", "sleep"):
            li = tarfile.TarInfo("bin/" + name)
            li.type, li.linkname = tarfile.SYMTYPE, "busybox"
            lt.addfile(li)
    raw = layer_raw.getvalue()
    diff_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    layer = gzip.compress(raw, mtime=0)

    with tarfile.open(out, "w") as tar:
        layer_digest, layer_size = blob(tar, layer)
        config = json.dumps({
            "architecture": "amd64", "os": "linux",
            "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/bin"]},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        }).encode()
        config_digest, config_size = blob(tar, config)
        manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": config_digest, "size": config_size},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                        "digest": layer_digest, "size": layer_size}],
        }).encode()
        manifest_digest, manifest_size = blob(tar, manifest)
        index = json.dumps({
            "schemaVersion": 2,
            "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "digest": manifest_digest, "size": manifest_size,
                           "annotations": {"org.opencontainers.image.ref.name": ref}}],
        }).encode()
        for name, data in (("oci-layout", b'{"imageLayoutVersion": "1.0.0"}'), ("index.json", index)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main()
