#!/usr/bin/env python3
"""Pushes the image of an OCI archive (what make-oci-image.py writes) to a
registry over plain HTTP with the distribution API: each blob by a monolithic
upload, then the manifest under the tag.

  push-oci-image.py ARCHIVE.tar HOST:PORT REPOSITORY:TAG

Prints the manifest's digest.
"""
import json
import sys
import tarfile
import urllib.request


def request(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.headers, resp.read()


def main():
    archive, host, ref = sys.argv[1:4]
    repo, tag = ref.rsplit(":", 1)
    base = f"http://{host}/v2/{repo}"
    with tarfile.open(archive) as tar:
        def member(name):
            return tar.extractfile(name).read()
        index = json.loads(member("index.json"))
        desc = index["manifests"][0]
        manifest = member("blobs/" + desc["digest"].replace(":", "/"))
        parsed = json.loads(manifest)
        for blob in [parsed["config"]] + parsed["layers"]:
            data = member("blobs/" + blob["digest"].replace(":", "/"))
            _, headers, _ = request("POST", base + "/blobs/uploads/")
            location = headers["Location"]
            if location.startswith("/"):
                location = f"http://{host}{location}"
            sep = "&" if "?" in location else "?"
            request("PUT", f"{location}{sep}digest={blob['digest']}", data,
                    {"Content-Type": "application/octet-stream"})
        request("PUT", f"{base}/manifests/{tag}", manifest, {"Content-Type": desc["mediaType"]})
    print(desc["digest"])


if __name__ == "__main__":
    main()
