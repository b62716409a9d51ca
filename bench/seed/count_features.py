"""Features per tile of two vector MBTiles archives, each tile decoded by GDAL's MVT driver:
prints the totals, the tiles only one archive has, and the tiles whose counts differ.

    python3 count_features.py A.mbtiles B.mbtiles
"""
import gzip
import sqlite3
import sys

from osgeo import gdal, ogr

gdal.UseExceptions()


def counts(path):
    out = {}
    db = sqlite3.connect(path)
    for z, x, row, data in db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"):
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        y = (1 << z) - 1 - row
        name = f"/vsimem/{z}_{x}_{y}.pbf"
        gdal.FileFromMemBuffer(name, data)
        ds = gdal.OpenEx(name, gdal.OF_VECTOR, allowed_drivers=["MVT"],
                         open_options=[f"X={x}", f"Y={y}", f"Z={z}"])
        n = sum(ds.GetLayer(i).GetFeatureCount() for i in range(ds.GetLayerCount()))
        ds = None
        gdal.Unlink(name)
        out[(z, x, y)] = n
    return out


a, b = counts(sys.argv[1]), counts(sys.argv[2])
only_a = sorted(set(a) - set(b))
only_b = sorted(set(b) - set(a))
common = set(a) & set(b)
differ = sorted(k for k in common if a[k] != b[k])
print(f"# features: {sum(a.values())} in {len(a)} tiles (first), {sum(b.values())} in {len(b)} tiles (second)")
print(f"# tiles only in the first: {len(only_a)} ({sum(a[k] for k in only_a)} features); "
      f"only in the second: {len(only_b)} ({sum(b[k] for k in only_b)} features)")
print(f"# tiles in both with the same count: {len(common) - len(differ)} of {len(common)}; "
      f"differing by {sum(abs(a[k] - b[k]) for k in differ)} features in all")
for k in differ[:5]:
    print(f"#   {k[0]}/{k[1]}/{k[2]}: {a[k]} against {b[k]}")
