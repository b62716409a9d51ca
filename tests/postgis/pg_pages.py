#!/usr/bin/env python3
"""pg_pages.py — bbox pages of a dense point layer are the same pages over SpatiaLite and over
PostgreSQL, and walking their next links returns every feature of the box once.

    pg_pages.py TESELAS PSQL_URI WORK

Writes a grid of points on a 0.0001-degree lattice (CSV, made here), imports it, copies it into
PostgreSQL with `teselas copy`, and serves it twice with the same binary. Boxes whose edges lie on
columns and rows of points (whose float32 index boxes then cross the edge), or 1e-9 degrees
beside them, are asked with several limits and offsets: status and body must be identical byte
for byte (urlproof.py's masks). Then the next links of some of them are walked on both sides: the
pages concatenate to the same sequence, each feature comes once, and the set is the box's points
as Python selects them from the CSV (closed box).

Exit 0 when all holds, 1 otherwise.
"""
import csv
import json
import os
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "urlproof"))
import urlproof  # noqa: E402
from server import Server, troubles  # noqa: E402

LAYER = "rejilla"
X0, Y0, STEP, NX, NY = -101.7, 21.1, 0.0001, 120, 110  # 13,200 points


def write_grid(path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["clave", "lon", "lat", "valor"])
        for i in range(NX):
            for j in range(NY):
                w.writerow([f"p{i}_{j}", f"{X0 + i * STEP:.4f}", f"{Y0 + j * STEP:.4f}", i * j % 97])


def grid_x(i):
    return float(f"{X0 + i * STEP:.4f}")


def grid_y(j):
    return float(f"{Y0 + j * STEP:.4f}")


def boxes():
    """Boxes over the grid: edges on its lines, just inside or outside them, and one across all."""
    out = []
    for (i0, j0, i1, j1) in ((10, 10, 60, 70), (3, 50, 117, 52), (40, 0, 41, 109), (0, 0, 119, 109),
                             (20, 30, 100, 90)):
        for d in (0.0, 1e-9, -1e-9):
            out.append((grid_x(i0) + d, grid_y(j0) + d, grid_x(i1) - d, grid_y(j1) - d))
    return out


def box_text(b):
    return ",".join(repr(v) for v in b)


def source_keys(csv_path, b):
    """The CSV's points inside the closed box, by Python alone."""
    w, s, e, n = b
    with open(csv_path, newline="") as f:
        return {r["clave"] for r in csv.DictReader(f)
                if w <= float(r["lon"]) <= e and s <= float(r["lat"]) <= n}


def get(port, path):
    status, hdrs, _, body = urlproof.fetch(port, "GET", path, {})
    return status, hdrs.get("Content-Type", ""), hdrs.get("Content-Encoding", ""), body


def same_page(ports, path, problems):
    """Asks path of both sides; a difference goes to problems. Returns the parsed page."""
    a, b = (get(p, path) for p in ports)
    na, _ = urlproof.normalise(a[1], a[2], a[3])
    nb, _ = urlproof.normalise(b[1], b[2], b[3])
    if a[0] != b[0] or na != nb:
        k = urlproof.first_diff(na, nb)
        problems.append(f"{path}: status {a[0]}/{b[0]}, bodies differ at byte {k}: "
                        f"{na[max(0, k - 40):k + 40]!r} / {nb[max(0, k - 40):k + 40]!r}")
    return json.loads(a[3]) if a[0] == 200 else None


def walk(ports, path, problems):
    """The features' keys along the next links, the two sides compared page by page."""
    keys, pages = [], 0
    while path and pages < 2000:
        d = same_page(ports, path, problems)
        if d is None:
            problems.append(f"{path}: not a page")
            return keys
        pages += 1
        keys += [f["properties"]["clave"] for f in d["features"]]
        nxt = [ln["href"] for ln in d["links"] if ln["rel"] == "next"]
        u = urllib.parse.urlsplit(nxt[0]) if nxt else None
        path = f"{u.path}?{u.query}" if u else None
    return keys


def main():
    teselas, uri, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    src = os.path.join(work, "rejilla.csv")
    db = os.path.join(work, "rejilla.db")
    write_grid(src)
    subprocess.run([teselas, "import", src, "--db", db, "--layer", LAYER, "--lat", "lat", "--lon",
                    "lon", "--privacy", "none", "--quiet"], check=True, stdout=subprocess.DEVNULL)
    r = subprocess.run([teselas, "copy", "--from", db, "--to", uri, "--db-schema", "paginas"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"teselas copy failed: {r.stderr.strip()}")
    pg = f"{uri}{'&' if '?' in uri else '?'}options=-csearch_path%3Dpaginas%2Cpublic"
    logs = [os.path.join(work, "spatialite.log"), os.path.join(work, "postgresql.log")]
    servers = [Server(teselas, db, logs[0])]
    servers.append(Server(teselas, pg, logs[1]))
    problems, n_pages = [], 0
    try:
        ports = [s.port for s in servers]
        base = f"/collections/{LAYER}/items"
        for b in boxes():
            for limit, offset in ((1, 0), (7, 0), (7, 21), (100, 0), (100, 300), (1000, 0)):
                same_page(ports, f"{base}?bbox={box_text(b)}&limit={limit}&offset={offset}",
                          problems)
                n_pages += 1
        for b in boxes()[::2]:
            want = source_keys(src, b)
            for limit in (97, 1000):
                got = walk(ports, f"{base}?bbox={box_text(b)}&limit={limit}", problems)
                n_pages += 1
                if len(got) != len(set(got)):
                    problems.append(f"walking {box_text(b)} by {limit}: "
                                    f"{len(got) - len(set(got))} features twice")
                if set(got) != want:
                    problems.append(f"walking {box_text(b)} by {limit}: {len(set(got))} features, "
                                    f"the CSV has {len(want)} in the box")
    finally:
        for s in servers:
            s.stop()
    problems += [t for s, log in zip(servers, logs) for t in troubles(s, log)]
    for p in problems[:20]:
        print("DIFFERS " + p)
    print(f"pg_pages: {n_pages} pages and walks, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
