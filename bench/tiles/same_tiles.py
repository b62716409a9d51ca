#!/usr/bin/env python3
"""same_tiles.py — do two teselas servers answer the same bytes? Fetches every distinct tile of
bench/tiles/tiles.txt (z8-z16) for each given layer from both base URLs, uncompressed, and lists
the tiles whose bytes differ. For an encoder or pipeline change that must not change a tile (a
binary before and after, over one database).

    same_tiles.py BASE_A BASE_B LAYER... ; exit status 1 when any tile differs
"""
import os
import sys
import urllib.request

a, b, layers = sys.argv[1], sys.argv[2], sys.argv[3:]
listed = open(os.path.join(os.path.dirname(__file__), "tiles.txt"))
tiles = sorted({tuple(map(int, line.split())) for line in listed})
diff = n = total = 0
for layer in layers:
    for z, x, y in tiles:
        path = "/tiles/%s/%d/%d/%d.pbf" % (layer, z, x, y)
        ta, tb = (urllib.request.urlopen(base + path).read() for base in (a, b))
        n += 1
        total += len(ta)
        if ta != tb:
            diff += 1
            print("differs: %s (%d B against %d B)" % (path, len(ta), len(tb)))
print("%d tiles, %d bytes, %d differ" % (n, total, diff))
sys.exit(1 if diff else 0)
