#!/usr/bin/env python3
"""label_bytes.py — what the label points (`{id}:labels`) add to the vector tiles of a polygon
layer: per zoom, the mean tile bytes, the mean bytes of the label layers and their share, and the
polygons and label points the tiles hold (bench/tiles/mvtstat.py). Reads each distinct tile of a
tile list from a running server:

    label_bytes.py PORT TILES.txt LAYER
"""
import collections
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtstat  # noqa: E402

port, tiles, layer = sys.argv[1:4]
agg = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
for line in sorted(set(open(tiles))):
    z, x, y = line.split()
    b = urllib.request.urlopen(f'http://127.0.0.1:{port}/tiles/{layer}/{z}/{x}/{y}.pbf').read()
    a = agg[z]
    a[0] += 1
    a[1] += len(b)
    a[2] += mvtstat.label_bytes(b)
    a[3] += mvtstat.count(b)
    a[4] += mvtstat.count(b, labels=True)
print('| zoom | tiles | mean bytes | of which label points | share | polygons | label points |')
print('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
for z in sorted(agg, key=int):
    n, by, lb, f, lab = agg[z]
    share = f'{lb / by * 100:.1f} %' if by else '-'
    print(f'| {z} | {n} | {by // n:,} | {lb // n:,} | {share} | {f:,} | {lab:,} |')
