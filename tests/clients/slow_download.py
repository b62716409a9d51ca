#!/usr/bin/env python3
"""slow_download.py — a client that reads a download slowly: it asks for PATH with a small
receive buffer, reads FIRST bytes, then reads 2 KB every 0.2 s (the server's stream blocked on a
full socket most of the time, yet never idle long enough for its connection timeout) until the
file GO exists (the test lands imports meanwhile), then reads the rest and writes the body to OUT.
Prints the status line. Exit 1 when no complete answer came.

    slow_download.py PORT PATH FIRST GO OUT"""
import os
import socket
import sys
import time


def main():
    port, path, first = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    go, out = sys.argv[4], sys.argv[5]
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # before connect: the window stays small
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    s.settimeout(600)
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    data = bytearray()
    while len(data) < first:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    while not os.path.exists(go):  # hold the stream open: the server blocks on the full socket
        time.sleep(0.2)
        chunk = s.recv(2048)
        if not chunk:
            break
        data += chunk
    while chunk := s.recv(65536):
        data += chunk
    head, sep, body = bytes(data).partition(b"\r\n\r\n")
    if not sep:
        return 1
    if b"chunked" in head.lower():  # undo chunked transfer coding (an index: no quadratic copies)
        raw, parts, pos = bytes(body), [], 0
        while True:
            eol = raw.index(b"\r\n", pos)
            n = int(raw[pos:eol].split(b";")[0], 16)
            if n == 0:
                break
            parts.append(raw[eol + 2:eol + 2 + n])
            pos = eol + 2 + n + 2
        body = b"".join(parts)
    open(out, "wb").write(body)
    print(head.split(b"\r\n")[0].decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
