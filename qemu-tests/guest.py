#!/usr/bin/env python3
"""Talks to a berth test VM.

  guest.py shell SOCKET COMMAND   run COMMAND in the debug image's shell (ttyS1);
                                  print its output, exit with its status
  guest.py send SOCKET COMMAND    type COMMAND into the shell without waiting (poweroff)
  guest.py qmp SOCKET COMMAND     send one QMP command (e.g. system_powerdown)
  guest.py key SOCKET KEYS...     press keys together (e.g. ctrl alt delete)
"""
import json
import re
import socket
import sys
import time


def shell(path, command, timeout=120):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(1)
    # Markers are printed by printf from two halves, so the terminal's echo of
    # the command line never contains them.
    # One line: busybox's line editor echoes each line as it reads it, so a
    # second line's echo would land inside the output.
    s.sendall(("\nprintf '%%s%%s\\n' __BEGIN __MARK__; %s\nprintf '%%s%%s %%s\\n' __END __MARK__ $?\n"
               % command.replace("\n", "; ")).encode())
    buf = b""
    deadline = time.time() + timeout
    end = re.compile(rb"__END__MARK__ (\d+)")
    while time.time() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        buf += chunk
        m = end.search(buf)
        if m:
            text = buf.replace(b"\r", b"")
            begin = text.rfind(b"__BEGIN__MARK__\n", 0, text.find(b"__END__MARK__"))
            out = text[begin + len(b"__BEGIN__MARK__\n"):text.find(b"__END__MARK__")] if begin >= 0 else b""
            # Terminal control (busybox's line editor redrawing its line:
            # CSI sequences, other C0 bytes) is not the command's output.
            out = re.sub(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f]", b"", out)
            # A line of nothing but undecodable bytes is the serial line's
            # noise (a UART reset across a reboot), not the command's output.
            lines = [l for l in out.decode(errors="replace").split("\n")
                     if "__END __MARK__" not in l and not (l and set(l) <= {"\ufffd"})]
            # Noise before the first line of output (seen: a blank line ahead
            # of the text) is the line's, not the command's.
            while lines and not lines[0].strip():
                lines.pop(0)
            sys.stdout.write("\n".join(lines))
            return int(m.group(1))
    sys.stderr.write("guest.py: no answer from the guest shell within %ss\n" % timeout)
    return 124


def qmp(path, command, arguments=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    f = s.makefile("rw")
    json.loads(f.readline())  # greeting
    for msg in ({"execute": "qmp_capabilities"}, {"execute": command, "arguments": arguments or {}}):
        f.write(json.dumps(msg) + "\n")
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if "return" in reply or "error" in reply:
                break
    if "error" in reply:
        sys.stderr.write("qmp: %s\n" % reply["error"])
        return 1
    return 0


def main():
    verb, path = sys.argv[1], sys.argv[2]
    if verb == "shell":
        return shell(path, " ".join(sys.argv[3:]))
    if verb == "send":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.sendall(("\n%s\n" % " ".join(sys.argv[3:])).encode())
        time.sleep(0.5)
        return 0
    if verb == "qmp":
        return qmp(path, sys.argv[3])
    if verb == "key":
        keys = [{"type": "qcode", "data": k} for k in sys.argv[3:]]
        return qmp(path, "send-key", {"keys": keys})
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
