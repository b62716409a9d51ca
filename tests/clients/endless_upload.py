#!/usr/bin/env python3
"""An upload whose chunked body never ends, as a client that ignores every bound would send it.

endless_upload.py PORT PATH TOKEN LIMIT_BYTES [CONTENT_TYPE]: sends the request head
(Transfer-Encoding: chunked, Authorization: Bearer TOKEN, Content-Type: CONTENT_TYPE, text/csv by
default), then 64 KiB chunks, looking for an answer after each, and stops at
the first answer or once 64 times LIMIT_BYTES are sent. Prints one JSON line: the status, the
body, the bytes of body sent before the answer was seen, and whether the server then closed the
connection."""
import json
import select
import socket
import sys
import time

from penalty_flood import read_answer

port, path, token, limit = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
content_type = sys.argv[5] if len(sys.argv) > 5 else "text/csv"
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
           f"Content-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n").encode())
chunk = b"10000\r\n" + b"a,b\n" * (0x10000 // 4) + b"\r\n"
sent = 0
deadline = time.monotonic() + 120
while sent < 64 * limit and time.monotonic() < deadline:
    readable, writable, _ = select.select([s], [s], [], 1.0)
    if readable:
        break
    if writable:
        try:
            s.sendall(chunk)
        except OSError:
            break  # the server closed while we were sending: its answer may be there to read
        sent += 0x10000
s.settimeout(10)
try:
    status, _, body, closed = read_answer(s, 10)
except OSError:
    status, body, closed = 0, "", True
print(json.dumps({"status": status, "body": body, "sent": sent, "closed": closed}))
