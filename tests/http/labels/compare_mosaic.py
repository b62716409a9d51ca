#!/usr/bin/env python3
"""compare_mosaic.py — the labels of a mosaic of PNG tiles against a static image of the same area.

    compare_mosaic.py STATIC.png COLS ROWS TILE_0_0.png TILE_1_0.png ... (row by row)

Both are drawn by a labels-only style (dark text on white). The tiles are stitched; every label
of the static image (a connected blob of dark pixels, letters of one label joined by a 2-pixel
dilation) away from the outer border (where a static image leaves out what it would cut) must be
in the mosaic: at least 90 % of its pixels dark there too. Prints the counts; exit 1 when a label
is missing. Needs numpy; reads PNGs with tests/golden/render/imgcompare.py."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "golden", "render"))
from imgcompare import read_png  # noqa: E402


def dark(path):
    img = read_png(path).astype(np.float32)
    if img.shape[2] == 4:  # over white
        a = img[:, :, 3:4] / 255.0
        img = img[:, :, :3] * a + 255 * (1 - a)
    return img[:, :, :3].max(axis=2) < 128


def blobs(mask):
    """Connected components of mask dilated by 2 px; yields the original pixels of each."""
    h, w = mask.shape
    grown = mask.copy()
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            grown |= np.roll(np.roll(mask, dy, 0), dx, 1)
    seen = np.zeros_like(grown)
    for y0, x0 in zip(*np.nonzero(grown)):
        if seen[y0, x0]:
            continue
        stack, pix = [(y0, x0)], []
        seen[y0, x0] = True
        while stack:
            y, x = stack.pop()
            pix.append((y, x))
            for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                if 0 <= ny < h and 0 <= nx < w and grown[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
        ys, xs = zip(*pix)
        sel = mask[list(ys), list(xs)]
        yield np.array(ys)[sel], np.array(xs)[sel]


def main():
    static, cols, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    tiles = [dark(p) for p in sys.argv[4:]]
    th, tw = tiles[0].shape
    mosaic = np.vstack([np.hstack(tiles[r * cols:(r + 1) * cols]) for r in range(rows)])
    ref = dark(static)
    if ref.shape != mosaic.shape:
        print(f"sizes differ: static {ref.shape}, mosaic {mosaic.shape}")
        return 1
    border = 4
    n, missing, on_seam = 0, [], 0
    for ys, xs in blobs(ref):
        if len(ys) == 0 or ys.min() < border or xs.min() < border or \
           ys.max() >= ref.shape[0] - border or xs.max() >= ref.shape[1] - border:
            continue
        n += 1
        crosses = (xs.min() // tw != xs.max() // tw) or (ys.min() // th != ys.max() // th)
        on_seam += crosses
        share = mosaic[ys, xs].mean()
        if share < 0.9:
            missing.append((int(xs.mean()), int(ys.mean()), round(float(share), 2), bool(crosses)))
    print(f"{n} labels in the static image, {on_seam} across a tile edge, {len(missing)} missing "
          f"from the tiles: {missing[:10]}")
    return 1 if missing or n == 0 else 0


sys.exit(main())
