#!/usr/bin/env python3
"""The servers init/tests/state-fetch.bats fetches from, all on 127.0.0.1.

state-servers.py DOC PORTFILE [CERT KEY]

Writes "HTTP HANG [HTTPS]" (their ports) to PORTFILE once they listen.
HTTP serves, by path:
  /state.toml                    DOC
  /500                           HTTP 500, always
  /big                           20 MB, with its Content-Length
  /big-unsized                   20 MB, no Content-Length (ends when closed)
  /ec2/latest/api/token          PUT only, with the TTL header: a token
  /ec2/latest/user-data          DOC, only with that token (IMDSv2)
  /ec2-empty/...                 the same, but no user data (404)
  /gce/computeMetadata/v1/instance/attributes/user-data
                                 DOC, only with Metadata-Flavor: Google
  /redirect                      a redirect (with a body of its own) to /state.toml
  /redirect-loop                 a redirect to itself
  /to-http                       (HTTPS) a redirect to HTTP's /state.toml
HANG accepts connections and never answers. Every request is logged on
stderr as "METHOD PATH STATUS".
"""

import http.server
import socket
import ssl
import sys
import threading

DOC = open(sys.argv[1], "rb").read()
TOKEN = b"AQAEAtest-token=="
BIG = 20 * 1000 * 1000
http_port = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))

    def answer(self, status, body=b"", length=True):
        self.send_response(status)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        if self.path in ("/ec2/latest/api/token", "/ec2-empty/latest/api/token"):
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.answer(400, b"no TTL")
            return self.answer(200, TOKEN)
        self.answer(405)

    def do_GET(self):
        p = self.path
        if p == "/state.toml":
            return self.answer(200, DOC)
        if p == "/bad.toml":
            # TOML, but not a host state document: an unknown key on line 3.
            return self.answer(200, b'version = 1\nhostname = "fetched"\nbogus = 1\n')
        if p == "/500":
            return self.answer(500, b"broken")
        if p == "/big":
            self.send_response(200)
            self.send_header("Content-Length", str(BIG))
            self.end_headers()
            try:
                for _ in range(BIG // 65536):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass
            return
        if p == "/big-unsized":
            self.close_connection = True
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(BIG // 65536):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass
            return
        if p in ("/ec2/latest/user-data", "/ec2-empty/latest/user-data"):
            if self.headers.get("X-aws-ec2-metadata-token", "").encode() != TOKEN:
                return self.answer(401, b"IMDSv2 only")
            return self.answer(200, DOC) if p.startswith("/ec2/") else self.answer(404)
        if p == "/gce/computeMetadata/v1/instance/attributes/user-data":
            if self.headers.get("Metadata-Flavor") != "Google":
                return self.answer(403, b"Missing Metadata-Flavor:Google header.")
            return self.answer(200, DOC)
        if p == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/state.toml")
            self.send_header("Content-Length", "12")
            self.end_headers()
            self.wfile.write(b"moved here: ")
            return
        if p == "/redirect-loop":
            self.send_response(302)
            self.send_header("Location", "/redirect-loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if p == "/to-http":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:%d/state.toml" % http_port)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.answer(404, b"not found")


def hang(sock):
    held = []
    while True:
        conn, _ = sock.accept()
        held.append(conn)


def main():
    global http_port
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    http_port = httpd.server_address[1]
    hanger = socket.socket()
    hanger.bind(("127.0.0.1", 0))
    hanger.listen(16)
    ports = [http_port, hanger.getsockname()[1]]
    servers = [httpd]
    if len(sys.argv) > 4:
        httpsd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        httpsd.socket = ctx.wrap_socket(httpsd.socket, server_side=True)
        ports.append(httpsd.server_address[1])
        servers.append(httpsd)
    threading.Thread(target=hang, args=(hanger,), daemon=True).start()
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(" ".join(map(str, ports)) + "\n")
    import os
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    httpd.serve_forever()


if __name__ == "__main__":
    main()
