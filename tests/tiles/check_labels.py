"""check_labels.py — the label points of a polygon layer against its source file.

    python3 check_labels.py --src FILE --layer ID --key FIELD --label NAME --dir DECODED --zooms Z0-Z1

DECODED holds Z/X/Y.json, every non-empty tile of those zooms over the layer's bounds as
tests/tiles/decode.mjs (npm @mapbox/vector-tile) reads it. For every zoom: each source feature
(matched by FIELD, read from the polygon of the tile with the point's id) is labelled in exactly
one tile, its layer `ID:labels`, as one point with the id of the polygon it names and one
attribute, NAME with the source's value (a label needs nothing else); the point (tile units back to lon/lat)
lies inside the source polygon by GDAL/GEOS (within the half tile unit of rounding); the polygon
itself is in that tile too. Needs GDAL's Python bindings (/usr/bin/python3 on Debian)."""
import argparse
import collections
import json
import math
import os
import sys

from osgeo import ogr

ap = argparse.ArgumentParser()
ap.add_argument('--src', required=True)
ap.add_argument('--layer', required=True)
ap.add_argument('--key', required=True)
ap.add_argument('--label', required=True)
ap.add_argument('--dir', required=True)
ap.add_argument('--zooms', required=True)
a = ap.parse_args()
z0, z1 = map(int, a.zooms.split('-'))

ds = ogr.Open(a.src)
src = {}
for f in ds.GetLayer(0):
    src[str(f.GetField(a.key))] = (f.GetGeometryRef().Clone(), f.items())
problems = []


def lonlat(z, x, y, px, py, extent):
    n = 2 ** z
    lon = (x + px / extent) / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + py / extent) / n))))
    return lon, lat


for z in range(z0, z1 + 1):
    seen = collections.defaultdict(list)
    zdir = os.path.join(a.dir, str(z))
    for x in os.listdir(zdir) if os.path.isdir(zdir) else []:
        for name in os.listdir(os.path.join(zdir, x)):
            y = int(name.split('.')[0])
            d = json.load(open(os.path.join(zdir, x, name)))
            polys = {f['id']: f['props'] for f in d['layers'].get(a.layer, {}).get('features', [])}
            lab = d['layers'].get(a.layer + ':labels')
            if not lab:
                continue
            for f in lab['features']:
                where = f'z{z}/{x}/{y} id {f["id"]}'
                if f['problems'] or f['type'] != 1 or len(f['geometry']) != 1:
                    problems.append(f'{where}: not one valid point: {f["problems"]}')
                    continue
                if f['id'] not in polys:
                    problems.append(f'{where}: the polygon it names is not in the tile')
                    continue
                key = str(polys[f['id']].get(a.key))
                seen[key].append(where)
                if key not in src:
                    problems.append(f'{where}: {a.key}={key} is not in the source')
                    continue
                geom, props = src[key]
                if f['props'] != {a.label: props[a.label]}:
                    problems.append(f'{where}: attributes are not {a.label} alone with the '
                                    f'source value {props[a.label]!r}: {f["props"]}')
                px, py = f['geometry'][0][0]
                lon, lat = lonlat(z, int(x), y, px, py, lab['extent'])
                pt = ogr.CreateGeometryFromWkt(f'POINT ({lon!r} {lat!r})')
                unit = 360 / 2 ** z / lab['extent']
                if not geom.Contains(pt) and geom.Distance(pt) > unit:
                    problems.append(f'{where}: {key} label at {lon:.5f},{lat:.5f} is outside it')
    for key in src:
        if len(seen[key]) != 1:
            problems.append(f'z{z}: {a.key}={key} labelled {len(seen[key])} times: {seen[key]}')
    print(f'z{z}: {sum(len(v) for v in seen.values())} labels for {len(src)} features')

for p in problems[:40]:
    print('FAIL', p, file=sys.stderr)
sys.exit(1 if problems else 0)
