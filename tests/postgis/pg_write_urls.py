#!/usr/bin/env python3
"""pg_write_urls.py — the same requests of a SpatiaLite file and of a PostgreSQL schema, written
by the same commands (tests/http/test_pg_write.sh): status, contract headers and bodies byte for
byte, with the URL proof's masks (tests/urlproof/normalise.py).

    pg_write_urls.py TESELAS FILE URI WORK [--png] LAYER...

Requests per layer: the collection, items pages, CSV, downloads, TileJSON, quality report and
vector tiles at six zooms around the centre of the layer's box; with --png also the PNG tiles
of the layer's automatic style at three of them and a static image. FILE and URI may each be
a file or a PostgreSQL URI. Exit 1 on any difference."""
import json
import math
import os
import re
import sys
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "urlproof"))
import urlproof  # noqa: E402
from server import Server  # noqa: E402


def layer_lines(teselas, db, layers, work, png=False):
    s = Server(teselas, db, os.path.join(work, "probe.log"))
    out = []
    try:
        for lid in layers:
            with urllib.request.urlopen(f"http://127.0.0.1:{s.port}/collections/{lid}?f=json") as r:
                b = json.load(r)["extent"]["spatial"]["bbox"][0]
            lon, lat = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
            for z in (4, 8, 10, 12, 14, 16):
                n = 2 ** z
                x = int((lon + 180) / 360 * n)
                y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
                for dx, dy in ((0, 0), (1, 0), (0, 1), (-1, -1)):
                    out.append(f"w\tGET\t/tiles/{lid}/{z}/{x + dx}/{y + dy}.pbf")
                if png and z in (8, 12, 16):
                    out.append(f"w\tGET\t/styles/{lid}/{z}/{x}/{y}.png")
            if png:
                out.append(f"w\tGET\t/styles/{lid}/static/{lon:.4f},{lat:.4f},11/300x200.png")
            base = f"/collections/{lid}"
            for p in ("/items?limit=40", "/items?limit=10&offset=15", "/items?f=csv", "/items/1",
                      "/queryables", "/quality?f=json", "/download.geojson", "/download.csv"):
                out.append(f"w\tGET\t{base}{p}")
            out.append(f"w\tGET\t/tiles/{lid}.json")
    finally:
        s.stop()
    return [line + "\n" for line in out]


def same_report(lines, line, work):
    """A quality report differs only in the import's own duration (elapsed_s)."""
    if "/quality" not in line:
        return False
    i = [ln.rstrip() for ln in lines].index(line)
    bodies = []
    for side in ("before", "after"):
        with open(os.path.join(work, side, str(i)), "rb") as f:
            bodies.append(re.sub(rb'"elapsed_s": [0-9.e-]+', b"", f.read()))
    return bodies[0] == bodies[1]


def main():
    teselas, path, uri, work = sys.argv[1:5]
    layers = sys.argv[5:]
    png = "--png" in layers
    layers = [lid for lid in layers if lid != "--png"]
    os.makedirs(work, exist_ok=True)
    lines = layer_lines(teselas, path, layers, work, png)
    before, t1, bad1 = urlproof.run_side(teselas, {"w": path}, lines, os.path.join(work, "before"))
    after, t2, bad2 = urlproof.run_side(teselas, {"w": uri}, lines, os.path.join(work, "after"))
    diffs, _, _ = urlproof.compare(lines, before, after, work)
    diffs = [d for d in diffs if not same_report(lines, d[0], work)]
    for line, what in diffs[:20]:
        print(f"DIFF {line}: {'; '.join(what)}")
    for t in bad1 + bad2:
        print("SERVER " + t)
    print(f"{len(lines) - len(diffs)} of {len(lines)} requests identical (SpatiaLite {t1:.1f} s,"
          f" PostgreSQL {t2:.1f} s)")
    return 1 if diffs or bad1 or bad2 else 0


if __name__ == "__main__":
    sys.exit(main())
