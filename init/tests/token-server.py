#!/usr/bin/env python3
"""A registry token server for the tests: answers a token to the one user it
knows, as containerd asks for it (an OAuth2 password grant by POST, or a GET
with basic credentials), and 401 to anyone else. Each request is logged to
stderr with whether it was granted.

  token-server.py PORT_FILE USER PASSWORD

Listens on a free 127.0.0.1 port and writes the port to PORT_FILE.
"""
import base64
import http.server
import json
import sys
import urllib.parse

PORT_FILE, USER, PASSWORD = sys.argv[1:4]


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, user, password):
        granted = (user, password) == (USER, PASSWORD)
        print(f"token {'granted' if granted else 'refused'} to {user!r}", file=sys.stderr, flush=True)
        body = json.dumps({"token": "berth-test-token", "access_token": "berth-test-token"}).encode()
        self.send_response(200 if granted else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) if granted else 0))
        self.end_headers()
        if granted:
            self.wfile.write(body)

    def do_GET(self):
        user = password = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        self.answer(user, password)

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
        self.answer(form.get("username", [None])[0], form.get("password", [None])[0])

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_port))
import os  # noqa: E402
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
