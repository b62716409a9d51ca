#!/usr/bin/env python3
"""check_aggregate.py — an aggregate layer's cells at every zoom its TileJSON advertises.

    check_aggregate.py --base URL --layer ID --csv SOURCE.csv --grid METRES --k K
                       [--lat COL --lon COL] [--to-zoom Z] [--save DIR]

A cell of an aggregate layer (privacy mode aggregate) is a published figure, so no zoom the
layer's TileJSON advertises may leave one out: the small-feature rule (gen/rules.c) once dropped
every 500 m cell below z9, and the tiles of z6-z8 over Mexico City were empty (204).

Ground truth from the source CSV alone: points projected to UTM 14N with gdaltransform, binned on
the grid of privacy/grid.h (cell "14:i:j" holds easting [iN, (i+1)N), northing [jN, (j+1)N)); a
cell's lon/lat box is that of its four corners projected back. Checks:
  * TileJSON: the layer's minzoom, and no "subpixel_features_dropped_zooms" for it;
  * vector tiles, every tile over the layer's bounds from its minzoom to --to-zoom, decoded by
    npm @mapbox/vector-tile (decode.mjs, which also checks MVT 2.1): at each zoom the cells of
    all its tiles are exactly the cells /items publishes, each once per tile, each `casos` the
    CSV's count of its cell (>= k), so the zoom's sum of counts is the CSV's sum over them;
  * PNG: the 256-px tiles of the style zooms minzoom to 8 (tile z + 1) that hold the most cells,
    and the catalog page's thumbnail of the layer: at least 90 % of the cells they show have a
    pixel other than the background within a pixel of their box, and nothing is drawn more than
    two pixels away from every cell.
--save DIR keeps every vector tile as DIR/Z/X/Y.pbf (the HTTP test compares the backends' bytes).
Exits 1 listing what failed; prints the figures it checked.
"""
import argparse
import collections
import csv
import html
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "privacy"))
import png_points  # noqa: E402  (the standard-library PNG decoder of the privacy tests)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def transform(points, inverse=False):
    srs = ["EPSG:4326", "EPSG:32614"]
    if inverse:
        srs.reverse()
    out = subprocess.run(["gdaltransform", "-s_srs", srs[0], "-t_srs", srs[1], "-output_xy"],
                         input="".join("%r %r\n" % p for p in points), capture_output=True,
                         text=True, check=True).stdout
    return [tuple(map(float, line.split())) for line in out.splitlines()]


def truth(a):
    """The CSV's count of every cell, and the lon/lat box of each."""
    pts = []
    for r in csv.DictReader(open(a.csv, encoding="utf-8")):
        try:
            lon, lat = float(r[a.lon]), float(r[a.lat])
        except ValueError:  # "NA": refused at import
            continue
        if math.isfinite(lon) and math.isfinite(lat):
            pts.append((lon, lat))
    count, ij = collections.Counter(), {}
    for e, n in transform(pts):
        i, j = math.floor(e / a.grid), math.floor(n / a.grid)
        count["14:%d:%d" % (i, j)] += 1
        ij["14:%d:%d" % (i, j)] = (i, j)
    cells = sorted(ij)
    corners = transform([((ij[c][0] + di) * a.grid, (ij[c][1] + dj) * a.grid)
                         for c in cells for di in (0, 1) for dj in (0, 1)], inverse=True)
    box = {}
    for n, c in enumerate(cells):
        xy = corners[4 * n:4 * n + 4]
        box[c] = (min(p[0] for p in xy), min(p[1] for p in xy), max(p[0] for p in xy),
                  max(p[1] for p in xy))
    return len(pts), count, box


def tiles_over(b, z):
    def col(lon):
        return min(2 ** z - 1, max(0, math.floor((lon + 180) / 360 * 2 ** z)))

    def row(lat):
        y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2
        return min(2 ** z - 1, max(0, math.floor(y * 2 ** z)))
    return [(x, y) for x in range(col(b[0]), col(b[2]) + 1)
            for y in range(row(b[3]), row(b[1]) + 1)]


class Check:
    def __init__(self, a):
        self.a, self.bad, self.figures = a, [], []
        self.tmp = tempfile.mkdtemp(prefix="check-aggregate-")

    def fail(self, msg):
        if len(self.bad) < 30:
            self.bad.append(msg)

    def published(self):
        st, body = get("%s/collections/%s/items?limit=10000" % (self.a.base, self.a.layer))
        if st != 200:
            raise SystemExit("items: HTTP %d" % st)
        doc = json.loads(body)
        return {f["properties"]["celda"]: f["properties"]["casos"] for f in doc["features"]}

    def vector(self, tj, pub, count):
        layer = tj["vector_layers"][0]
        if "subpixel_features_dropped_zooms" in layer.get("generalization", {}):
            self.fail("TileJSON says the cells are dropped as smaller than a pixel: %s" % layer)
        for z in range(tj["minzoom"], self.a.to_zoom + 1):
            seen, n_tiles = {}, 0
            for x, y in tiles_over(tj["bounds"], z):
                st, body = get("%s/tiles/%s/%d/%d/%d.pbf" % (self.a.base, self.a.layer, z, x, y))
                if st == 204:
                    continue
                if st != 200:
                    self.fail("tile %d/%d/%d: HTTP %d" % (z, x, y, st))
                    continue
                n_tiles += 1
                path = (os.path.join(self.a.save, str(z), str(x), "%d.pbf" % y) if self.a.save
                        else os.path.join(self.tmp, "tile.pbf"))
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(body)
                d = json.loads(subprocess.run(["node", os.path.join(HERE, "decode.mjs"), path],
                                              capture_output=True, text=True, check=True).stdout)
                ml = d["layers"].get(self.a.layer)
                problems = d["problems"] + (ml["problems"] if ml else []) + [
                    p for f in (ml["features"] if ml else []) for p in f["problems"]]
                if problems:
                    self.fail("tile %d/%d/%d: %s" % (z, x, y, problems[:3]))
                here = collections.Counter()
                for f in ml["features"] if ml else []:
                    c, n = f["props"].get("celda"), f["props"].get("casos")
                    here[c] += 1
                    if n != count.get(c) or n < self.a.k:
                        self.fail("tile %d/%d/%d: cell %s says %r, the CSV %r"
                                  % (z, x, y, c, n, count.get(c)))
                    seen[c] = n
                if here and max(here.values()) > 1:
                    self.fail("tile %d/%d/%d: a cell twice" % (z, x, y))
            missing, extra = set(pub) - set(seen), set(seen) - set(pub)
            if missing or extra:
                self.fail("z%d: %d published cells missing from its %d tiles (%s), %d not published"
                          % (z, len(missing), n_tiles, sorted(missing)[:3], len(extra)))
            total = sum(count[c] for c in seen if c in count)
            self.figures.append("z%d: %d cells, %d cases in %d tiles"
                                % (z, len(seen), total, n_tiles))

    def image(self, what, body, world, ox, oy, pub, box):
        """Cells drawn in a PNG whose top-left pixel is (ox, oy) of a world `world` px wide."""
        w, h, px = png_points.decode(body)
        cells, touching = [], []  # cells wholly in the image; cells meeting it
        for c in pub:
            x0, y1 = png_points.world_px(box[c][0], box[c][1], world)
            x1, y0 = png_points.world_px(box[c][2], box[c][3], world)
            r = (x0 - ox, y0 - oy, x1 - ox, y1 - oy)
            if r[0] >= 0 and r[1] >= 0 and r[2] <= w and r[3] <= h:
                cells.append(r)
            if r[0] < w + 2 and r[1] < h + 2 and r[2] > -2 and r[3] > -2:
                touching.append(r)
        near = [[False] * w for _ in range(h)]
        for r in touching:
            for y in range(max(0, math.floor(r[1] - 2)), min(h, math.ceil(r[3] + 2))):
                for x in range(max(0, math.floor(r[0] - 2)), min(w, math.ceil(r[2] + 2))):
                    near[y][x] = True
        far = collections.Counter(px[y][x][:3] for y in range(h) for x in range(w)
                                  if not near[y][x])
        if not cells or not far:
            self.fail("%s: %d cells in view, %d pixels away from them"
                      % (what, len(cells), len(far)))
            return 0
        bg = far.most_common(1)[0][0]
        ink = lambda p: sum(abs(p[i] - bg[i]) for i in range(3)) > 24  # noqa: E731
        stray = sum(n for p, n in far.items() if ink(p))
        if stray:
            self.fail("%s: %d pixels drawn more than 2 px away from every cell" % (what, stray))
        shown = 0
        for r in cells:
            ys = range(max(0, math.floor(r[1] - 1)), min(h, math.ceil(r[3] + 1)))
            xs = range(max(0, math.floor(r[0] - 1)), min(w, math.ceil(r[2] + 1)))
            shown += any(ink(px[y][x]) for y in ys for x in xs)
        if shown < 0.9 * len(cells):
            self.fail("%s: %d of the %d cells in view drawn" % (what, shown, len(cells)))
        self.figures.append("%s: %d of %d cells drawn" % (what, shown, len(cells)))
        return shown

    def images(self, tj, pub, box):
        for sz in range(tj["minzoom"], 9):  # style zoom sz: 256-px tiles of zoom sz + 1
            z = sz + 1
            n = collections.Counter()
            for c in pub:
                b = box[c]
                x, y = png_points.world_px((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, 2 ** z)
                n[(int(x), int(y))] += 1
            (x, y), _ = n.most_common(1)[0]
            path = "/styles/%s/%d/%d/%d.png" % (self.a.layer, z, x, y)
            st, body = get(self.a.base + path)
            if st != 200:
                self.fail("%s: HTTP %d" % (path, st))
                continue
            self.image(path, body, 256 * 2 ** z, 256 * x, 256 * y, pub, box)
        st, page = get(self.a.base + "/")
        src = re.search(r'<img class="thumb"[^>]*src="(/styles/[^"]*/static/[^"]*)"'
                        r'[^>]*alt="[^"]*: %s"' % re.escape(self.a.title), page.decode())
        if st != 200 or not src:
            self.fail("the catalog page has no thumbnail of %s" % self.a.layer)
            return
        path = html.unescape(src.group(1))
        m = re.search(r"/static/([-\d.]+),([-\d.]+),([\d.]+)/(\d+)x(\d+)\.png", path)
        lon, lat, zoom, w, h = float(m[1]), float(m[2]), float(m[3]), int(m[4]), int(m[5])
        st, body = get(self.a.base + path)
        if st != 200:
            self.fail("%s: HTTP %d" % (path, st))
            return
        world = 512 * 2 ** zoom  # the static image's zooms are MapLibre's
        cx, cy = png_points.world_px(lon, lat, world)
        self.image(path, body, world, cx - w / 2, cy - h / 2, pub, box)


def main():
    p = argparse.ArgumentParser()
    for name in ("--base", "--layer", "--csv"):
        p.add_argument(name, required=True)
    p.add_argument("--title", help="the layer's title (default: its id)")
    p.add_argument("--grid", type=float, required=True)
    p.add_argument("--k", type=int, required=True)
    p.add_argument("--lat", default="lat")
    p.add_argument("--lon", default="long")
    p.add_argument("--to-zoom", type=int, default=10)
    p.add_argument("--save")
    a = p.parse_args()
    a.title = a.title or a.layer
    c = Check(a)
    st, body = get("%s/tiles/%s.json" % (a.base, a.layer))
    if st != 200:
        raise SystemExit("TileJSON: HTTP %d" % st)
    tj = json.loads(body)
    located, count, box = truth(a)
    pub = c.published()
    for cell, n in pub.items():
        if n != count.get(cell) or n < a.k:
            c.fail("/items: cell %s says %r, the CSV %r" % (cell, n, count.get(cell)))
    c.figures.insert(0, "%s: %d located records; %d cells published (%d cases) of %d with >= %d"
                     % (a.layer, located, len(pub), sum(pub.values()),
                        sum(n >= a.k for n in count.values()), a.k))
    try:
        c.vector(tj, pub, count)
        c.images(tj, pub, box)
    finally:
        shutil.rmtree(c.tmp)
    print("\n".join(c.figures))
    if c.bad:
        print("\n".join("FAIL: " + b for b in c.bad), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
