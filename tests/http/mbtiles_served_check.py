#!/usr/bin/env python3
"""mbtiles_served_check.py — an MBTiles archive served by teselas against the file itself, read
with Python's sqlite3 (an implementation of its own, sharing no code with the server).

    mbtiles_served_check.py FILE.mbtiles BASE_URL NAME EXT

For every address of the file's zooms up to z5 (and z6 if the file has it), /tiles/NAME/z/x/y.EXT
must answer 200 with the file's tile (inflated when stored gzip'd and not asked for with gzip;
as stored with Accept-Encoding: gzip), 204 where the file has no tile; a zoom outside the file's
is a 404 JSON. Prints one JSON document: counts and the list of mismatches.
"""
import gzip
import http.client
import json
import sqlite3
import sys
import urllib.parse

path, base, name, ext = sys.argv[1:5]
db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
tiles = {}
for z, x, row, data in db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"):
    tiles[(z, x, (1 << z) - 1 - row)] = bytes(data)  # TMS rows, counted from the south
meta = dict(db.execute("SELECT name, value FROM metadata"))
zooms = sorted({k[0] for k in tiles})
lo = int(meta.get("minzoom", zooms[0]))
hi = int(meta.get("maxzoom", zooms[-1]))

u = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)


def get(p, gz=False):
    conn.request("GET", p, headers={"Accept-Encoding": "gzip"} if gz else {})
    r = conn.getresponse()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()


out = {"addresses": 0, "tiles": 0, "gzip_passed": 0, "mismatches": [], "etags": set()}
for z in range(lo, min(hi, 6) + 1):
    for x in range(1 << z):
        for y in range(1 << z):
            out["addresses"] += 1
            want = tiles.get((z, x, y))
            st, h, body = get(f"/tiles/{name}/{z}/{x}/{y}.{ext}")
            if want is None:
                if st != 204 or body:
                    out["mismatches"].append([z, x, y, "absent", st, len(body)])
                continue
            out["tiles"] += 1
            stored_gz = want[:2] == b"\x1f\x8b"
            plain = gzip.decompress(want) if stored_gz else want
            if st != 200 or body != plain:
                out["mismatches"].append([z, x, y, "plain", st, len(body), len(plain)])
                continue
            out["etags"].add(h.get("etag"))
            st, h, body = get(f"/tiles/{name}/{z}/{x}/{y}.{ext}", gz=True)
            got = body if h.get("content-encoding") == "gzip" else None
            if stored_gz and got == want:
                out["gzip_passed"] += 1
            elif stored_gz or st != 200 or (gzip.decompress(body) if got else body) != plain:
                out["mismatches"].append([z, x, y, "gzip", st, h.get("content-encoding")])
st, h, body = get(f"/tiles/{name}/{hi + 1}/0/0.{ext}")
out["outside"] = {"status": st, "json": h.get("content-type", "").startswith("application/json")}
out["etags"] = len(out["etags"])
out["metadata"] = meta
print(json.dumps(out))
