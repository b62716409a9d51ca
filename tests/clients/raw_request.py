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
import sys

from raw_cases import send


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
    status, ctype, body = send(data, a.port)
    if not status:
        print("no answer", file=sys.stderr)
        return 1
    print(json.dumps({"status": status, "type": ctype, "body": body}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
