#!/usr/bin/env python3
"""The re-imported layer of the soak: its uploads, and the check that no answer mixes versions.

    versions.py snapshot BASE PATHS OUT.json      the answers to PATHS now (one path a line)
    versions.py upload BASE LAYER TOKEN FILE LABEL LOG
        FILE as a new version of LAYER through POST /api/layers/LAYER/versions, waiting for its
        job to end; LOG gets "VERSION LABEL"
    versions.py reimport BASE LAYER TOKEN A B SECONDS STOP LOG
        uploads A, B, A, ... every SECONDS (the first after half of it) until the file STOP
        exists, each as upload does
    versions.py watch BASE SNAP_A SNAP_B STOP LOG
        asks the paths of the snapshots in turn on one keep-alive connection until STOP exists;
        LOG gets, per answer, "LAYER_VERSION LABEL STATUS PATH_INDEX": the label names the
        snapshots whose bytes the answer equals (A, B, AB), "none" when neither (a mix of versions)
    versions.py verdict SNAP_A SNAP_B REIMPORT_LOG WATCH_LOG FIRST_VERSION
        every watched answer equals A's or B's, and the one the version its ETag names was
        published with (FIRST_VERSION, imported before the soak, is A); at least half the paths
        must answer A and B differently, or the check would prove little

An answer's bytes are compared whole, but for the time an items page states ("timeStamp")."""
import hashlib
import http.client
import json
import os
import re
import sys
import time
import urllib.parse

STAMP = re.compile(rb'"timeStamp":"[^"]*"')


def digest(body):
    return hashlib.sha256(STAMP.sub(b"", body)).hexdigest()


def connect(base):
    u = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=120)


def ask(conn, path, headers=None):
    conn.request("GET", path, headers=headers or {})
    r = conn.getresponse()
    return r.status, r.getheader("ETag") or "", r.read()


def layer_version(path, etag, layer):
    """The layer's version a tile's ETag names ("t3-…", or "t1.3-…" for /tiles/a,b/…), or 0."""
    m = re.match(r'"t([0-9.]+)-', etag)
    names = re.match(r"/tiles/([^/]+)/", path)
    if not m or not names:
        return 0
    ids, vs = names.group(1).split(","), m.group(1).split(".")
    return int(vs[ids.index(layer)]) if layer in ids and len(ids) == len(vs) else 0


def snapshot(base, paths_file, out):
    conn = connect(base)
    paths = [p for p in open(paths_file).read().split("\n") if p]
    answers = []
    for p in paths:
        status, _, body = ask(conn, p)
        answers.append({"path": p, "status": status, "sha256": digest(body)})
    json.dump(answers, open(out, "w"), indent=1)


def upload(base, layer, token, path, label, log):
    """Uploads PATH as a new version of LAYER and waits for its job; logs "VERSION LABEL"."""
    auth = {"Authorization": f"Bearer {token}"}
    conn = connect(base)
    name = urllib.parse.quote(os.path.basename(path))
    with open(path, "rb") as f:
        conn.request("POST", f"/api/layers/{layer}/versions?filename={name}&privacy=none",
                     body=f.read(), headers=auth)
    r = conn.getresponse()
    loc, answer = r.getheader("Location"), r.read()
    if r.status != 202 or not loc:
        sys.exit(f"versions: the upload of {path} answered {r.status}: {answer[:300]!r}")
    job = {}
    for _ in range(1200):
        job = json.loads(ask(conn, loc, auth)[2])
        if job.get("state") in ("done", "failed"):
            break
        time.sleep(0.5)
    conn.close()
    if job.get("result") != "published":
        sys.exit(f"versions: the import of {path} did not publish: {json.dumps(job)[:500]}")
    with open(log, "a") as f:
        f.write(f"{job['version']} {label}\n")
    print(f"versions: version {job['version']} ({label}) published", flush=True)


def reimport(base, layer, token, a, b, seconds, stop, log):
    """B is the published version when this starts: A goes first, the first half a period in."""
    files, k = [("A", a), ("B", b)], 0
    next_at = time.monotonic() + seconds / 2
    while not os.path.exists(stop):
        if time.monotonic() < next_at:
            time.sleep(0.5)
            continue
        next_at += seconds
        label, path = files[k % 2]
        k += 1
        upload(base, layer, token, path, label, log)


def watch(base, snap_a, snap_b, stop, log):
    a, b = json.load(open(snap_a)), json.load(open(snap_b))
    layer = os.environ.get("SOAK_LAYER", "cuadrantes")
    conn, i = connect(base), 0
    with open(log, "w") as out:
        while not os.path.exists(stop):
            k = i % len(a)
            i += 1
            path = a[k]["path"]
            try:
                status, etag, body = ask(conn, path)
            except (OSError, http.client.HTTPException) as e:
                out.write(f"0 error {type(e).__name__} {k}\n")
                conn = connect(base)
                continue
            got = (digest(body), status)
            label = "".join(n for n, s in (("A", a[k]), ("B", b[k]))
                            if got == (s["sha256"], s["status"]))
            out.write(f"{layer_version(path, etag, layer)} {label or 'none'} {status} {k}\n")
            time.sleep(0.02)  # about 50 a second: a client among others, not the load itself


def verdict(snap_a, snap_b, reimport_log, watch_log, first_version):
    a, b = json.load(open(snap_a)), json.load(open(snap_b))
    n_differ = sum(x != y for x, y in zip(a, b))
    published = {int(first_version): "A"}
    for line in open(reimport_log):
        v, label = line.split()
        published[int(v)] = label
    n = bad = 0
    for line in open(watch_log):
        v, label, status, k = line.split()
        n += 1
        v = int(v)
        why = "a connection error" if label == "error" else \
            f"status {status}" if status not in ("200", "204") else \
            "bytes of neither version" if label == "none" else \
            f"version {v} was published with {published.get(v)}" \
            if v and published.get(v, "?") not in label else ""
        if why:
            bad += 1
            if bad <= 10:
                print(f"versions: {a[int(k)]['path']} (layer version {v}): {why}")
    print(f"versions: {n} answers of the re-imported layer checked ({n_differ} of {len(a)} paths "
          f"answer A and B differently), {bad} wrong; "
          f"{len(published)} versions ({' '.join(f'{v}={l}' for v, l in sorted(published.items()))})")
    return 1 if bad or n == 0 or n_differ < len(a) // 2 else 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "snapshot":
        snapshot(*args)
    elif cmd == "upload":
        upload(*args)
    elif cmd == "reimport":
        reimport(args[0], args[1], args[2], args[3], args[4], float(args[5]), args[6], args[7])
    elif cmd == "watch":
        watch(*args)
    elif cmd == "verdict":
        sys.exit(verdict(*args))
    else:
        sys.exit(__doc__)
