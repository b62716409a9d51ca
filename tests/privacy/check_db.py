#!/usr/bin/env python3
"""check_db.py — nothing the privacy policy withholds is in the database files (issue 8).

    check_db.py --csv SOURCE.csv --mode MODE --drop F [--drop F ...] DB [DB-wal DB-shm ...]

Searches the bytes of every file given (the database and its -wal/-shm, when present) for
  * every value of a dropped field (as UTF-8 text), and
  * with generalize or aggregate, every exact source coordinate: as the 8-byte little-endian
    double the importer parsed (how SpatiaLite stores a point) and as the text of the source file
    (how a report or a log line would carry it).
Exits 1 naming what it found.
"""
import argparse
import array
import csv
import os
import subprocess
import sys
import tempfile


def doubles_in(data, wanted):
    """The values of `wanted` stored as 8-byte doubles at any offset, little- or big-endian."""
    found = set()
    for shift in range(8):
        n = (len(data) - shift) // 8
        a = array.array("d", data[shift:shift + 8 * n])
        found |= wanted.intersection(a)
        a.byteswap()
        found |= wanted.intersection(a)
    return found


def texts_in(path, needles):
    """The needles found in the file, by grep -F (Aho-Corasick: one pass for all of them)."""
    with tempfile.NamedTemporaryFile("wb", delete=False) as f:
        f.write(b"\n".join(needles) + b"\n")
    out = subprocess.run(["grep", "-a", "-o", "-F", "-f", f.name, path], capture_output=True,
                         env=dict(os.environ, LC_ALL="C"))
    os.unlink(f.name)
    return set(out.stdout.splitlines())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--mode", required=True)
    ap.add_argument("--drop", action="append", default=[])
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    rows = list(csv.DictReader(open(a.csv, encoding="utf-8")))
    texts, coords = {}, {}
    for r in rows:
        for f in a.drop:
            v = r[f].strip()
            if len(v) >= 6:
                texts[v.encode("utf-8")] = "%s of record %s" % (f, r["id"])
        if a.mode != "none":
            for axis in ("lon", "lat"):
                coords[float(r[axis])] = "%s of record %s (as a double)" % (axis, r["id"])
                texts[r[axis].encode()] = "%s of record %s (as text)" % (axis, r["id"])
    found, size = [], 0
    for path in a.files:
        if not os.path.exists(path):
            continue
        data = open(path, "rb").read()
        size += len(data)
        found += ["%s: %s" % (os.path.basename(path), texts[t]) for t in texts_in(path, texts)
                  if t in texts]
        found += ["%s: %s" % (os.path.basename(path), coords[d])
                  for d in doubles_in(data, set(coords))]
    print("check_db: %d bytes searched for %d values" % (size, len(texts) + len(coords)))
    for f in found[:20]:
        print("LEAK: " + f)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
