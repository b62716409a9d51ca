#!/usr/bin/env python3
"""test_crosscheck.py TESELAS_PNG DB OUT_DIR — renders with Mapnik the area teselas drew with
tests/mapnik/styles/x-check.json and checks the two agree: same features in the same places,
within a tolerance looser than the golden images' (two anti-aliasing rasterisers, two stroke
models). Writes mapnik.png (and diff.png on failure) into OUT_DIR. Run by
tests/http/test_styles_mapnik.sh."""
import os
import sys

import mapnik

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "render"))
import imgcompare  # noqa: E402
import mapnik_maps  # noqa: E402

BOX = (-101.69, 21.11, -101.67, 21.13)
W = H = 256


def main():
    ours, db, out = sys.argv[1], sys.argv[2], sys.argv[3]
    m = mapnik.Map(W, H)
    mapnik.load_map_from_string(m, mapnik_maps.crosscheck_xml(db))
    m.zoom_to_box(mapnik.Box2d(*mapnik_maps.view_bbox(*BOX, W, H)))
    im = mapnik.Image(W, H)
    mapnik.render(m, im)
    theirs = os.path.join(out, "mapnik.png")
    im.save(theirs, "png32")
    a, b = imgcompare.read_png(ours), imgcompare.read_png(theirs)
    ok, frac, mask, msg = imgcompare.compare(a, b, threshold=64, max_fraction=0.02, blur_r=2)
    print(("agree: " if ok else "DISAGREE: ") + msg)
    # and the drawn parts cover the same pixels: coverage of non-background within 3 %
    bg = imgcompare.on_white(a)[0, 0]
    cov_a = (abs(imgcompare.on_white(a) - bg).max(axis=2) > 24).mean()
    cov_b = (abs(imgcompare.on_white(b) - bg).max(axis=2) > 24).mean()
    print(f"drawn pixels: teselas {cov_a * 100:.2f}%, mapnik {cov_b * 100:.2f}%")
    if abs(cov_a - cov_b) > 0.03:
        ok = False
    if not ok and mask is not None:
        grey = imgcompare.on_white(a).mean(axis=2, keepdims=True) * 0.3 + 178
        img = grey.repeat(3, axis=2)
        img[mask] = [255, 0, 0]
        imgcompare.write_png(os.path.join(out, "diff.png"), img)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
