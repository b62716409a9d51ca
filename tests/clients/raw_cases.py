#!/usr/bin/env python3
"""raw_cases.py — sends requests that no HTTP client library will send (a NUL byte in the request
line or a header, a request line or header block over the server's per-connection memory, an HTTP
version it does not speak, a malformed header, Content-Length or chunk, an HTTP/1.1 request
without Host) and prints one JSON line per case: {"case": NAME, "status": 400, "type":
"application/json", "body": "..."}, status 0 when no answer came (the connection was closed, or
the server died).

    raw_cases.py PORT CASE...      (CASE names: see CASES; "all" for every one)
    raw_cases.py PORT --http10-no-host   (prints the status an HTTP/1.0 request without Host gets)"""
import json
import socket
import sys

H = b"Host: 127.0.0.1\r\nConnection: close\r\n"
P = b"/collections/paises/items"
CASES = {
    # the request line
    "nul-in-path": b"GET /collections/pai\x00ses/items HTTP/1.1\r\n" + H + b"\r\n",
    "nul-in-query": b"GET " + P + b"?bbox=\x00-10,35,5,45 HTTP/1.1\r\n" + H + b"\r\n",
    "nul-in-item-id": b"GET " + P + b"/\x00\xff HTTP/1.1\r\n" + H + b"\r\n",
    "nul-at-target-end": b"GET " + P + b"\x00 HTTP/1.1\r\n" + H + b"\r\n",
    "url-2mb": b"GET " + P + b"?pad=" + b"a" * 2_000_000 + b" HTTP/1.1\r\n" + H + b"\r\n",
    "nul-in-version": b"GET " + P + b" HTTP/1.\x001\r\n" + H + b"\r\n",
    "version-2.0": b"GET " + P + b" HTTP/2.0\r\n" + H + b"\r\n",
    "version-0.9": b"GET " + P + b" HTTP/0.9\r\n" + H + b"\r\n",
    "version-garbled": b"GET " + P + b" HTXP/1.1\r\n" + H + b"\r\n",
    # the header block
    "nul-in-header-value": b"GET " + P + b" HTTP/1.1\r\n" + H + b"Accept: a\x00b\r\n\r\n",
    "nul-in-header-name": b"GET " + P + b" HTTP/1.1\r\n" + H + b"Acc\x00ept: ab\r\n\r\n",
    "headers-1200kb": b"GET " + P + b" HTTP/1.1\r\n" + H + b"X-Pad: " + b"b" * 1_200_000 +
                      b"\r\n\r\n",
    "header-no-colon": b"GET " + P + b" HTTP/1.1\r\n" + H + b"NoColonHere\r\n\r\n",
    "content-length-garbled": b"GET " + P + b" HTTP/1.1\r\n" + H + b"Content-Length: abc\r\n\r\n",
    "chunk-garbled": b"GET " + P + b" HTTP/1.1\r\n" + H +
                     b"Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n",
    # RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400
    "no-host": b"GET " + P + b" HTTP/1.1\r\nConnection: close\r\n\r\n",
}
# Not an error: HTTP/1.0 needs no Host (RFC 9112 §3.2). Sent alone: --http10-no-host.
HTTP10_NO_HOST = b"GET /collections HTTP/1.0\r\n\r\n"


def exchange(data, port, src=None):
    """Sends DATA byte for byte (from the local address SRC, default any) and reads until the
    server closes: (status, headers with lower-case names, body), status 0 when no answer came.
    The server may answer before everything is sent and close: a refused send is not an error."""
    s = socket.create_connection(("127.0.0.1", port), timeout=20,
                                 source_address=(src, 0) if src else None)
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
    s.close()
    head, sep, body = out.partition(b"\r\n\r\n")
    if not sep:
        return 0, {}, ""
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    return int(lines[0].split(" ")[1]), headers, body.decode("utf-8", "replace")


def send(data, port, src=None):
    """exchange's answer as (status, Content-Type, body)."""
    status, headers, body = exchange(data, port, src)
    return status, headers.get("content-type", ""), body


if __name__ == "__main__":
    port = int(sys.argv[1])
    if sys.argv[2:] == ["--http10-no-host"]:  # prints the status of HTTP10_NO_HOST
        print(exchange(HTTP10_NO_HOST, port)[0])
        sys.exit(0)
    names = list(CASES) if sys.argv[2:] == ["all"] else sys.argv[2:]
    for name in names:
        status, ctype, body = send(CASES[name], port)
        print(json.dumps({"case": name, "status": status, "type": ctype, "body": body[:400]}))
