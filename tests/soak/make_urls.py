#!/usr/bin/env python3
"""The soak's URL lists, made from what the database holds (read through the running server).

    make_urls.py BASE OUTDIR

Every layer's features are read once (/collections/{id}/items); the tiles that hold their
vertices at z8-z17 are the tile addresses. Writes one file per request kind, one path a line:
  cached.txt    the busiest tiles (z10-z14) of each layer and of two layers in one tile: asked again and again
  uncached.txt  every other tile address found, shuffled: a thread walks it once
  png.txt       raster tiles of the automatic styles (z10-z15)
  items.txt     /items with filters: bbox, PROP=VALUE, datetime, CQL2 text
  pages.txt     catalogue pages, collections, TileJSON, styles, map pages
Every path of cached, png, items and pages is asked once here and must answer 200 or 204, so a
wrong list fails before the soak starts, not during it; the last 4,000 uncached tiles too, to
fill the tile cache."""
import http.client
import json
import math
import random
import sys
import urllib.parse
import urllib.error
import urllib.request

ZOOMS = range(8, 18)
PREFILL = 4000  # tiles of the uncached list asked before the soak (prefill)


def get(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        sys.exit(f"make_urls: {path} answered {e.code}: {e.read()[:300]!r}")


def tile_of(lon, lat, z):
    n = 2 ** z
    lat = max(min(lat, 85.0511), -85.0511)
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_box(z, x, y):
    n = 2 ** z
    lon = lambda v: v / n * 360.0 - 180.0
    lat = lambda v: math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * v / n))))
    return lon(x), lat(y + 1), lon(x + 1), lat(y)


def vertices(geom):
    """Every position of a GeoJSON geometry, as (lon, lat)."""
    def walk(c):
        if c and isinstance(c[0], (int, float)):
            yield c[0], c[1]
        else:
            for part in c or []:
                yield from walk(part)
    yield from walk(geom["coordinates"] if geom else [])


def read_layer(base, lid):
    feats, offset = [], 0
    while True:
        _, body = get(base, f"/collections/{lid}/items?limit=5000&offset={offset}")
        page = json.loads(body)["features"]
        feats += page
        if len(page) < 5000:
            return feats
        offset += 5000


def main():
    base, out = sys.argv[1], sys.argv[2]
    rnd = random.Random(21)
    layers = [c["id"] for c in json.loads(get(base, "/collections")[1])["collections"]]
    tiles = {}    # (layer, z, x, y) -> vertices in it
    samples = {}  # layer -> features
    for lid in layers:
        samples[lid] = read_layer(base, lid)
        for f in samples[lid]:
            pts = list(vertices(f["geometry"]))
            for lon, lat in pts[:: max(1, len(pts) // 20)]:
                for z in ZOOMS:
                    k = (lid, z) + tile_of(lon, lat, z)
                    tiles[k] = tiles.get(k, 0) + 1
    busy = sorted((k for k in tiles if 10 <= k[1] <= 14), key=lambda k: -tiles[k])
    # the busiest tiles of each layer, and of two layers in one tile
    chosen = [k for lid in layers for k in [b for b in busy if b[0] == lid][:6]]
    combo = ",".join(sorted(layers)[:2])
    chosen += [b for b in busy if b[0] == sorted(layers)[1] and b not in chosen][:10]
    cached = [f"/tiles/{l}/{z}/{x}/{y}.pbf" for l, z, x, y in chosen[:-10]]
    cached += [f"/tiles/{combo}/{z}/{x}/{y}.pbf" for _, z, x, y in chosen[-10:]]
    rest = [k for k in tiles if k not in chosen]
    rnd.shuffle(rest)
    uncached = [f"/tiles/{l}/{z}/{x}/{y}.pbf" for l, z, x, y in rest]
    png_keys = [k for k in rest if 10 <= k[1] <= 15]
    rnd.shuffle(png_keys)
    png = [f"/styles/{l}/{z}/{x}/{y}.png" for l, z, x, y in png_keys[:300]]
    png += [f"/styles/todas/{z}/{x}/{y}.png" for _, z, x, y in png_keys[300:400]]

    items = []
    for lid in layers:
        q = lambda s: urllib.parse.quote(str(s), safe="")
        for _, z, x, y in [k for k in busy if k[0] == lid][:10]:
            w, s, e, n = tile_box(z, x, y)
            items.append(f"/collections/{lid}/items?bbox={w:.6f},{s:.6f},{e:.6f},{n:.6f}&limit=100")
        props = [p for p in json.loads(get(base, f"/collections/{lid}/queryables")[1])["properties"]
                 if p != "geometry"]
        for f in samples[lid][:: max(1, len(samples[lid]) // 10)]:
            for p in props[:3]:
                v = f["properties"].get(p)
                if isinstance(v, str) and v:
                    items.append(f"/collections/{lid}/items?{q(p)}={q(v)}&limit=50")
                elif isinstance(v, int):
                    items.append(f"/collections/{lid}/items?filter={q(f'{p} >= {v}')}&limit=50")
        if "date" in props:
            items.append(f"/collections/{lid}/items?datetime=2013-01-01/2013-01-10&limit=100")
            items.append(f"/collections/{lid}/items?datetime=2013-01-05&f=csv")
    pages = ["/", "/?f=json", "/collections", "/conformance", "/styles", "/health"]
    for lid in layers:
        pages += [f"/collections/{lid}", f"/collections/{lid}/queryables", f"/tiles/{lid}.json",
                  f"/styles/{lid}/style.json", f"/maps/{lid}", f"/embed/{lid}?layers={lid}"]
    pages += ["/maps/todas", f"/tiles/{combo}.json"]

    for name, paths in (("cached", cached), ("png", png), ("items", items), ("pages", pages)):
        for p in paths:
            status, _ = get(base, p)
            if status not in (200, 204):
                sys.exit(f"make_urls: {p} answered {status}")
    for name, paths in (("cached", cached), ("uncached", uncached), ("png", png),
                        ("items", items), ("pages", pages)):
        with open(f"{out}/{name}.txt", "w") as f:
            f.write("".join(p + "\n" for p in paths))
        print(f"{name}: {len(paths)} paths")
    prefill(base, uncached[-PREFILL:])


def prefill(base, paths):
    """Asks paths once: the soak's small tile cache is full and evicting before the warm-up ends,
    so the RSS measured after it is not a cache still filling."""
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    for p in paths:
        conn.request("GET", p)
        r = conn.getresponse()
        r.read()
        if r.status not in (200, 204):
            sys.exit(f"make_urls: {p} answered {r.status}")
    print(f"tile cache filled with {len(paths)} uncached tiles")


if __name__ == "__main__":
    main()
