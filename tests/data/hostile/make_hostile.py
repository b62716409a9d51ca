#!/usr/bin/env python3
"""Writes the large or binary hostile files into OUT_DIR at test time (they are never committed):

  zip_bomb.zip         one entry of 200 MiB of zeros, about 200 kB compressed (ratio ~1000)
  dotdot.zip           a shapefile whose .shp entry is named ../../evil.shp
  absolute.zip         a shapefile whose .shp entry is named /tmp/teselas-evil.shp
  dotdot.kmz           a KMZ whose document is named ../doc.kml
  networklink.kmz      a KMZ whose document links to http://127.0.0.1:PORT/ (PORT: argv[2])
  billion_dbf.shp/.shx/.dbf/.prj  a one-point shapefile whose .dbf header claims 10^9 records
  line_100mb.csv       a header and one data line of 100 MiB

usage: make_hostile.py OUT_DIR PORT
"""
import os
import struct
import sys
import zipfile

out, port = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))


def shapefile(base):
    """A one-point shapefile (EPSG:4326) written by hand from the ESRI specification."""
    x, y = -101.68, 21.12
    rec = struct.pack("<i2d", 1, x, y)                   # shape type 1 (point), x, y
    def header(length_words):
        return (struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words)
                + struct.pack("<2i4d4d", 1000, 1, x, y, x, y, 0, 0, 0, 0))
    shp = header((100 + 8 + len(rec)) // 2) + struct.pack(">2i", 1, len(rec) // 2) + rec
    shx = header((100 + 8) // 2) + struct.pack(">2i", 50, len(rec) // 2)
    name = b"nombre".ljust(11, b"\0")
    field = name + b"C" + b"\0" * 4 + bytes([20, 0]) + b"\0" * 14
    dbf = (struct.pack("<B3BIHH", 3, 126, 1, 1, 1, 32 + 32 + 1, 1 + 20) + b"\0" * 20
           + field + b"\r" + b" " + b"Pozo 1".ljust(20) + b"\x1a")
    prj = ('GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,'
           '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')
    return {base + ".shp": shp, base + ".shx": shx, base + ".dbf": dbf, base + ".prj": prj.encode()}


def write_zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)


with zipfile.ZipFile(os.path.join(out, "zip_bomb.zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    with z.open("pozos.csv", "w") as f:
        f.write(b"nombre,latitud,longitud\n")
        zeros = b"0" * (1 << 20)
        for _ in range(200):
            f.write(zeros)

files = shapefile("pozos")
write_zip(os.path.join(out, "dotdot.zip"),
          {("../../evil.shp" if k.endswith(".shp") else k): v for k, v in files.items()})
write_zip(os.path.join(out, "absolute.zip"),
          {("/tmp/teselas-evil.shp" if k.endswith(".shp") else k): v for k, v in files.items()})

kml = open(os.path.join(here, "networklink.kml.in")).read().replace("@PORT@", port)
write_zip(os.path.join(out, "dotdot.kmz"), {"../doc.kml": kml.split("<NetworkLink>")[0] + "</Document></kml>\n"})
write_zip(os.path.join(out, "networklink.kmz"), {"doc.kml": kml, "otro.kml": kml})

for name, data in shapefile("billion_dbf").items():
    if name.endswith(".dbf"):
        data = data[:4] + struct.pack("<I", 1_000_000_000) + data[8:]
    open(os.path.join(out, name), "wb").write(data)

with open(os.path.join(out, "line_100mb.csv"), "wb") as f:
    f.write(b"nombre,latitud,longitud\n\"")
    block = b"x" * (1 << 20)
    for _ in range(100):
        f.write(block)
    f.write(b"\",21.12,-101.68\n")
