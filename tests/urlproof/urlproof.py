#!/usr/bin/env python3
"""urlproof.py — proves that two teselas builds answer the same: every request of urls.txt is
asked of BEFORE and then of AFTER, serving the same databases, and the status, the contract's
headers (HEADERS) and the body of each answer are compared byte for byte (after the masks of
normalise.py, each justified there). ETags are compared too but only reported: they may change
where cache keys change.

    urlproof.py [BEFORE [AFTER]] [--work DIR] [--keep] [--regen]

BEFORE defaults to $TESELAS_BEFORE and AFTER to $TESELAS (what ctest gives its tests).
BEFORE makes the databases (databases.py). --regen rewrites urls.txt from them (gen_urls.py)
before comparing. Exit 0 when every answer is identical, 1 on any unexplained difference or when
a server did not stop cleanly or wrote a sanitizer report (an ASan build as AFTER is checked
too), 2 on bad usage, 77 when a binary is missing (ctest's skip).
"""
import argparse
import http.client
import os
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import databases  # noqa: E402
import gen_urls  # noqa: E402
from server import Server, troubles  # noqa: E402
from normalise import REASONS, normalise  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
URLS = os.path.join(HERE, "urls.txt")
# Absolute links are written from the Host header: one fixed host keeps the server's port out of
# the bodies, so both sides can listen wherever the kernel puts them.
HOST = "teselas.test"
# The headers of the public contract, compared like the body. Date changes with every answer,
# Content-Length follows the body, and ETag is reported apart (see the module's comment).
HEADERS = ("Content-Type", "Content-Encoding", "Cache-Control", "Content-Disposition",
           "Access-Control-Allow-Origin", "Allow", "Location", "Vary", "X-Content-Type-Options")


def parse_line(line):
    parts = line.rstrip("\n").split("\t")
    headers = dict(h.split(": ", 1) for h in parts[3:])
    return parts[0], parts[1], parts[2], headers


def fetch(port, method, path, headers):
    """(status, {header: value} of HEADERS, ETag, body); a connection the server closed is asked
    again once."""
    h = {"Host": HOST}
    h.update(headers)
    for attempt in (0, 1):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request(method, path, headers=h)
            r = conn.getresponse()
            body = r.read()
            return (r.status, {k: r.getheader(k) or "" for k in HEADERS},
                    r.getheader("ETag") or "", body)
        except (http.client.HTTPException, OSError):
            if attempt:
                return 0, {}, "", b""
        finally:
            conn.close()


def run_side(teselas, dbs, lines, out_dir, ready=None):
    """Asks every line of one build; bodies to out_dir/N. Returns the answers' status and
    headers, the time taken, and what went wrong with the servers (exit status, sanitizers).
    ready, when given, is called with {name: port} once the servers listen, before any line."""
    os.makedirs(out_dir, exist_ok=True)
    logs = {name: os.path.join(out_dir, f"{name}.log") for name in dbs}
    servers = {name: Server(teselas, db, logs[name]) for name, db in dbs.items()}
    meta = []
    t0 = time.monotonic()
    try:
        if ready:
            ready({name: s.port for name, s in servers.items()})
        for i, line in enumerate(lines):
            db, method, path, headers = parse_line(line)
            status, hdrs, etag, body = fetch(servers[db].port, method, path, headers)
            with open(os.path.join(out_dir, str(i)), "wb") as f:
                f.write(body)
            meta.append((status, hdrs, etag))
    finally:
        for s in servers.values():
            s.stop()
    bad = [t for name, s in servers.items() for t in troubles(s, logs[name])]
    with open(os.path.join(out_dir, "answers.tsv"), "w") as f:
        f.write("".join(f"{i}\t{s}\t{e}\t{h}\n" for i, (s, h, e) in enumerate(meta)))
    return meta, time.monotonic() - t0, bad


def first_diff(a, b):
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def compare(lines, before, after, work):
    """(differences, ETag changes, masks used per reason)."""
    diffs, etags, masks = [], [], {}
    for i, line in enumerate(lines):
        (s1, h1, e1), (s2, h2, e2) = before[i], after[i]
        c1, c2 = h1.get("Content-Type", ""), h2.get("Content-Type", "")
        z1, z2 = h1.get("Content-Encoding", ""), h2.get("Content-Encoding", "")
        with open(os.path.join(work, "before", str(i)), "rb") as f:
            b1 = f.read()
        with open(os.path.join(work, "after", str(i)), "rb") as f:
            b2 = f.read()
        n1, used = normalise(c1, z1, b1)
        n2, _ = normalise(c2, z2, b2)
        for u in used:
            masks[u] = masks.get(u, 0) + 1
        what = []
        if s1 != s2:
            what.append(f"status {s1} -> {s2}")
        what += [f"{k} {h1.get(k)!r} -> {h2.get(k)!r}" for k in HEADERS if h1.get(k) != h2.get(k)]
        if n1 != n2:
            k = first_diff(n1, n2)
            what.append(f"body {len(b1)} -> {len(b2)} bytes, first difference at byte {k}: "
                        f"{n1[max(0, k - 20):k + 20]!r} -> {n2[max(0, k - 20):k + 20]!r}")
        if what:
            diffs.append((line.rstrip(), what))
        elif e1 != e2:
            etags.append((line.rstrip(), e1, e2))
    return diffs, etags, masks


def regen(teselas, dbs, work):
    servers = {n: Server(teselas, db, os.path.join(work, f"gen-{n}.log")) for n, db in dbs.items()}
    try:
        lines = gen_urls.generate([(n, f"http://127.0.0.1:{s.port}") for n, s in servers.items()])
    finally:
        for s in servers.values():
            s.stop()
    with open(URLS, "w") as f:
        f.write("".join(line + "\n" for line in lines))


def report(lines, meta, diffs, etags, masks, notes, times):
    statuses = {}
    for s, *_ in meta:
        statuses[s] = statuses.get(s, 0) + 1
    print(f"urlproof: {len(lines)} requests, {len(lines) - len(diffs)} identical, "
          f"{len(diffs)} different (BEFORE {times[0]:.0f} s, AFTER {times[1]:.0f} s)")
    print("  statuses (BEFORE): " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    for name, n in sorted(masks.items()):
        print(f"  masked in {n} bodies: {name} ({REASONS[name]})")
    for n in notes:
        print("  note: " + n)
    for line, e1, e2 in etags[:20]:
        print(f"  ETag changed (body identical): {line}: {e1} -> {e2}")
    if len(etags) > 20:
        print(f"  ... and {len(etags) - 20} more ETag changes")
    for line, what in diffs:
        print(f"DIFF {line}\n     " + "\n     ".join(what))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", nargs="?", default=os.environ.get("TESELAS_BEFORE", ""))
    ap.add_argument("after", nargs="?", default=os.environ.get("TESELAS", ""))
    ap.add_argument("--work", help="folder for the databases and bodies (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--regen", action="store_true", help="rewrite urls.txt from the databases")
    a = ap.parse_args()
    for b in (a.before, a.after):
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            print(f"SKIP: no teselas binary at {b!r} (set TESELAS_BEFORE to the build before)")
            return 77
    work = a.work or tempfile.mkdtemp(prefix="teselas-urlproof-")
    os.makedirs(work, exist_ok=True)
    rc = 1
    try:
        rc = prove(a, work)
        return rc
    finally:
        if a.keep or a.work or rc != 0:  # a failure keeps its bodies and logs to look at
            print(f"urlproof: work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def prove(a, work):
    dbs, notes = databases.make(a.before, work)
    if a.regen or not os.path.isfile(URLS):
        regen(a.before, dbs, work)
    with open(URLS) as f:
        lines = [ln for ln in f if ln.strip()]
    before, t1, bad1 = run_side(a.before, dbs, lines, os.path.join(work, "before"))
    after, t2, bad2 = run_side(a.after, dbs, lines, os.path.join(work, "after"))
    diffs, etags, masks = compare(lines, before, after, work)
    report(lines, before, diffs, etags, masks, notes, (t1, t2))
    for t in bad1 + bad2:
        print("SERVER " + t)
    return 1 if diffs or bad1 or bad2 else 0


if __name__ == "__main__":
    sys.exit(main())
