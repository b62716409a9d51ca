#!/usr/bin/env python3
"""check_clusters.py — checks a clustered point tile against the source points.

    check_clusters.py --db DB --tile DIR/Z/X/Y.pbf --layer ID [--max-bytes 512000] [--where SQL]

Rebuilds the clusters from the source with the rule teselas documents (tiles/cluster.c, TileJSON
`generalization`): cells of 256 tile units (16 px of a 256-px tile) below z14, or 64 units (4 px)
when a tile holds more than 20,000 points; the grid is the tile's own, one ring of cells beyond
each edge included; a cell with several points becomes one feature at the rounded mean of its
points with `cluster: true` and `point_count`; a cell with one point is that point, with its id
and attributes; features outside the buffered tile (64 units) are not written. Asserts:
  - the uncompressed tile is at most --max-bytes;
  - cluster features carry exactly {cluster: bool true, point_count: int >= 2} and no id;
  - at z >= 14 a tile without clusters holds exactly the source points of the buffered tile;
  - the clusters (position +-1 unit, count) and the single points (ids) equal the rebuilt ones,
    so the sum of point_count plus the singles equals the number of source points in the cells
    the tile shows.
With --where (an SQL condition over the layer's columns) only the source points that satisfy it
count: the check of a filtered tile. Prints a summary line; exits 1 on any difference.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_tile import HERE, lonlat, lonlat_to_tile, sql, tile_bounds_merc  # noqa: E402

BUFFER = 64


def source_points(db, table, z, x, y, margin_units, where=None):
    b = tile_bounds_merc(z, x, y)
    m = (b[2] - b[0]) * margin_units / 4096
    lo, hi = lonlat(b[0] - m, b[1] - m), lonlat(b[2] + m, b[3] + m)
    q = (f'SELECT fid, X(geom), Y(geom) FROM "{table}" WHERE rowid IN (SELECT pkid FROM '
         f'"idx_{table}_geom" WHERE xmax >= {lo[0]!r} AND xmin <= {hi[0]!r} '
         f'AND ymax >= {lo[1]!r} AND ymin <= {hi[1]!r})' + (f' AND ({where})' if where else ''))
    out = subprocess.run(["sqlite3", "-readonly", "-separator", " ", "-cmd", ".load mod_spatialite",
                          db, q], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        fid, lon, lat = line.split()
        yield int(fid), float(lon), float(lat)


KEEP = 0.125  # GEN_CLUSTER_KEEP (tileserver/gen/gen.h)


def rebuild(points, z, x, y, cell):
    n = 4096 // cell + 2
    cells = defaultdict(lambda: [0.0, 0.0, 0, None])
    for fid, lon, lat in points:
        tx, ty = lonlat_to_tile(lon, lat, z, x, y)
        fx, fy = tx / cell + 1.0, ty / cell + 1.0
        if fx < 0 or fy < 0 or fx >= n or fy >= n:
            continue
        c = cells[(int(fy), int(fx))]
        if c[2] == 0:
            c[3] = fid
        c[0] += tx
        c[1] += ty
        c[2] += 1
    clusters, singles, shown = [], set(), 0
    inside = lambda v: -BUFFER <= v <= 4096 + BUFFER  # noqa: E731
    keep = lambda m, i: min(max(m, (i - 1 + 0.5 - KEEP) * cell), (i - 1 + 0.5 + KEEP) * cell)  # noqa: E731
    for (iy, ix), (sx, sy, count, fid) in cells.items():
        cx, cy = sx / count, sy / count
        if count > 1:  # several points: the mean kept near the cell's middle (gen_cluster_axis)
            cx, cy = keep(cx, ix), keep(cy, iy)
        rx, ry = int(math.floor(cx + 0.5)), int(math.floor(cy + 0.5))
        if not (inside(rx) and inside(ry)):
            continue
        shown += count
        if count == 1:
            singles.add(fid)
        else:
            clusters.append((cx, cy, count))
    return clusters, singles, shown


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--tile", required=True)
    ap.add_argument("--layer", required=True)
    ap.add_argument("--max-bytes", type=int, default=500 * 1024)
    ap.add_argument("--where", help="SQL condition on the source rows (a filtered tile)")
    a = ap.parse_args()
    z, x, y = map(int, re.search(r"(\d+)/(\d+)/(\d+)\.pbf$", a.tile).groups())
    dec = subprocess.run(["node", os.path.join(HERE, "decode.mjs"), a.tile], capture_output=True,
                         text=True)
    if dec.returncode != 0:
        raise SystemExit(dec.stderr)
    tile = json.loads(dec.stdout)
    fails = list(tile["problems"])
    if tile["bytes"] > a.max_bytes:
        fails.append(f"tile is {tile['bytes']} bytes uncompressed (limit {a.max_bytes})")
    layer = tile["layers"].get(a.layer)
    if layer is None:
        raise SystemExit(f"FAIL {a.tile}: no layer {a.layer}")
    fails += layer["problems"]
    table = sql(a.db, f"SELECT table_name FROM teselas_layers WHERE id = '{a.layer}'")[0]["table_name"]
    got_clusters, got_singles = [], set()
    for f in layer["features"]:
        fails += [f"feature {f['id']}: {p}" for p in f["problems"]]
        if f["props"].get("cluster") is True:
            if f["kinds"] != {"cluster": "bool", "point_count": f["kinds"].get("point_count")} or \
               f["kinds"]["point_count"] not in ("int", "uint", "sint") or f["props"]["point_count"] < 2:
                fails.append(f"cluster with properties {f['props']} ({f['kinds']})")
            if f["id"] is not None:
                fails.append(f"cluster with id {f['id']}")
            (px, py), = f["geometry"][0:1][0]
            got_clusters.append((px, py, f["props"]["point_count"]))
        else:
            got_singles.add(f["id"])
    if z >= 14 and not got_clusters:
        # not clustered (at most 20,000 points here): every point of the buffered tile, as is
        cell = 0
        want_clusters, want_singles = [], set()
        for fid, lon, lat in source_points(a.db, table, z, x, y, BUFFER, a.where):
            tx, ty = lonlat_to_tile(lon, lat, z, x, y)
            if -BUFFER <= tx <= 4096 + BUFFER and -BUFFER <= ty <= 4096 + BUFFER:
                want_singles.add(fid)
        shown = len(want_singles)
    else:
        cell = 256 if z < 14 else 64
        want_clusters, want_singles, shown = rebuild(
            source_points(a.db, table, z, x, y, cell, a.where), z, x, y, cell)
    # match clusters by count and position (+-1 unit for the rounding of a floating mean)
    pending = sorted(want_clusters, key=lambda c: (c[2], c[0], c[1]))
    by_count = defaultdict(list)
    for c in pending:
        by_count[c[2]].append(c)
    unmatched = []
    for gx, gy, gc in got_clusters:
        cands = by_count.get(gc, [])
        hit = next((c for c in cands if abs(c[0] - gx) <= 1.0 and abs(c[1] - gy) <= 1.0), None)
        if hit is None:
            unmatched.append((gx, gy, gc))
        else:
            cands.remove(hit)
    left = [c for v in by_count.values() for c in v]
    if unmatched or left:
        fails.append(f"{len(unmatched)} clusters not in the source grid (e.g. {unmatched[:3]}), "
                     f"{len(left)} source cells missing (e.g. {[tuple(round(v, 1) for v in c) for c in left[:3]]})")
    if got_singles != want_singles:
        fails.append(f"single points differ: {len(got_singles - want_singles)} extra, "
                     f"{len(want_singles - got_singles)} missing")
    total = sum(c[2] for c in got_clusters) + len(got_singles)
    if total != shown:
        fails.append(f"point_count sum + singles = {total}, source points in the shown cells = {shown}")
    print(f"  {z}/{x}/{y} {a.layer}{' (filtered)' if a.where else ''}: {len(got_clusters)} clusters + {len(got_singles)} points = "
          f"{total} source points, {tile['bytes']} bytes, cell {cell}")
    if fails:
        print(f"FAIL {a.tile}:", *fails[:20], sep="\n  ", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
