#!/usr/bin/env python3
"""raw_request.py — sends one HTTP request byte for byte (what curl will not send: a 2 MB request
line, a body larger than its buffers, a method with a body) and prints the answer's status code,
Content-Type and body as JSON: {"status": 414, "type": "application/json", "body": "..."}.

    raw_request.py PORT 'GET /x?a=b HTTP/1.1' [--header 'X-A: ...'] [--body-bytes N]
                   [--target-pad N] [--header-pad N]

--target-pad N appends N bytes to the query (`&pad=aaa…`), --header-pad N adds a header of N
bytes, --body-bytes N sends N bytes of body with its Content-Length. The server may answer before
the body is sent and close: a refused send is not an error, a missing answer is (exit 1)."""
import argparse
import json
import re
import socket
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("line")
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--body-bytes", type=int, default=0)
    ap.add_argument("--target-pad", type=int, default=0)
    ap.add_argument("--header-pad", type=int, default=0)
    a = ap.parse_args()
    method, target, version = a.line.split(" ")
    if a.target_pad:
        target += ("&" if "?" in target else "?") + "pad=" + "a" * a.target_pad
    head = [f"{method} {target} {version}", "Host: 127.0.0.1", "Connection: close"]
    head += a.header
    if a.header_pad:
        head.append("X-Pad: " + "b" * a.header_pad)
    if a.body_bytes:
        head.append(f"Content-Length: {a.body_bytes}")
    data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + b"z" * a.body_bytes
    s = socket.create_connection(("127.0.0.1", a.port), timeout=20)
    try:
        s.sendall(data)
    except OSError:
        pass  # answered and closed before reading everything: the answer is still there
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    if b"\r\n\r\n" not in out:
        print(f"no answer ({len(out)} bytes)", file=sys.stderr)
        return 1
    headers, _, body = out.partition(b"\r\n\r\n")
    status = int(headers.split(b" ")[1])
    m = re.search(rb"^content-type: *([^\r]*)", headers, re.I | re.M)
    print(json.dumps({"status": status, "type": m.group(1).decode() if m else "",
                      "body": body.decode("utf-8", "replace")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
