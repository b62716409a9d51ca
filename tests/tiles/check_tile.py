#!/usr/bin/env python3
"""check_tile.py — checks one vector tile served by teselas against its source database, with two
third-party decoders: npm @mapbox/vector-tile (through decode.mjs) and GDAL's MVT driver.

    check_tile.py --db DB --tile DIR/Z/X/Y.pbf --layers a,b,c [--buffer 64] [--json OUT]

The tile file must be saved as .../Z/X/Y.pbf so that GDAL georeferences it. Per requested layer:

  - both decoders see the same layers (in the requested order), ids and feature counts; MVT
    version 2, extent 4096; every decode.mjs problem list is empty (command stream, winding,
    closed rings with >= 3 distinct points, no self-intersecting ring, no duplicate keys/values);
  - which features: with S(b) the source features that intersect the tile grown by b tile units
    (ST_Intersects in EPSG:3857, SpatiaLite), S(buffer-1) <= ids <= S(buffer+1) where no
    generalisation applies. Below a polygon/line layer's maxzoom a feature of S(buffer-1) may be
    missing only if its part inside the tile itself (the real geometry clipped to the tile,
    buffer excluded) is smaller than one 256-px pixel (16 units) on both axes: a sub-pixel
    feature, or one that only grazes the tile or its buffer, may collapse under simplification
    (MVT 2.1 lets an encoder drop what collapses). Clustered point tiles are left to
    test_tiles_dense.sh;
  - ids are the source fids and unique; geometry type matches the layer;
  - properties: a NULL is omitted, a boolean is an MVT bool, an integer an MVT int, a real a
    double, text and dates strings; values equal the source; no other keys;
  - points sit at the rounded projection of the source point (+-1 unit);
  - polygons: ring count and exterior count equal the source's when the source lies inside the
    tile; area equals the area of the source clipped to the buffered tile within the error of
    snapping and simplifying; GEOS (GDAL's SQLite dialect, ST_IsValid) finds every polygon valid,
    on the edge of the buffered tile (where clipping cut it) as anywhere else;
  - lines: length equals the clipped source length within the same kind of error.
Prints one summary line per layer; exits 1 listing every failure.
"""
import argparse
import csv
import io
import json
import math
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MERC_HALF = math.pi * 6378137.0
MAX_LAT = 85.0511287798066
CLUSTER_MIN_FEATURES, CLUSTER_BELOW_ZOOM = 2000, 14
GEOM_TYPES = {"Point": 1, "LineString": 2, "Polygon": 3}


def sql(db, query):
    out = subprocess.run(["sqlite3", "-readonly", "-json", "-cmd", ".load mod_spatialite", db, query],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else []


def tile_bounds_merc(z, x, y):
    span = 2 * MERC_HALF / (1 << z)
    return (-MERC_HALF + x * span, MERC_HALF - (y + 1) * span,
            -MERC_HALF + (x + 1) * span, MERC_HALF - y * span)


def lonlat_to_tile(lon, lat, z, x, y, extent=4096):
    """The same arithmetic as geom/tilemath.c, so positions agree to the last bit."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    s = math.sin(lat * math.pi / 180.0)
    wx, wy = (lon + 180.0) / 360.0, 0.5 - 0.25 * math.log((1.0 + s) / (1.0 - s)) / math.pi
    n = float(1 << z)
    return ((wx * n - x) * extent, (wy * n - y) * extent)


def round_half_away(v):
    return int(math.floor(abs(v) + 0.5)) * (1 if v >= 0 else -1)


def ids_in(db, table, z, x, y, units, extent=4096):
    b = tile_bounds_merc(z, x, y)
    m = (b[2] - b[0]) * units / extent
    q = (f'SELECT fid FROM "{table}" WHERE rowid IN (SELECT pkid FROM "idx_{table}_geom" '
         f'WHERE xmax >= {lonlat(b[0] - m, 0)[0]!r} - 1e-9 AND xmin <= {lonlat(b[2] + m, 0)[0]!r} + 1e-9 '
         f'AND ymax >= {lonlat(0, b[1] - m)[1]!r} - 1e-9 AND ymin <= {lonlat(0, b[3] + m)[1]!r} + 1e-9) '
         f'AND ST_Intersects(ST_Transform(geom, 3857), '
         f'BuildMbr({b[0] - m!r}, {b[1] - m!r}, {b[2] + m!r}, {b[3] + m!r}, 3857))')
    return {r["fid"] for r in sql(db, q)}


def lonlat(mx, my):
    return (mx * 180.0 / MERC_HALF,
            math.degrees(math.atan(math.sinh(my / 6378137.0))))


def clipped_measures(db, table, fids, z, x, y, units, extent=4096):
    """Area (tile units^2) and length (tile units) of each source feature clipped to the tile
    grown by `units`."""
    if not fids:
        return {}
    b = tile_bounds_merc(z, x, y)
    m = (b[2] - b[0]) * units / extent
    k = extent / (b[2] - b[0])
    box = f"BuildMbr({b[0] - m!r}, {b[1] - m!r}, {b[2] + m!r}, {b[3] + m!r}, 3857)"
    rows = sql(db, f'SELECT fid, ST_Area(ST_Intersection(ST_Transform(geom, 3857), {box})) AS a, '
                   f'GLength(ST_Intersection(ST_Transform(geom, 3857), {box})) AS l '
                   f'FROM "{table}" WHERE fid IN ({",".join(map(str, fids))})')
    return {r["fid"]: ((r["a"] or 0) * k * k, (r["l"] or 0) * k) for r in rows}


def inside_extents(db, table, fids, z, x, y, extent=4096):
    """Width and height (tile units) of the part of each feature inside the tile itself, buffer
    excluded, from the real geometry (not its bbox): (0, 0) for one that only reaches the buffer."""
    if not fids:
        return {}
    b = tile_bounds_merc(z, x, y)
    k = extent / (b[2] - b[0])
    box = f"BuildMbr({b[0]!r}, {b[1]!r}, {b[2]!r}, {b[3]!r}, 3857)"
    rows = sql(db, f'SELECT fid, MbrMinX(c) AS x0, MbrMaxX(c) AS x1, MbrMinY(c) AS y0, '
                   f'MbrMaxY(c) AS y1 FROM (SELECT fid, ST_Intersection(ST_Transform(geom, 3857), '
                   f'{box}) AS c FROM "{table}" WHERE fid IN ({",".join(map(str, fids))}))')
    return {r["fid"]: ((r["x1"] - r["x0"]) * k, (r["y1"] - r["y0"]) * k)
            if r["x0"] is not None else (0.0, 0.0) for r in rows}


def gdal_layers(path):
    """GDAL's view of the tile: {layer: {"fields": {name: type}, "rows": [csv rows]}}."""
    info = subprocess.run(["ogrinfo", "-ro", "-so", "-oo", "CLIP=NO", path, "-al"],
                          capture_output=True, text=True)
    if info.returncode != 0:
        raise SystemExit(f"GDAL cannot open {path}: {info.stderr.strip()}")
    layers, cur = {}, None
    for line in info.stdout.splitlines():
        m = re.match(r"^Layer name: (.*)$", line)
        if m:
            cur = layers.setdefault(m.group(1), {"fields": {}, "rows": []})
            continue
        m = re.match(r"^([^:\s][^:]*): ([A-Za-z0-9()]+) \(", line)
        if cur is not None and m and m.group(1) not in ("Geometry", "Feature Count", "Extent",
                                                         "Layer SRS WKT", "Data axis to CRS axis mapping"):
            cur["fields"][m.group(1)] = m.group(2)
    if not layers:
        return layers
    # one GDAL run for every layer: GEOS validity of each feature
    q = " UNION ALL ".join(
        f"SELECT '{name}' AS layer, mvt_id, ST_IsValid(geometry) AS valid, "
        f'ST_IsValidReason(geometry) AS reason FROM "{name}"' for name in layers)
    out = subprocess.run(["ogr2ogr", "-f", "CSV", "/vsistdout/", path, "-oo", "CLIP=NO",
                          "-dialect", "sqlite", "-sql", q], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"GDAL SQL failed: {out.stderr.strip()}")
    for row in csv.DictReader(io.StringIO(out.stdout)):
        layers[row["layer"]]["rows"].append(row)
    return layers


def rings_perimeter(geometry):
    per = 0.0
    for ring in geometry:
        for i in range(len(ring)):
            a, b = ring[i], ring[(i + 1) % len(ring)]
            per += math.hypot(b[0] - a[0], b[1] - a[1])
    return per


def line_length(geometry):
    return sum(math.hypot(p[i + 1][0] - p[i][0], p[i + 1][1] - p[i][1])
               for p in geometry for i in range(len(p) - 1))


def check_props(layer, f, row, fails):
    where = f'{layer["id"]}#{f["id"]}'
    props, kinds = f["props"], f["kinds"]
    names = {fd["name"] for fd in layer["fields"]}
    for k in props:
        if k not in names:
            fails.append(f"{where}: unexpected property {k}")
    for fd in layer["fields"]:
        name, typ, v = fd["name"], fd["type"], row.get(fd["name"])
        if v is None:
            if name in props:
                fails.append(f"{where}: NULL {name} written as {props[name]!r} ({kinds.get(name)})")
            continue
        if name not in props:
            fails.append(f"{where}: {name} = {v!r} missing")
            continue
        got, kind = props[name], kinds.get(name)
        if typ == "boolean":
            ok = kind == "bool" and got == bool(v)
        elif typ == "integer":
            ok = kind in ("int", "uint", "sint") and got == v
        elif typ == "real":
            ok = kind in ("double", "float") and abs(got - v) <= 1e-9 * max(1.0, abs(v))
        else:
            ok = kind == "string" and got == str(v)
        if not ok:
            fails.append(f"{where}: {name} ({typ}) source {v!r}, tile {got!r} as {kind}")


def on_seam(reason, z, x, y, buffer):
    """True when GEOS's error location lies on the edge of the buffered tile, where clipping cut
    the ring: the failure says so, as it points at the clip stage and its repair (geom/seam.c)."""
    m = re.search(r"\[(-?[0-9.e+]+) (-?[0-9.e+]+)\]", reason or "")
    if not m:
        return False
    b = tile_bounds_merc(z, x, y)
    k = 4096 / (b[2] - b[0])
    tx, ty = (float(m.group(1)) - b[0]) * k, (b[3] - float(m.group(2))) * k
    return any(abs(v - e) < 0.01 for v in (tx, ty) for e in (-buffer, 4096 + buffer))


def check_layer(db, layer, tl, gl, z, x, y, buffer, fails):
    lid = layer["id"]
    table, gtype = layer["table_name"], layer["geometry_type"]
    layer["fields"] = json.loads(layer["fields"])
    must = ids_in(db, table, z, x, y, buffer - 1)
    may = ids_in(db, table, z, x, y, buffer + 1)
    feats = tl["features"] if tl else []
    ids = [f["id"] for f in feats]
    summary = {"layer": lid, "features": len(feats), "must": len(must), "may": len(may),
               "dropped": 0, "clustered": 0}
    if tl is None:
        if must:
            fails.append(f"{lid}: layer absent but {len(must)} source features intersect the tile")
        return summary
    if tl["version"] != 2 or tl["extent"] != 4096:
        fails.append(f"{lid}: version {tl['version']} extent {tl['extent']}")
    for p in tl["problems"]:
        fails.append(f"{lid}: {p}")
    for f in feats:
        for p in f["problems"]:
            fails.append(f"{lid}#{f['id']}: {p}")
        if f["type"] != GEOM_TYPES[gtype]:
            fails.append(f"{lid}#{f['id']}: geometry type {f['type']} for a {gtype} layer")
    clusters = [f for f in feats if f["props"].get("cluster") is True]
    summary["clustered"] = len(clusters)
    is_points = gtype == "Point"
    clustered_zoom = is_points and layer["feature_count"] > CLUSTER_MIN_FEATURES and \
        z < min(CLUSTER_BELOW_ZOOM, layer["maxzoom"])
    if clusters and not is_points:
        fails.append(f"{lid}: clusters in a {gtype} layer")
    if clustered_zoom or clusters:
        return summary  # test_tiles_dense.sh checks clusters
    if None in ids:
        fails.append(f"{lid}: a feature without id")
    if len(set(ids)) != len(ids):
        fails.append(f"{lid}: duplicate ids")
    got = set(i for i in ids if i is not None)
    if got - may:
        fails.append(f"{lid}: features not in the source tile bbox: {sorted(got - may)[:20]}")
    missing = must - got
    cols = "".join(f'"{fd["name"]}", ' for fd in layer["fields"])
    src = {r["fid"]: r for r in sql(
        db, f'SELECT fid, {cols}AsGeoJSON(geom, 15) AS gj FROM "{table}" '
            f'WHERE fid IN ({",".join(map(str, sorted(got | missing))) or "NULL"})')}
    generalised = not is_points and z < layer["maxzoom"]
    # Where the tile is generalised, what simplification may collapse is what has less than one
    # 256-px pixel (16 units) inside the tile itself on both axes: a small feature, or the part of
    # a large one that only grazes the tile or lies in its buffer. Measured on the real geometry,
    # clipped to the tile: a large feature's bbox says nothing of how far it reaches in.
    inside = inside_extents(db, table, sorted(missing), z, x, y) if generalised else {}
    for fid in sorted(missing):
        g = json.loads(src[fid]["gj"])
        pts = list(flatten(g["coordinates"]))
        tp = [lonlat_to_tile(p[0], p[1], z, x, y) for p in pts]
        w = max(p[0] for p in tp) - min(p[0] for p in tp)
        h = max(p[1] for p in tp) - min(p[1] for p in tp)
        iw, ih = inside.get(fid, (w, h))
        if generalised and iw < 16 and ih < 16:
            summary["dropped"] += 1
        else:
            fails.append(f"{lid}: source feature {fid} ({iw:.1f} x {ih:.1f} units inside the tile, "
                         f"{w:.1f} x {h:.1f} in all) missing from the tile")
    # GDAL agrees on ids and finds every polygon valid
    if gl is None:
        fails.append(f"{lid}: GDAL does not see the layer")
    else:
        gids = sorted(int(r["mvt_id"]) for r in gl["rows"] if r["mvt_id"] != "")
        if gids != sorted(got):
            fails.append(f"{lid}: GDAL ids differ from @mapbox/vector-tile ids")
        for r in gl["rows"]:
            if gtype == "Polygon" and r["valid"] != "1":
                seam = on_seam(r["reason"], z, x, y, buffer)
                fails.append(f"{lid}#{r['mvt_id']}: GEOS says invalid: {r['reason']}" +
                             (" (on the buffer seam)" if seam else ""))
        gdal_type = {"boolean": ("Integer(Boolean)",), "integer": ("Integer", "Integer64"),
                     "real": ("Real",), "text": ("String",), "date": ("String",)}
        for fd in layer["fields"]:
            t = gl["fields"].get(fd["name"])
            if t is not None and t not in gdal_type.get(fd["type"], ("String",)):
                fails.append(f"{lid}: GDAL reads {fd['name']} ({fd['type']}) as {t}")
    measures = clipped_measures(db, table, sorted(got), z, x, y, buffer)
    b_lo, b_hi = -buffer, 4096 + buffer
    for f in feats:
        row = src.get(f["id"])
        if row is None:
            continue
        check_props(layer, f, row, fails)
        geom = f.get("geometry")
        gj = json.loads(row["gj"])
        where = f"{lid}#{f['id']}"
        if gtype == "Point":
            pts = list(flatten(gj["coordinates"]))
            want = sorted((round_half_away(t[0]), round_half_away(t[1])) for t in
                          (lonlat_to_tile(p[0], p[1], z, x, y) for p in pts)
                          if b_lo <= t[0] <= b_hi and b_lo <= t[1] <= b_hi)
            have = sorted(tuple(p[0]) for p in geom)
            if len(want) != len(have) or any(abs(a[0] - b[0]) > 1 or abs(a[1] - b[1]) > 1
                                              for a, b in zip(want, have)):
                fails.append(f"{where}: point at {have}, source projects to {want}")
        elif gtype == "Polygon":
            area = sum(r["area"] for r in f["rings"])
            want = measures.get(f["id"], (0, 0))[0]
            tol = 3.0 * rings_perimeter(geom) + 0.01 * want + 4
            if abs(area - want) > tol:
                fails.append(f"{where}: area {area:.0f}, clipped source {want:.0f} (tolerance {tol:.0f})")
            polys = gj["coordinates"] if gj["type"] == "MultiPolygon" else [gj["coordinates"]]
            tp = [lonlat_to_tile(p[0], p[1], z, x, y) for p in flatten(gj["coordinates"])]
            inside = all(0 <= p[0] <= 4096 and 0 <= p[1] <= 4096 for p in tp)
            if inside and not generalised:
                n_ext = sum(1 for r in f["rings"] if r["exterior"])
                if n_ext != len(polys) or len(f["rings"]) != sum(len(p) for p in polys):
                    fails.append(f"{where}: {len(f['rings'])} rings ({n_ext} exterior), source has "
                                 f"{sum(len(p) for p in polys)} ({len(polys)} polygons)")
        elif gtype == "LineString":
            length = line_length(geom)
            want = measures.get(f["id"], (0, 0))[1]
            tol = 0.02 * want + 2.0 * sum(len(p) for p in geom) + 4
            if abs(length - want) > tol:
                fails.append(f"{where}: length {length:.0f}, clipped source {want:.0f}")
    return summary


def flatten(c):
    if isinstance(c[0], (int, float)):
        yield c
    else:
        for s in c:
            yield from flatten(s)


def check_labels(layers, lid, fails):
    """Label points of polygon layer lid in this tile: one valid point each, inside the tile, naming
    a polygon of the tile by id, with one attribute at most (the layer's label field), the
    polygon's value of it."""
    lab = layers.get(lid + ":labels")
    if not lab:
        return
    polys = {f["id"]: f for f in layers.get(lid, {}).get("features", [])}
    ext = lab["extent"]
    for f in lab["features"]:
        where = f"{lid}:labels id {f['id']}"
        if f["problems"] or f["type"] != 1 or len(f["geometry"]) != 1 or len(f["geometry"][0]) != 1:
            fails.append(f"{where}: not one valid point {f['problems']}")
            continue
        px, py = f["geometry"][0][0]
        if not (0 <= px <= ext and 0 <= py <= ext):
            fails.append(f"{where}: at {px},{py}, outside the tile")
        p = polys.get(f["id"])
        if p is None:
            fails.append(f"{where}: no polygon of the tile has its id")
        elif len(f["props"]) > 1 or any(p["props"].get(k) != v for k, v in f["props"].items()):
            fails.append(f"{where}: attributes {f['props']} are not one of the polygon's {p['props']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--tile", required=True)
    ap.add_argument("--layers", required=True)
    ap.add_argument("--buffer", type=int, default=64)
    ap.add_argument("--json", help="write the decoded tile here")
    a = ap.parse_args()
    m = re.search(r"(\d+)/(\d+)/(\d+)\.(pbf|mvt)$", a.tile)
    if not m:
        raise SystemExit("the tile must be saved as .../Z/X/Y.pbf")
    z, x, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    dec = subprocess.run(["node", os.path.join(HERE, "decode.mjs"), a.tile],
                         capture_output=True, text=True)
    if dec.returncode != 0:
        raise SystemExit(f"decode.mjs failed: {dec.stderr.strip()}")
    tile = json.loads(dec.stdout)
    if a.json:
        with open(a.json, "w") as fh:
            fh.write(dec.stdout)
    gdal = gdal_layers(a.tile)
    fails = [f"tile: {p}" for p in tile["problems"]]
    requested = a.layers.split(",")
    present = list(tile["layers"].keys())
    catalog = {r["id"]: r for r in sql(a.db, "SELECT id, table_name, geometry_type, fields, "
                                              "feature_count, minzoom, maxzoom FROM teselas_layers")}
    # a polygon layer's label points follow it (tests/http/test_tiles_labels.sh checks them whole)
    expected = [n for l in requested
                for n in ([l, l + ":labels"] if catalog[l]["geometry_type"] == "Polygon" else [l])]
    if present != [l for l in expected if l in present]:
        fails.append(f"layers {present} are not in the requested order {expected}")
    if sorted(gdal) != sorted(present):
        fails.append(f"GDAL sees layers {sorted(gdal)}, @mapbox/vector-tile {sorted(present)}")
    for l in present:
        if l not in expected:
            fails.append(f"layer {l} was not requested")
    for lid in requested:
        check_labels(tile["layers"], lid, fails)
    for lid in requested:
        if z < catalog[lid]["minzoom"]:
            if lid in present:
                fails.append(f"{lid}: present below its minzoom")
            continue
        s = check_layer(a.db, catalog[lid], tile["layers"].get(lid), gdal.get(lid), z, x, y,
                        a.buffer, fails)
        print(f"  {z}/{x}/{y} {lid}: {s['features']} features (source {s['must']}..{s['may']}, "
              f"dropped {s['dropped']}, clusters {s['clustered']})")
    if fails:
        print(f"FAIL {a.tile}:", *fails[:60], sep="\n  ", file=sys.stderr)
        if len(fails) > 60:
            print(f"  ... and {len(fails) - 60} more", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
