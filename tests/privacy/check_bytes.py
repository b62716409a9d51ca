#!/usr/bin/env python3
"""check_bytes.py — are values of a source still anywhere in the bytes of database files?

    check_bytes.py --csv SOURCE.csv [--lat COL --lon COL] [--text COL ...] [--doubles FILE]
                   [--expect found|absent] FILE [FILE ...]

Reads every FILE (a database, its -wal and -shm; missing ones are skipped) as raw bytes, free
pages included, and looks for
  * every exact coordinate of the source (--lat/--lon columns) as the 8-byte double SQLite and
    SpatiaLite store, at any offset and in both byte orders, and as the text of the source;
  * every value of the --text columns, as UTF-8 (values shorter than 6 bytes are skipped: they
    occur by chance);
  * every number of --doubles (one per line, e.g. published cell centres dumped before a removal).
Exits 0 when the result is the one expected (--expect absent, the default: nothing found; found:
at least one value found, the control that shows the check can see them), 1 otherwise, printing
what it found.
"""
import argparse
import array
import csv
import os
import re
import subprocess
import sys
import tempfile


def doubles_in(data, wanted):
    found = set()
    for shift in range(8):
        n = (len(data) - shift) // 8
        a = array.array("d", data[shift:shift + 8 * n])
        found |= wanted.intersection(a)
        a.byteswap()
        found |= wanted.intersection(a)
    return found


def texts_in(path, needles):
    if not needles:
        return set()
    with tempfile.NamedTemporaryFile("wb", delete=False) as f:
        f.write(b"\n".join(needles) + b"\n")
    out = subprocess.run(["grep", "-a", "-o", "-F", "-f", f.name, path], capture_output=True,
                         env=dict(os.environ, LC_ALL="C"))
    os.unlink(f.name)
    return set(out.stdout.splitlines())


NUMBER = re.compile(rb"-?\d+\.\d+")


def numbers_in(data, wanted):
    """The decimal numbers written as text in data (whole tokens: "19.373435" is not found inside
    SpatiaLite's "19.37343583") that are in wanted."""
    return wanted.intersection(NUMBER.findall(data))


def number(s):
    try:
        return float(s)
    except ValueError:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--lat")
    ap.add_argument("--lon")
    ap.add_argument("--text", action="append", default=[])
    ap.add_argument("--doubles")
    ap.add_argument("--expect", choices=["absent", "found"], default="absent")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    texts, coords, coord_texts = {}, {}, {}
    with open(a.csv, encoding="utf-8", newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            for col in a.text:
                v = (r.get(col) or "").strip()
                if len(v.encode()) >= 6:
                    texts[v.encode()] = "%s of row %d" % (col, i + 1)
            for col in (a.lat, a.lon):
                d = number(r[col]) if col else None
                if d is None:
                    continue
                coords[d] = "%s of row %d (double)" % (col, i + 1)
                if len(r[col]) >= 8:  # "19.5" may be anything; "19.5440795" is this record
                    coord_texts[r[col].strip().encode()] = "%s of row %d (text)" % (col, i + 1)
    if a.doubles:
        for line in open(a.doubles):
            d = number(line.strip())
            if d is not None:
                coords[d] = "published value %s (double)" % line.strip()
    found, size = [], 0
    for path in a.files:
        if not os.path.exists(path):
            continue
        data = open(path, "rb").read()
        size += len(data)
        found += ["%s: %s" % (os.path.basename(path), texts[t]) for t in texts_in(path, texts)
                  if t in texts]
        found += ["%s: %s" % (os.path.basename(path), coord_texts[t])
                  for t in numbers_in(data, set(coord_texts))]
        found += ["%s: %s" % (os.path.basename(path), coords[d])
                  for d in doubles_in(data, set(coords))]
    print("check_bytes: %d bytes searched for %d values, %d found" % (size, len(texts) + len(coords) + len(coord_texts),
                                                                       len(found)))
    if a.expect == "absent":
        for f in found[:10]:
            print("FOUND: " + f)
        sys.exit(1 if found else 0)
    sys.exit(0 if found else 1)


if __name__ == "__main__":
    main()
