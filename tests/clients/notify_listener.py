#!/usr/bin/env python3
"""A stand-in for systemd's notification socket: binds a unix datagram socket at PATH and writes
each message it receives, one per line (newlines inside a message become ';'), to OUT, until
killed. With PORT, on READY=1 it also asks GET /health and writes "health=STATUS": readiness
must mean the server answers.

    notify_listener.py PATH OUT [PORT]"""
import socket
import sys
import urllib.request


def main():
    path, out = sys.argv[1], sys.argv[2]
    port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    with open(out, "a", buffering=1) as f:
        f.write("listening\n")
        while True:
            msg = s.recv(4096).decode().strip().replace("\n", ";")
            f.write(msg + "\n")
            if port and "READY=1" in msg and "health=" not in open(out).read():
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as r:
                        f.write(f"health={r.status}\n")
                except OSError as e:
                    f.write(f"health=error {e}\n")


if __name__ == "__main__":
    main()
