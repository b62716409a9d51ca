#!/usr/bin/env python3
"""mapnik_bench.py DB TILES ZOOM SECONDS OUTDIR — Mapnik's side of bench/render/run.sh: renders the
tiles of ZOOM from the list (z x y per line) with the map of tests/mapnik/mapnik_maps.py
bench_xml, in 2 processes (each its half of the list, round robin, for SECONDS), and prints
"tiles_per_s tiles_per_cpu_s mean_png32_bytes mean_png8_bytes". Every tile is rendered anew (no
cache). The timed PNG is "png32:z=3": lossless RGBA at zlib level 3, teselas's level (teselas also
writes a palette when an image has at most 256 colours, and no row filters; Mapnik has no option
for either); png8 (Mapnik's default "png", quantised: lossy) is reported for its size."""
import multiprocessing as mp
import os
import sys
import time

import mapnik

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "mapnik"))
import mapnik_maps  # noqa: E402

PNG = "png32:z=3"


def worker(db, tiles, seconds, q):
    m = mapnik.Map(256, 256)
    mapnik.load_map_from_string(m, mapnik_maps.bench_xml(db))
    m.buffer_size = 32
    n, end = 0, time.time() + seconds
    cpu0 = time.process_time()
    while time.time() < end:
        z, x, y = tiles[n % len(tiles)]
        m.zoom_to_box(mapnik.Box2d(*mapnik_maps.tile_bbox(z, x, y)))
        im = mapnik.Image(256, 256)
        mapnik.render(m, im)
        im.tostring(PNG)
        n += 1
    cpu = time.process_time() - cpu0
    sizes32, sizes8 = [], []
    for z, x, y in tiles:
        m.zoom_to_box(mapnik.Box2d(*mapnik_maps.tile_bbox(z, x, y)))
        im = mapnik.Image(256, 256)
        mapnik.render(m, im)
        sizes32.append(len(im.tostring(PNG)))
        sizes8.append(len(im.tostring("png8")))
    q.put((n, sizes32, sizes8, cpu))


def main():
    db, tiles_file, zoom, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    tiles = [tuple(map(int, l.split()[:3])) for l in open(tiles_file) if l.split() and int(l.split()[0]) == zoom]
    q = mp.Queue()
    procs = [mp.Process(target=worker, args=(db, tiles[k::2], seconds, q)) for k in range(2)]
    t0 = time.time()
    for p in procs:
        p.start()
    res = [q.get() for _ in procs]
    for p in procs:
        p.join()
    n = sum(r[0] for r in res)
    s32 = [s for r in res for s in r[1]]
    s8 = [s for r in res for s in r[2]]
    cpu = sum(r[3] for r in res)
    print(f"{n / seconds:.1f} {n / cpu:.1f} {sum(s32) / len(s32):.0f} {sum(s8) / len(s8):.0f}")


if __name__ == "__main__":
    main()
