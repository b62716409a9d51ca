#!/usr/bin/env python3
"""The diff of two versions, computed independently from the two source CSV files.

  versions_check.py edit SRC DST --lat COL --lon COL [--id COL] [--retype COL] [--drop COL]
      writes a second version of SRC: every 50th located record deleted, every 37th moved by
      0.001 degree, every 41st with its first text field changed, COL retyped (integer values
      prefixed with a letter), a field dropped and one added, five records added (copies of
      located ones with new ids, or moved copies without an id field).
  versions_check.py compare V1 V2 DIFF.json... --lat COL --lon COL [--id COL] [--partial]
      checks counts, added/removed/changed ids (with what changed), field changes, each change's
      box and the total box of the diff documents (all the pages of one diff) against the files.

Values are compared as text, fields both files have with one inferred type, as teselas says it
compares them; records without numeric coordinates are left out (the importer rejects them)."""
import argparse
import csv
import json
import re
import sys


def located(row, lat, lon):
    try:
        float(row[lat]), float(row[lon])
        return True
    except (TypeError, ValueError):
        return False


def edit(a):
    with open(a.src, newline="", encoding="utf-8") as f:
        r = csv.DictReader(f)
        names = list(r.fieldnames)
        rows = list(r)
    text_field = next(n for n in names if n not in (a.lat, a.lon, a.id, a.retype, a.drop)
                      and not re.fullmatch(r"-?\d+(\.\d+)?", rows[0][n] or ""))
    out = []
    for i, row in enumerate(rows, 1):
        if i % 50 == 0 and located(row, a.lat, a.lon):
            continue
        if i % 37 == 0 and located(row, a.lat, a.lon):
            row[a.lat] = repr(float(row[a.lat]) + 0.001)
        if i % 41 == 0:
            row[text_field] = row[text_field] + " (revisado)"
        if a.retype:
            row[a.retype] = "m" + row[a.retype]
        if a.drop:
            del row[a.drop]
        row["folio_nuevo"] = "F-%06d" % i
        out.append(row)
    extra = [dict(r) for r in out if located(r, a.lat, a.lon)][:5]
    for k, row in enumerate(extra):
        if a.id:
            row[a.id] = str(900000 + k)
        else:
            row[a.lon] = repr(float(row[a.lon]) + 0.002)
        out.append(row)
    fields = [n for n in names if n != a.drop] + ["folio_nuevo"]
    with open(a.dst, "w", newline="", encoding="utf-8") as g:
        w = csv.DictWriter(g, fields)
        w.writeheader()
        w.writerows(out)


def load(path, lat, lon):
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.DictReader(f)
        return list(r.fieldnames), [row for row in r if located(row, lat, lon)]


def kind(values):
    # "-" is INEGI's mark for a missing figure: the importer counts it a type error, not a type
    vals = [v for v in values if v not in ("", None, "-")]
    if vals and all(re.fullmatch(r"-?\d+", v) for v in vals):
        return "integer"
    if vals and all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in vals):
        return "real"
    return "text"


def expected(a):
    n1, r1 = load(a.v1, a.lat, a.lon)
    n2, r2 = load(a.v2, a.lat, a.lon)
    geo = {a.lat, a.lon}
    t1 = {n: kind(r[n] for r in r1) for n in n1 if n not in geo}
    t2 = {n: kind(r[n] for r in r2) for n in n2 if n not in geo}
    fields = {"added": sorted(set(t2) - set(t1)), "removed": sorted(set(t1) - set(t2)),
              "retyped": sorted(n for n in t1 if n in t2 and t1[n] != t2[n])}
    common = [n for n in t1 if n in t2 and t1[n] == t2[n]]
    pos = lambda r: (float(r[a.lon]), float(r[a.lat]))
    attrs = lambda r: tuple(r[n] for n in common)
    changes = {}
    if a.id:
        m1 = {r[a.id]: r for r in r1}
        m2 = {r[a.id]: r for r in r2}
        for k in m1.keys() - m2.keys():
            changes[("removed", k)] = [pos(m1[k])]
        for k in m2.keys() - m1.keys():
            changes[("added", k)] = [pos(m2[k])]
        for k in m1.keys() & m2.keys():
            g, t = pos(m1[k]) != pos(m2[k]), attrs(m1[k]) != attrs(m2[k])
            if g or t:
                changes[("changed", k, g, t)] = [pos(m1[k]), pos(m2[k])]
        unchanged = len(m1.keys() & m2.keys()) - sum(1 for c in changes if c[0] == "changed")
    else:
        from collections import Counter
        c1 = Counter((pos(r), attrs(r)) for r in r1)
        c2 = Counter((pos(r), attrs(r)) for r in r2)
        for key, n in (c1 - c2).items():
            changes[("removed", key)] = [key[0]] * n
        for key, n in (c2 - c1).items():
            changes[("added", key)] = [key[0]] * n
        unchanged = sum((c1 & c2).values())
    return fields, changes, unchanged


def compare(a):
    fields, want, unchanged = expected(a)
    docs = [json.load(open(p)) for p in a.diffs]
    d = docs[0]
    got_fields = {k: sorted(f["name"] for f in d["fields"][k]) for k in fields}
    assert got_fields == fields, (got_fields, fields)
    matched = d["matched_by"]
    assert matched == ({"field": a.id} if a.id else {"content": "geometry+attributes"}), matched
    n = {"added": 0, "removed": 0, "changed": 0}
    for key in want:
        n[key[0]] += len(want[key]) if not a.id and key[0] != "changed" else 1
    c = d["counts"]
    assert (c["added"], c["removed"], c["changed"], c["unchanged"]) == \
        (n["added"], n["removed"], n["changed"], unchanged), (c, n, unchanged)
    changes = [ch for doc in docs for ch in doc["changes"]]
    if not a.partial:
        assert len(changes) == n["added"] + n["removed"] + n["changed"], len(changes)
    box = [180, 90, -180, -90]
    seen = set()
    for ch in changes:
        if a.id:
            key = (ch["change"], ch["id"]) if ch["change"] != "changed" else \
                ("changed", ch["id"], ch["geometry"], ch["attributes"])
            assert key in want, ("unexpected change", ch)
            assert key not in seen, ("listed twice", ch)
            seen.add(key)
            pts = want[key]
        else:
            assert ch["id"] is None and ch["change"] in ("added", "removed"), ch
            pts = [(ch["bbox"][0], ch["bbox"][1])]
            assert any(k[0] == ch["change"] and abs(k[1][0][0] - pts[0][0]) < 1e-9 and
                       abs(k[1][0][1] - pts[0][1]) < 1e-9 for k in want), ("unexpected", ch)
        b = ch["bbox"]
        exp = [min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts),
               max(p[1] for p in pts)]
        assert all(abs(x - y) < 1e-9 for x, y in zip(b, exp)), ("box", ch, exp)
        box = [min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3])]
    if not a.partial:
        assert all(abs(x - y) < 1e-9 for x, y in zip(d["bbox"], box)), (d["bbox"], box)
    print("diff ok: %(added)d added, %(removed)d removed, %(changed)d changed" % n,
          "(%d unchanged, fields %s)" % (unchanged, fields))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["edit", "compare"])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--lat", required=True)
    ap.add_argument("--lon", required=True)
    ap.add_argument("--id")
    ap.add_argument("--retype")
    ap.add_argument("--drop")
    ap.add_argument("--partial", action="store_true",
                    help="the documents hold some pages only: check what they list and the counts")
    a = ap.parse_args()
    if a.cmd == "edit":
        a.src, a.dst = a.files
        edit(a)
    else:
        a.v1, a.v2, *a.diffs = a.files
        compare(a)


if __name__ == "__main__":
    sys.exit(main())
