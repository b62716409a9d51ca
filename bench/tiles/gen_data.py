#!/usr/bin/env python3
"""gen_data.py — the benchmark's synthetic polygons and lines, deterministic (fixed seed):

    gen_data.py OUT_DIR [--parks 20000] [--lines 5000]

writes OUT_DIR/parques-bench.geojson (park polygons, one in ten with a hole, 8 to 40 vertices,
30 m to 400 m across, attributes nombre/estado/superficie_m2/juegos_infantiles) and
OUT_DIR/agua-bench.geojson (canal and river lines, 20 to 120 vertices, 60 m steps with a slowly
turning heading, attributes nombre/tipo/perenne), scattered around León's centre like a city:
a Gaussian of about 6 km (so the same tile list weighted to the centre hits them).
"""
import argparse
import json
import math
import os
import random

CENTRE = (-101.68, 21.12)
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(CENTRE[1]))


def offset(lon, lat, dx_m, dy_m):
    return (round(lon + dx_m / M_PER_DEG_LON, 7), round(lat + dy_m / M_PER_DEG_LAT, 7))


def ring(rng, lon, lat, radius, n, ccw=True):
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n
        r = radius * (0.75 + 0.25 * rng.random())
        pts.append(offset(lon, lat, r * math.cos(a), r * math.sin(a)))
    if not ccw:
        pts.reverse()
    pts.append(pts[0])
    return pts


def parks(rng, n):
    estados = ["rehabilitado", "abandonado", "en obra", "sin información"]
    for i in range(1, n + 1):
        lon, lat = rng.gauss(CENTRE[0], 0.055), rng.gauss(CENTRE[1], 0.045)
        radius = min(200.0, math.exp(rng.gauss(math.log(45), 0.6)))
        rings = [ring(rng, lon, lat, radius, rng.randint(8, 40))]
        if i % 10 == 0:  # a hole: a pond or a building inside the park
            rings.append(ring(rng, lon, lat, radius * 0.3, rng.randint(5, 12), ccw=False))
        area = math.pi * radius ** 2 * 0.8
        yield {"type": "Feature", "id": i,
               "properties": {"nombre": f"Parque sintético {i}", "estado": rng.choice(estados),
                              "superficie_m2": round(area, 1),
                              "juegos_infantiles": rng.random() < 0.4},
               "geometry": {"type": "Polygon", "coordinates": rings}}


def lines(rng, n):
    tipos = ["canal", "arroyo", "río", "dren"]
    for i in range(1, n + 1):
        lon, lat = rng.gauss(CENTRE[0], 0.06), rng.gauss(CENTRE[1], 0.05)
        heading = rng.uniform(0, 2 * math.pi)
        pts = [(round(lon, 7), round(lat, 7))]
        for _ in range(rng.randint(20, 120)):
            heading += rng.gauss(0, 0.25)
            lon, lat = offset(lon, lat, 60 * math.cos(heading), 60 * math.sin(heading))
            pts.append((lon, lat))
        yield {"type": "Feature", "id": i,
               "properties": {"nombre": f"Cauce sintético {i}", "tipo": rng.choice(tipos),
                              "perenne": rng.random() < 0.3},
               "geometry": {"type": "LineString", "coordinates": pts}}


def write(path, features):
    with open(path, "w") as fh:
        fh.write('{"type": "FeatureCollection", "features": [\n')
        for k, f in enumerate(features):
            fh.write((",\n" if k else "") + json.dumps(f, ensure_ascii=False, separators=(",", ":")))
        fh.write("\n]}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--parks", type=int, default=20000)
    ap.add_argument("--lines", type=int, default=5000)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    write(os.path.join(a.out_dir, "parques-bench.geojson"), parks(random.Random(20240101), a.parks))
    write(os.path.join(a.out_dir, "agua-bench.geojson"), lines(random.Random(20240102), a.lines))


if __name__ == "__main__":
    main()
