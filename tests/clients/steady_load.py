#!/usr/bin/env python3
"""Steady load for a reload: THREADS clients, each on its own keep-alive connection, ask for the
paths in turn until the file STOP exists; prints {"ok": n, "failed": n, "errors": [...]}. A
failed request is any answer but 200, or a connection that broke mid-request.

    steady_load.py PORT STOP THREADS PATH..."""
import http.client
import json
import os
import sys
import threading


def main():
    port, stop, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    paths = sys.argv[4:]
    counts = {"ok": 0, "failed": 0, "errors": []}
    lock = threading.Lock()

    def client():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = 0
        while not os.path.exists(stop):
            path = paths[i % len(paths)]
            i += 1
            try:
                c.request("GET", path)
                r = c.getresponse()
                r.read()
                ok, err = r.status == 200, f"{path}: {r.status}"
            except (OSError, http.client.HTTPException) as e:
                ok, err = False, f"{path}: {e!r}"
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                counts["ok" if ok else "failed"] += 1
                if not ok and len(counts["errors"]) < 10:
                    counts["errors"].append(err)

    ts = [threading.Thread(target=client) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
