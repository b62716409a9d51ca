#!/usr/bin/env python3
"""crawl.py — the privacy leak test's crawler (tests/http/test_privacy_leak.sh, issue 8).

    crawl.py --base URL --layer ID --csv SOURCE.csv --published DB_GEOJSON.txt --mode MODE
             --drop F [--drop F ...] --work DIR [--style ID]

Asks the running server every question a user can ask about one layer and checks every answer:
  * no value of a dropped field (names, phones, CURPs, addresses of the source CSV) appears in any
    response body (raw bytes, and gunzipped when compressed), error bodies included;
  * (generalize, aggregate) no position published anywhere lies within 1 m of an original point,
    unless that original itself lies within 1 m of a published vertex (a point that happens to sit
    on a cell centre or corner; they must be rare, else the layer is not generalised at all):
      - text answers (GeoJSON, CSV, HTML, TileJSON, metadata, downloads, errors): every pair of
        consecutive decimal numbers, in both orders, is a candidate position;
      - the GeoPackage download is read back with ogr2ogr;
      - vector tiles at z10..18 are decoded with @mapbox/vector-tile (decode_points.mjs): each
        vertex inside its tile's own square is checked, and at zooms where a tile unit is under a
        metre every point that is not a cluster must sit on a published vertex.
  * PNG tiles and static images of the layer's automatic style render (200, PNG);
  * (generalize, aggregate; with --points-style, a style that draws only the layer's points as
    small dark circles on white) PNG tiles at z18 and static images at zoom 18 around published
    positions: every drawn point's pixel centroid (png_points.py) lies more than a pixel from
    every exact source location, and (generalize) within a pixel of a published position;
  * every query parameter the OpenAPI document (/api) lists for the layer's routes (items,
    aggregate, downloads, tiles, TileJSON), and every field as PROP=VALUE, sent with values of the
    dropped fields: no answer is a 5xx, none holds the value or a source position.
The published vertices come from the database (--published: one GeoJSON geometry per line,
dumped with SpatiaLite by the shell test), not from the API under test.
Prints a summary; exits 1 with the first problems found.
"""
import argparse
import csv
import gzip
import http.client
import json
import math
import os
import re
import subprocess
import sys
import urllib.parse

import png_points

HERE = os.path.dirname(os.path.abspath(__file__))
M_PER_DEG = 111320.0
NUM = re.compile(rb"-?\d{1,3}\.\d{3,}")


class Positions:
    """A set of lon/lat positions with a 1 m neighbourhood query (hash of ~1.1 m buckets)."""

    def __init__(self, coslat):
        self.cos = coslat
        self.buckets = {}
        self.n = 0

    def key(self, lon, lat):
        return (int(math.floor(lon * M_PER_DEG * self.cos)), int(math.floor(lat * M_PER_DEG)))

    def add(self, lon, lat, item=None):
        self.buckets.setdefault(self.key(lon, lat), []).append((lon, lat, item))
        self.n += 1

    def near(self, lon, lat, metres=1.0):
        kx, ky = self.key(lon, lat)
        r = int(math.ceil(metres))
        for dx in range(-r, r + 1):
            for dy in range(-r, r + 1):
                for (x, y, item) in self.buckets.get((kx + dx, ky + dy), ()):
                    d = math.hypot((x - lon) * M_PER_DEG * self.cos, (y - lat) * M_PER_DEG)
                    if d <= metres:
                        yield (x, y, item, d)


class Crawl:
    def __init__(self, a):
        self.a = a
        u = urllib.parse.urlparse(a.base)
        self.host, self.port = u.hostname, u.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.problems = []
        self.n_requests = 0
        self.n_positions = 0
        self.n_tile_vertices = 0
        self.forbidden = []
        self.load_source()
        self.load_published()

    # ---- inputs ---------------------------------------------------------------------------
    def load_source(self):
        lats = []
        rows = list(csv.DictReader(open(self.a.csv, encoding="utf-8")))
        for r in rows:
            lats.append(float(r["lat"]))
            for f in self.a.drop:
                v = r[f].strip()
                if len(v) >= 6:  # short values (an age) could occur by chance: not searched
                    self.forbidden.append(v.encode("utf-8"))
        self.forbidden = sorted(set(self.forbidden))
        self.cos = math.cos(math.radians(sum(lats) / len(lats)))
        self.originals = Positions(self.cos)
        for r in rows:
            self.originals.add(float(r["lon"]), float(r["lat"]), r["id"])
        self.n_source = len(rows)

    def load_published(self):
        self.published = Positions(self.cos)
        for line in open(self.a.published, encoding="utf-8"):
            if line.strip():
                for lon, lat in flatten(json.loads(line)["coordinates"]):
                    self.published.add(lon, lat)
        # originals that sit on a published vertex by chance (within 1 m of a cell centre/corner)
        self.exempt = set()
        for ks in self.originals.buckets.values():
            for (lon, lat, rid) in ks:
                if any(True for _ in self.published.near(lon, lat)):
                    self.exempt.add(rid)

    # ---- HTTP -------------------------------------------------------------------------------
    def get(self, path, headers=None):
        for attempt in range(2):
            try:
                self.conn.request("GET", path, headers=headers or {})
                r = self.conn.getresponse()
                body = r.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt:
                    raise
        self.n_requests += 1
        if r.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.check_bytes(path, body)
        return r.status, r.getheader("Content-Type") or "", body

    def problem(self, msg):
        # at most 10 of a kind (the words before the first '/' or ':'), so that one kind of leak
        # does not hide another
        kind = msg.split(":")[0].split("/")[1] if msg.startswith("/") else msg.split(" ")[0]
        if sum(1 for k, _ in self.problems if k == kind) < 10:
            self.problems.append((kind, msg))

    def check_bytes(self, what, body):
        for v in self.forbidden:
            if v in body:
                self.problem("%s: holds the dropped value %r" % (what, v.decode()))
                return

    # ---- positions ------------------------------------------------------------------------
    def leaks(self, lon, lat):
        return [o for o in self.originals.near(lon, lat) if o[2] not in self.exempt]

    def check_text_positions(self, what, body):
        if self.a.mode == "none":
            return
        nums = [float(x) for x in NUM.findall(body)]
        for a, b in zip(nums, nums[1:]):
            for lon, lat in ((a, b), (b, a)):
                if -180 <= lon <= 180 and -90 <= lat <= 90:
                    self.n_positions += 1
                    hit = self.leaks(lon, lat)
                    if hit:
                        self.problem("%s: position %.7f,%.7f is %.2f m from source record %s"
                                     % (what, lon, lat, hit[0][3], hit[0][2]))
                        return

    def page(self, path, want=200):
        status, ctype, body = self.get(path)
        if status != want:
            self.problem("%s: HTTP %d, want %d: %s" % (path, status, want, body[:200]))
        self.check_text_positions(path, body)
        return status, ctype, body

    # ---- the questions ----------------------------------------------------------------------
    def documents(self):
        L, S = self.a.layer, self.a.style or self.a.layer
        for p in ["/", "/?f=json", "/collections", "/collections?f=html", "/collections/" + L,
                  "/collections/%s?f=html" % L, "/collections/%s/queryables" % L, "/api",
                  "/tiles/%s.json" % L, "/collections/%s/tiles" % L,
                  "/collections/%s/tiles/WebMercatorQuad" % L, "/styles",
                  "/styles/%s/style.json" % S, "/maps/leon", "/embed/leon?layers=%s" % L,
                  "/health", "/metrics", "/conformance"]:
            self.page(p)
        _, _, body = self.get("/tiles/%s.json" % L)
        self.tilejson = json.loads(body)

    def items(self):
        L = self.a.layer
        path, ids = "/collections/%s/items?limit=700" % L, []
        while path:
            _, _, body = self.page(path)
            doc = json.loads(body)
            ids += [f["id"] for f in doc["features"]]
            nxt = [l["href"] for l in doc["links"] if l["rel"] == "next"]
            path = urllib.parse.urlparse(nxt[0])._replace(scheme="", netloc="").geturl() if nxt else None
        self.ids = ids
        for p in ["/collections/%s/items?f=csv&limit=10000" % L,
                  "/collections/%s/items?f=html&limit=200" % L,
                  "/collections/%s/download.geojson" % L, "/collections/%s/download.csv" % L]:
            self.page(p)
        for fid in ids[:1500]:
            self.page("/collections/%s/items/%s" % (L, fid))
        self.page("/collections/%s/items/%s?f=html" % (L, ids[0]))
        status, _, body = self.get("/collections/%s/download.gpkg" % L)
        if status != 200 or not body.startswith(b"SQLite format 3"):
            self.problem("download.gpkg: HTTP %d" % status)
            return
        gpkg = os.path.join(self.a.work, "download.gpkg")
        open(gpkg, "wb").write(body)
        out = subprocess.run(["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", gpkg], capture_output=True)
        self.check_bytes("download.gpkg as GeoJSON", out.stdout)
        self.check_text_positions("download.gpkg as GeoJSON", out.stdout)
        if b"Feature" not in out.stdout:
            self.problem("download.gpkg: ogr2ogr read no feature: %s" % out.stderr[:200])

    def aggregates(self):
        L, b = self.a.layer, self.tilejson["bounds"]
        boxes = ["", "&bbox=%f,%f,%f,%f" % tuple(b),
                 "&bbox=%f,%f,%f,%f" % (b[0], b[1], (b[0] + b[2]) / 2, (b[1] + b[3]) / 2)]
        for by in ["tipo", "month"]:
            for box in boxes:
                status, _, _ = self.page("/collections/%s/aggregate?by=%s%s" % (L, by, box))

    def errors(self):
        """Bad requests, some carrying dropped values: the errors must not echo them."""
        L = self.a.layer
        probes = [v.decode() for v in self.forbidden[:3]]
        paths = ["/collections/%s/items?bbox=x,y" % L, "/collections/%s/items/99999999" % L,
                 "/collections/%s/items/abc" % L, "/tiles/%s/30/0/0.pbf" % L, "/collections/nope",
                 "/collections/%s/aggregate?by=nope" % L, "/styles/%s/99/0/0.png" % L]
        for v in probes:
            q = urllib.parse.quote(v)
            paths += ["/collections/%s/items?nombre_victima=%s" % (L, q),
                      "/collections/%s/items?tipo=%s" % (L, q),
                      "/collections/%s/items?filter=%s" % (L, urllib.parse.quote("tipo = '%s'" % v)),
                      "/collections/%s/items?filter=%s" % (L, urllib.parse.quote("'%s' <" % v)),
                      "/collections/%s/items?filter=%s" % (L, urllib.parse.quote("nombre_victima = '%s'" % v)),
                      "/collections/%s/aggregate?by=tipo&tipo=%s" % (L, q),
                      "/collections/%s/aggregate?by=%s" % (L, q)]
        for p in paths:
            status, _, body = self.get(p)
            self.check_text_positions(p, body)
            if status >= 500:
                self.problem("%s: HTTP %d" % (p, status))

    # ---- tiles ----------------------------------------------------------------------------------
    def tile_list(self):
        b, L = self.tilejson["bounds"], []
        for z in range(10, 17):
            x0, y0 = tile_of(z, b[0], b[3])
            x1, y1 = tile_of(z, b[2], b[1])
            L += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        for z in (17, 18):  # only tiles with data, capped
            seen = []
            for ks in self.published.buckets.values():
                for (lon, lat, _) in ks:
                    t = (z,) + tile_of(z, lon, lat)
                    if t not in seen:
                        seen.append(t)
            L += sorted(seen)[: self.a.max_tiles]
        return L

    def tiles(self):
        tiles, lst = self.tile_list(), []
        tdir = os.path.join(self.a.work, "tiles")
        os.makedirs(tdir, exist_ok=True)
        for (z, x, y) in tiles:
            status, _, body = self.get("/tiles/%s/%d/%d/%d.pbf" % (self.a.layer, z, x, y))
            if status == 204 or (status == 200 and not body):
                continue
            if status != 200:
                self.problem("tile %d/%d/%d: HTTP %d" % (z, x, y, status))
                continue
            p = os.path.join(tdir, "%d-%d-%d.pbf" % (z, x, y))
            open(p, "wb").write(body)
            lst.append("%s %d %d %d" % (p, z, x, y))
        listing = os.path.join(self.a.work, "tiles.txt")
        open(listing, "w").write("\n".join(lst) + "\n")
        out = subprocess.run(["node", os.path.join(HERE, "decode_points.mjs"), listing],
                             capture_output=True, text=True)
        if out.returncode != 0:
            self.problem("decode_points.mjs failed: %s" % out.stderr[:300])
            return
        self.n_tiles = len(lst)
        for line in out.stdout.splitlines():
            self.check_tile(json.loads(line))

    def check_tile(self, t):
        z, x, y = map(int, t["tile"].split("/"))
        unit_m = 40075016.7 * self.cos / (2 ** z) / 4096  # one tile unit, in metres
        west, north = lonlat_of(z, x, y)
        east, south = lonlat_of(z, x + 1, y + 1)
        for f in t["features"]:
            for lon, lat in f["coords"]:
                if not (west <= lon <= east and south <= lat <= north) or self.a.mode == "none":
                    continue  # clip vertices in the buffer; each position is checked in its tile
                self.n_tile_vertices += 1
                hit = self.leaks(lon, lat)
                if hit and unit_m < 2.0:
                    self.problem("tile %s: vertex %.7f,%.7f is %.2f m from source record %s"
                                 % (t["tile"], lon, lat, hit[0][3], hit[0][2]))
                    return
                if f["cluster"] or self.a.mode != "generalize" or unit_m > 1.0:
                    continue
                if not any(True for _ in self.published.near(lon, lat, unit_m + 0.5)):
                    self.problem("tile %s: point %.7f,%.7f is on no published cell centre"
                                 % (t["tile"], lon, lat))
                    return

    def images(self):
        S, b = self.a.style or self.a.layer, self.tilejson["bounds"]
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        paths = ["/styles/%s/static/%f,%f,%d/300x200.png" % (S, cx, cy, z) for z in (11, 13, 15)]
        paths.append("/styles/%s/static/%f,%f,%f,%f/400x300.png" % (S, b[0], b[1], b[2], b[3]))
        for z in (12, 14, 16):
            x, y = tile_of(z, cx, cy)
            paths += ["/styles/%s/%d/%d/%d.png" % (S, z, x, y),
                      "/styles/%s/%d/%d/%d@2x.png" % (S, z, x, y)]
        for p in paths:
            status, ctype, body = self.get(p)
            if status != 200 or not body.startswith(b"\x89PNG"):
                self.problem("%s: HTTP %d %s" % (p, status, ctype))

    def filters(self):
        """Every filter parameter of the layer's routes, with personal values from the source."""
        status, _, body = self.get("/api")
        if status != 200:
            self.problem("/api: HTTP %d" % status)
            return
        api = json.loads(body)
        L = self.a.layer
        x, y = tile_of(14, *self.center())
        fill = {"ids": L, "z": "14", "x": str(x), "y": str(y)}
        probes = [v.decode() for v in self.forbidden[:2]] or ["Juan Perez Lopez"]
        self.n_filter_requests = 0
        for template, ops in sorted(api["paths"].items()):
            layer_route = template.startswith("/collections/%s/" % L) or template.startswith("/tiles/{ids}")
            if "get" not in ops or not layer_route:
                continue
            path = template
            for k, v in fill.items():
                path = path.replace("{%s}" % k, v)
            if "{" in path:
                continue  # /items/{featureId}: probed by errors()
            for prm in ops["get"].get("parameters", []):
                if "$ref" in prm:
                    prm = api["components"]["parameters"][prm["$ref"].split("/")[-1]]
                if prm["in"] != "query":
                    continue
                for v in probes:
                    p = path + "?" + urllib.parse.urlencode({prm["name"]: v})
                    status, _, body = self.get(p)
                    self.n_filter_requests += 1
                    self.check_text_positions(p, body)
                    if status >= 500:
                        self.problem("%s: HTTP %d" % (p, status))

    def center(self):
        b = self.tilejson["bounds"]
        return ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)

    def check_png_points(self, what, body, world, ox, oy):
        """Drawn points of one image (world: pixels of the Mercator world at its zoom; ox, oy: the
        image's top-left corner in that world)."""
        if not body.startswith(b"\x89PNG"):
            self.problem("%s: not a PNG" % what)
            return
        _, _, pts = png_points.centroids(body)
        px_m = 40075016.7 * self.cos / world  # one pixel, in metres
        for (cx, cy) in pts:
            wx, wy = ox + cx, oy + cy
            lon = wx / world * 360 - 180
            lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * wy / world))))
            self.n_png_points += 1
            near = [h for h in self.originals.near(lon, lat, px_m * 1.0 + 0.05)
                    if h[2] not in self.exempt]
            if near:
                self.problem("%s: a point is drawn %.2f m (under a pixel) from source record %s"
                             % (what, near[0][3], near[0][2]))
                return
            if self.a.mode == "generalize" and not any(True for _ in self.published.near(lon, lat, px_m * 1.5 + 0.05)):
                self.problem("%s: a point is drawn at %.7f,%.7f, on no published position"
                             % (what, lon, lat))
                return

    def point_images(self):
        """PNGs of the points alone at the highest zoom, around published positions."""
        S = self.a.points_style
        self.n_png_points = 0
        if not S or self.a.mode == "aggregate":
            return
        spots = sorted({(round(lon, 7), round(lat, 7)) for ks in self.published.buckets.values()
                        for (lon, lat, _) in ks})[:: max(1, len(self.published.buckets) // 12)][:12]
        for lon, lat in spots:
            # static image at MapLibre zoom 18: a 512-px-tile world
            world = 512 * 2 ** 18
            wx, wy = png_points.world_px(lon, lat, world)
            path = "/styles/%s/static/%.7f,%.7f,18/256x256.png" % (S, lon, lat)
            status, _, body = self.get(path)
            if status != 200:
                self.problem("%s: HTTP %d" % (path, status))
                continue
            self.check_png_points(path, body, world, wx - 128, wy - 128)
            # the PNG tile at z18 that holds it (style zoom 17: a 256-px-tile world of 2^18 tiles)
            x, y = tile_of(18, lon, lat)
            path = "/styles/%s/18/%d/%d.png" % (S, x, y)
            status, _, body = self.get(path)
            if status != 200:
                self.problem("%s: HTTP %d" % (path, status))
                continue
            self.check_png_points(path, body, 256 * 2 ** 18, x * 256, y * 256)
        if spots and self.n_png_points == 0:
            self.problem("no point drawn in any image of --points-style %s" % S)

    def run(self):
        if self.a.mode != "none" and len(self.exempt) > max(3, self.n_source // 200):
            self.problem("%d of %d source points lie within 1 m of a published vertex: the "
                         "layer is not generalised" % (len(self.exempt), self.n_source))
        self.documents()
        self.items()
        self.aggregates()
        self.errors()
        self.filters()
        self.tiles()
        self.images()
        self.point_images()
        print("crawl %s (%s): %d requests, %d tiles, %d text positions and %d tile vertices "
              "checked, %d dropped values searched, %d source points on a published vertex, "
              "%d filter requests, %d drawn points checked"
              % (self.a.layer, self.a.mode, self.n_requests, getattr(self, "n_tiles", 0),
                 self.n_positions, self.n_tile_vertices, len(self.forbidden), len(self.exempt),
                 getattr(self, "n_filter_requests", 0), getattr(self, "n_png_points", 0)))
        for _, p in self.problems:
            print("LEAK: " + p)
        return 1 if self.problems else 0


def flatten(c):
    if isinstance(c[0], (int, float)):
        return [c]
    return [p for x in c for p in flatten(x)]


def tile_of(z, lon, lat):
    n, s = 2 ** z, math.sin(math.radians(lat))
    x = int((lon + 180) / 360 * n)
    y = int((0.5 - 0.25 * math.log((1 + s) / (1 - s)) / math.pi) * n)
    return (min(max(x, 0), n - 1), min(max(y, 0), n - 1))


def lonlat_of(z, x, y):
    n = 2 ** z
    return (x / n * 360 - 180, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n)))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--layer", required=True)
    ap.add_argument("--style")
    ap.add_argument("--points-style")
    ap.add_argument("--csv", required=True)
    ap.add_argument("--published", required=True)
    ap.add_argument("--mode", choices=["none", "generalize", "aggregate"], required=True)
    ap.add_argument("--drop", action="append", default=[])
    ap.add_argument("--work", required=True)
    ap.add_argument("--max-tiles", type=int, default=300)
    sys.exit(Crawl(ap.parse_args()).run())


if __name__ == "__main__":
    main()
