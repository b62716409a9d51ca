#!/usr/bin/env python3
"""check_validity.py — fetches every tile of an area at a range of zooms and asks GEOS whether each
polygon in it is valid: the breadth check that check_tile.py (one tile, every assertion, about a
second each) cannot afford. Thousands of tiles take seconds.

    check_validity.py --base http://127.0.0.1:8080 --layers a,b --bbox W,S,E,N --zooms 10-16

Tiles are decoded here (a plain protobuf reader: layers, features, geometry commands) and rings
are grouped into polygons as MVT 2.1 §4.3.4.4 says (an exterior has a positive surveyor's area in
y-down tile coordinates, the holes that follow it negative); GEOS is the reference for validity,
called through ctypes on libgeos_c, which the build already needs. Prints one line per invalid
polygon (tile, layer, id, GEOS's reason and where), then a summary line
`tiles N, polygons N, invalid N`; exits 1 when any is invalid or a tile cannot be fetched.
"""
import argparse
import ctypes
import ctypes.util
import math
import sys
import urllib.request


def geos():
    lib = ctypes.CDLL(ctypes.util.find_library("geos_c") or "libgeos_c.so.1")
    vp, cp = ctypes.c_void_p, ctypes.c_char_p
    for name, res, args in [("GEOS_init_r", vp, []), ("GEOSWKTReader_create_r", vp, [vp]),
                            ("GEOSWKTReader_read_r", vp, [vp, vp, cp]),
                            ("GEOSisValidReason_r", vp, [vp, vp]),
                            ("GEOSGeom_destroy_r", None, [vp, vp]), ("GEOSFree_r", None, [vp, vp])]:
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args
    ctx = lib.GEOS_init_r()
    reader = lib.GEOSWKTReader_create_r(ctx)

    def reason(wkt):
        g = lib.GEOSWKTReader_read_r(ctx, reader, wkt.encode())
        if not g:
            return "not readable by GEOS"
        r = lib.GEOSisValidReason_r(ctx, g)
        text = ctypes.string_at(r).decode()
        lib.GEOSFree_r(ctx, r)
        lib.GEOSGeom_destroy_r(ctx, g)
        return text
    return reason


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def fields(b):
    """(field number, value) of a protobuf message: ints for varints, bytes otherwise."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        wire = key & 7
        if wire == 0:
            v, i = varint(b, i)
        elif wire == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        elif wire in (1, 5):
            n = 8 if wire == 1 else 4
            v, i = b[i:i + n], i + n
        else:
            raise ValueError(f"protobuf wire type {wire}")
        yield key >> 3, v


def rings(commands):
    """The rings of a polygon's command stream (MVT 2.1 §4.3), open, in tile coordinates."""
    ints, i = [], 0
    while i < len(commands):
        v, i = varint(commands, i)
        ints.append(v)
    out, x, y, i = [], 0, 0, 0
    while i < len(ints):
        op, count = ints[i] & 7, ints[i] >> 3
        i += 1
        if op == 7:
            continue
        for _ in range(count):
            dx, dy = ints[i], ints[i + 1]
            i += 2
            x += (dx >> 1) ^ -(dx & 1)
            y += (dy >> 1) ^ -(dy & 1)
            if op == 1:
                out.append([(x, y)])
            else:
                out[-1].append((x, y))
    return out


def area2(r):
    return sum(r[i][0] * r[(i + 1) % len(r)][1] - r[(i + 1) % len(r)][0] * r[i][1]
               for i in range(len(r)))


def wkt(rs):
    polys = []
    for r in rs:
        if area2(r) > 0 or not polys:
            polys.append([r])
        else:
            polys[-1].append(r)
    ring = lambda r: "(" + ",".join(f"{x} {y}" for x, y in r + r[:1]) + ")"
    return "MULTIPOLYGON(" + ",".join("(" + ",".join(map(ring, p)) + ")" for p in polys) + ")"


def polygons(tile):
    """(layer, id, rings) of every polygon feature of a tile."""
    for f, layer in fields(tile):
        if f != 3:
            continue
        name, feats = None, []
        for lf, lv in fields(layer):
            if lf == 1:
                name = lv.decode()
            elif lf == 2:
                feats.append(lv)
        for feat in feats:
            fid = kind = geom = None
            for ff, fv in fields(feat):
                if ff == 1:
                    fid = fv
                elif ff == 3:
                    kind = fv
                elif ff == 4:
                    geom = fv
            if kind == 3 and geom is not None:
                yield name, fid, rings(geom)


def tiles_of(bbox, z):
    w, s, e, n = bbox

    def xy(lon, lat):
        k, t = 2 ** z, math.sin(math.radians(lat))
        return (int((lon + 180) / 360 * k),
                int((0.5 - 0.25 * math.log((1 + t) / (1 - t)) / math.pi) * k))
    (x0, y0), (x1, y1) = xy(w, n), xy(e, s)
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--layers", required=True)
    ap.add_argument("--bbox", required=True, help="W,S,E,N in degrees")
    ap.add_argument("--zooms", default="10-16", help="Z or ZMIN-ZMAX")
    a = ap.parse_args()
    bbox = [float(v) for v in a.bbox.split(",")]
    zs = [int(v) for v in a.zooms.split("-")]
    reason = geos()
    n_tiles = n_polys = n_bad = 0
    for z in range(zs[0], zs[-1] + 1):
        for x, y in tiles_of(bbox, z):
            url = f"{a.base}/tiles/{a.layers}/{z}/{x}/{y}.pbf"
            try:
                tile = urllib.request.urlopen(url).read()
            except OSError as e:
                print(f"FAIL {url}: {e}")
                return 1
            n_tiles += 1
            for layer, fid, rs in polygons(tile):
                n_polys += 1
                why = reason(wkt(rs))
                if why != "Valid Geometry":
                    n_bad += 1
                    print(f"INVALID {z}/{x}/{y} {layer}#{fid}: {why}")
    print(f"tiles {n_tiles}, polygons {n_polys}, invalid {n_bad}")
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main())
