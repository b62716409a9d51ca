#!/usr/bin/env python3
"""A loopback listener that records every connection it gets: the port it listens on goes to
argv[1] when it is ready, one line per request to argv[2]. The hostile-file test asserts that an
import makes no request at all."""
import socket
import sys

port_file, hits_file = sys.argv[1], sys.argv[2]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(port_file + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(port_file + ".tmp", port_file)
while True:
    c, _ = s.accept()
    c.settimeout(2)
    try:
        first = c.recv(200).split(b"\r\n")[0]
    except OSError:
        first = b"(no request line)"
    with open(hits_file, "a") as f:
        f.write(first.decode("latin-1") + "\n")
    try:
        c.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        pass
    c.close()
