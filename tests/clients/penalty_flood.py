#!/usr/bin/env python3
"""penalty_flood.py — one address floods a running teselas (a new connection per request, as a
flood does, asked one after the other so that the order of the answers is the server's), and
prints one JSON object of what it saw: the answers in order, collapsed into runs
("200 x5, 429 x140, closed x20"), the first 429's status line, headers and body, and the
outcome of the checks the caller asks for. It asserts nothing itself.

    penalty_flood.py PORT SRC PATH [--until-closed N] [--max-secs S] [--xff ADDR] [--keepalive]
                     [--other SRC2] [--back-within S]

  --until-closed N  stop once N connections in a row were closed unanswered (refused at accept);
                    0: flood for --max-secs
  --max-secs S      stop after S seconds whatever happened (generous: a loaded machine)
  --xff ADDR        send X-Forwarded-For: ADDR (through a trusted proxy SRC)
  --keepalive       open a kept-alive connection from SRC before the flood (one request answered
                    on it), and ask on it again once the flood is refused: its answer and whether
                    the server closed it afterwards
  --other SRC2      once refused, ask PATH from SRC2 (another address): its status
  --back-within S   once refused, ask from SRC every 0.25 s for up to S s until answered 200: the
                    seconds it took (null when never)"""
import argparse
import json
import socket
import time

from raw_cases import exchange


def request(path, xff, close=True):
    extra = f"X-Forwarded-For: {xff}\r\n" if xff else ""
    conn = "Connection: close\r\n" if close else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{conn}{extra}\r\n".encode()


def read_answer(sock, wait_close):
    """One answer on a kept-alive socket: (status, headers, body, closed after it), closed read
    as the end of the stream within wait_close seconds (0: not looked at)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return 0, {}, "", True
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    n = int(headers.get("content-length", "0"))
    while len(body) < n:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    closed = False
    if not wait_close:
        return int(lines[0].split(" ")[1]), headers, body.decode("utf-8", "replace"), closed
    try:
        sock.settimeout(wait_close)
        closed = sock.recv(1) == b""
    except socket.timeout:
        pass
    except OSError:
        closed = True
    return int(lines[0].split(" ")[1]), headers, body.decode("utf-8", "replace"), closed


def runs(seq):
    out = []
    for s in seq:
        if out and out[-1][0] == s:
            out[-1][1] += 1
        else:
            out.append([s, 1])
    return ", ".join(f"{s} x{n}" for s, n in out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("src")
    ap.add_argument("path")
    ap.add_argument("--until-closed", type=int, default=20)
    ap.add_argument("--max-secs", type=float, default=60)
    ap.add_argument("--xff")
    ap.add_argument("--keepalive", action="store_true")
    ap.add_argument("--other")
    ap.add_argument("--back-within", type=float)
    a = ap.parse_args()
    out = {}
    kept = None
    if a.keepalive:
        kept = socket.create_connection(("127.0.0.1", a.port), timeout=20,
                                        source_address=(a.src, 0))
        kept.sendall(request(a.path, a.xff, close=False))
        status, _, _, _ = read_answer(kept, 0)
        out["keepalive_first"] = {"status": status}
    seen, in_a_row, limited, first_429 = [], 0, 0, None
    t0 = time.monotonic()
    while time.monotonic() - t0 < a.max_secs:
        status, headers, body = exchange(request(a.path, a.xff), a.port, a.src)
        seen.append(str(status) if status else "closed")
        in_a_row = in_a_row + 1 if not status else 0
        limited += status == 429
        if status == 429 and first_429 is None:
            first_429 = {"headers": headers, "body": body}
        if a.until_closed and in_a_row >= a.until_closed:
            break
    out["secs"] = round(time.monotonic() - t0, 2)
    out["answers"] = runs(seen)
    out["closed"] = seen.count("closed")
    out["limited"] = limited
    out["ok"] = seen.count("200")
    out["first_closed_at"] = seen.index("closed") if "closed" in seen else None
    out["first_429_at"] = seen.index("429") if "429" in seen else None
    out["first_429"] = first_429
    if kept is not None:
        try:
            kept.sendall(request(a.path, a.xff, close=False))
            status, headers, body, closed = read_answer(kept, 10)
        except OSError:
            status, headers, body, closed = 0, {}, "", True
        out["keepalive_after"] = {"status": status, "headers": headers, "body": body,
                                  "closed": closed}
        kept.close()
    if a.other:
        status, _, _ = exchange(request(a.path, None), a.port, a.other)
        out["other_status"] = status
    if a.back_within is not None:
        t1, out["back_after_secs"] = time.monotonic(), None
        while time.monotonic() - t1 < a.back_within:
            status, _, _ = exchange(request(a.path, a.xff), a.port, a.src)
            if status == 200:
                out["back_after_secs"] = round(time.monotonic() - t1, 2)
                break
            time.sleep(0.25)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
