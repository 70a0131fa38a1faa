#!/usr/bin/env python3
"""The host state servers the QEMU suites' guests fetch from.

state-server.py http DIR PORTFILE
    An HTTP server on 127.0.0.1 (the guest's 10.0.2.2). GET /state.toml
    answers as the file DIR/mode says, so that a test switches the server's
    behaviour between two `berthctl reload`s:
      (no mode file)  DIR/state.toml
      500             HTTP 500, always
      hang            accepts, reads the request and never answers
      big             20 MB, with its Content-Length
      big-unsized     20 MB, no Content-Length (ends when closed)
    Writes its port to PORTFILE once it listens. Every request is logged on
    stderr as "METHOD PATH STATUS" (a hung one as "... hang").

state-server.py imds DOC LOG
    A fake EC2 instance metadata service that knows only IMDSv2, for one
    connection on stdin and stdout: QEMU's user network runs it once per
    connection (-netdev user,guestfwd=tcp:169.254.169.254:80-cmd:...).
    PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds gives a
    token; GET /latest/user-data is DOC with that token in
    X-aws-ec2-metadata-token, 401 without it. Appends "PID METHOD PATH
    STATUS" to LOG for each request (PID: one per connection).
"""

import http.server
import os
import sys
import time

BIG = 20 * 1000 * 1000
TOKEN = b"AQAEAberth-test-token=="


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))
        sys.stderr.flush()

    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def big(self, sized):
        self.send_response(200)
        if sized:
            self.send_header("Content-Length", str(BIG))
        else:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            for _ in range(BIG // 65536):
                self.wfile.write(b"x" * 65536)
        except OSError:
            pass

    def do_GET(self):
        d = self.server.dir
        if self.path != "/state.toml":
            return self.answer(404, b"not found")
        try:
            mode = open(os.path.join(d, "mode")).read().strip()
        except FileNotFoundError:
            mode = ""
        if mode == "500":
            return self.answer(500, b"broken")
        if mode == "hang":
            self.log_message('"%s" hang', self.requestline)
            while True:
                time.sleep(3600)
        if mode in ("big", "big-unsized"):
            return self.big(mode == "big")
        with open(os.path.join(d, "state.toml"), "rb") as f:
            self.answer(200, f.read())


def serve_http(directory, portfile):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.dir = directory
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % httpd.server_address[1])
    os.rename(portfile + ".tmp", portfile)
    httpd.serve_forever()


def serve_imds(doc_path, log_path):
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    log = open(log_path, "a")
    while True:
        line = inp.readline()
        if not line:
            return
        if not line.strip():
            continue
        method, path = line.decode("latin-1").split()[:2]
        headers = {}
        while True:
            h = inp.readline()
            if not h or not h.strip():
                break
            k, _, v = h.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        if int(headers.get("content-length", "0")):
            inp.read(int(headers["content-length"]))
        if method == "PUT" and path == "/latest/api/token":
            status, body = (200, TOKEN) if headers.get("x-aws-ec2-metadata-token-ttl-seconds") else (400, b"no TTL")
        elif method == "GET" and path == "/latest/user-data":
            if headers.get("x-aws-ec2-metadata-token", "").encode() == TOKEN:
                status, body = 200, open(doc_path, "rb").read()
            else:
                status, body = 401, b"IMDSv2 only"
        else:
            status, body = 404, b"not found"
        log.write("%d %s %s %d\n" % (os.getpid(), method, path, status))
        log.flush()
        out.write(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n" % (status, len(body)) + body)
        out.flush()


if __name__ == "__main__":
    if sys.argv[1] == "http":
        serve_http(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "imds":
        serve_imds(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: state-server.py http DIR PORTFILE | imds DOC LOG")
