#!/usr/bin/env python3
"""Pushes the image of an OCI archive (what make-oci-image.py writes) to a
registry over plain HTTP with the distribution API: each blob by a monolithic
upload, then the manifest under the tag.

  push-oci-image.py [--index] ARCHIVE.tar HOST:PORT REPOSITORY:TAG

Prints the manifest's digest. With --index the tag names an image index (a
manifest list) whose first entry is an image for linux/arm64 holding a single
file, /platform-arm64 (no /bin), and whose second is the archive's image for
linux/amd64: a client that pulls the tag on amd64 must choose the second.
"""
import gzip
import hashlib
import io
import json
import sys
import tarfile
import urllib.request


def request(method, url, data=None, headers=None):
    # Any Authorization header passes a registry with "silly" auth (the
    # tests' registry that wants a token); one without auth ignores it.
    headers = dict(headers or {}, Authorization="Bearer push")
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.headers, resp.read()


def put_blob(host, base, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    _, headers, _ = request("POST", base + "/blobs/uploads/")
    location = headers["Location"]
    if location.startswith("/"):
        location = f"http://{host}{location}"
    sep = "&" if "?" in location else "?"
    request("PUT", f"{location}{sep}digest={digest}", data, {"Content-Type": "application/octet-stream"})
    return {"digest": digest, "size": len(data)}


def other_platform(host, base):
    """An image for linux/arm64 of one file, its blobs pushed; its manifest."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        info = tarfile.TarInfo("platform-arm64")
        info.size = 0
        t.addfile(info, io.BytesIO(b""))
    layer = put_blob(host, base, gzip.compress(raw.getvalue(), mtime=0))
    config = put_blob(host, base, json.dumps({
        "architecture": "arm64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()]},
    }).encode())
    return json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
        "layers": [dict(layer, mediaType="application/vnd.oci.image.layer.v1.tar+gzip")],
    }).encode()


def put_manifest(base, ref, data, media_type):
    request("PUT", f"{base}/manifests/{ref}", data, {"Content-Type": media_type})
    return "sha256:" + hashlib.sha256(data).hexdigest()


def main():
    args = sys.argv[1:]
    as_index = args[0] == "--index"
    if as_index:
        args = args[1:]
    archive, host, ref = args[:3]
    repo, tag = ref.rsplit(":", 1)
    base = f"http://{host}/v2/{repo}"
    with tarfile.open(archive) as tar:
        def member(name):
            return tar.extractfile(name).read()
        desc = json.loads(member("index.json"))["manifests"][0]
        manifest = member("blobs/" + desc["digest"].replace(":", "/"))
        parsed = json.loads(manifest)
        for blob in [parsed["config"]] + parsed["layers"]:
            put_blob(host, base, member("blobs/" + blob["digest"].replace(":", "/")))
        if not as_index:
            put_manifest(base, tag, manifest, desc["mediaType"])
            print(desc["digest"])
            return
        amd64 = put_manifest(base, desc["digest"], manifest, desc["mediaType"])
        other_data = other_platform(host, base)
        arm64 = put_manifest(base, "sha256:" + hashlib.sha256(other_data).hexdigest(), other_data,
                             desc["mediaType"])
        entries = [
            {"mediaType": desc["mediaType"], "digest": arm64, "size": len(other_data),
             "platform": {"architecture": "arm64", "os": "linux"}},
            {"mediaType": desc["mediaType"], "digest": amd64, "size": len(manifest),
             "platform": {"architecture": "amd64", "os": "linux"}},
        ]
        idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                          "manifests": entries}).encode()
        print(put_manifest(base, tag, idx, "application/vnd.oci.image.index.v1+json"))


if __name__ == "__main__":
    main()
