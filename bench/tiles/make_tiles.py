#!/usr/bin/env python3
"""make_tiles.py — the benchmark's tile list, shared by every peer (teselas, PostGIS, geojson-vt,
nginx): for each of z 8, 10, 12, 14 and 16, --per-zoom tile addresses whose centres are drawn from
a Gaussian around León's centre (sigma about 4 km east-west, 3.5 km north-south), like the traffic
of a city map: repeats allowed, so popular tiles come back as they do in real use. Deterministic
(fixed seed). Prints "z x y" lines, zoom by zoom, in draw order.

    make_tiles.py [--per-zoom 300] > bench/tiles/tiles.txt
"""
import argparse
import math
import random

CENTRE = (-101.68, 21.12)


def tile_of(z, lon, lat):
    n = 2 ** z
    s = math.sin(math.radians(lat))
    return int((lon + 180) / 360 * n), int((0.5 - 0.25 * math.log((1 + s) / (1 - s)) / math.pi) * n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-zoom", type=int, default=300)
    a = ap.parse_args()
    for z in (8, 10, 12, 14, 16):
        rng = random.Random(1000 + z)
        for _ in range(a.per_zoom):
            x, y = tile_of(z, rng.gauss(CENTRE[0], 0.04), rng.gauss(CENTRE[1], 0.032))
            print(z, x, y)


if __name__ == "__main__":
    main()
