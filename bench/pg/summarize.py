#!/usr/bin/env python3
"""The tables of bench/pg/run.sh from its raw lines (one JSON object per side and zoom: tiles,
seconds, server_cpu_s, pg_cpu_s, stats {"z/x/y": [bytes, features]}).

    summarize.py RAW.jsonl

Per zoom: tiles/s of wall clock, CPU per tile of the server side (teselas's process; PostgreSQL's
postmaster and backends), features and mean bytes. A ratio is written only where both sides served
the same features (within 0.1 %) on the tiles both answered.
"""
import json
import sys

SIDES = ["teselas-sqlite", "teselas-pg", "st_asmvt-3857", "st_asmvt-alike"]


def load(path):
    cells = {}
    for line in open(path):
        d = json.loads(line)
        cells[(d["side"], d["z"])] = d
    return cells


def rate(d):
    return d["tiles"] / d["seconds"] if d["seconds"] > 0 else 0.0


def cpu_us(d):
    """CPU µs per tile of the whole server side: teselas + PostgreSQL, or PostgreSQL alone."""
    teselas = d["server_cpu_s"] if d["side"].startswith("teselas") else 0.0
    return (teselas + d["pg_cpu_s"]) * 1e6 / d["tiles"] if d["tiles"] else float("nan")


def same(a, b):
    """Features and mean bytes of a and b on the tiles both answered; equal within 0.1 %."""
    keys = sorted(set(a["stats"]) & set(b["stats"]))
    fa = sum(a["stats"][k][1] for k in keys)
    fb = sum(b["stats"][k][1] for k in keys)
    ba = sum(a["stats"][k][0] for k in keys) // max(len(keys), 1)
    bb = sum(b["stats"][k][0] for k in keys) // max(len(keys), 1)
    return abs(fa - fb) <= 0.001 * max(fa, fb, 1), len(keys), fa, fb, ba, bb


def main():
    cells = load(sys.argv[1])
    zooms = sorted({z for _, z in cells})
    print("| z | side | tiles/s | CPU µs/tile: teselas + PostgreSQL | PostgreSQL CPU µs/tile | features, mean bytes |")
    print("| --- | --- | --- | --- | --- | --- |")
    for z in zooms:
        for s in SIDES:
            d = cells.get((s, z))
            if not d:
                continue
            feats = sum(v[1] for v in d["stats"].values())
            mean = sum(v[0] for v in d["stats"].values()) // max(len(d["stats"]), 1)
            pg = "-" if s == "teselas-sqlite" else "%.0f" % (d["pg_cpu_s"] * 1e6 / d["tiles"])
            tes = "%.0f" % (d["server_cpu_s"] * 1e6 / d["tiles"]) if s.startswith("teselas") else "0"
            print("| %d | %s | %.1f | %s + %s = %.0f | %s | %s features in %d tiles, %s B |" % (
                z, s, rate(d), tes, pg if pg != "-" else "0", cpu_us(d), pg, format(feats, ","),
                len(d["stats"]), format(mean, ",")))
    print()
    print("| z | teselas-pg / ST_AsMVT 3857: wall (CPU) | teselas-pg / ST_AsMVT alike: wall (CPU) | teselas-sqlite / teselas-pg: wall (CPU) |")
    print("| --- | --- | --- | --- |")
    for z in zooms:
        tp = cells.get(("teselas-pg", z))
        row = []
        for other, flip in (("st_asmvt-3857", False), ("st_asmvt-alike", False), ("teselas-sqlite", True)):
            o = cells.get((other, z))
            if not tp or not o:
                row.append("-")
                continue
            ok, n, fa, fb, ba, bb = same(tp, o)
            a, b = (o, tp) if flip else (tp, o)
            if not ok:
                row.append("no ratio: %s vs %s features on %d tiles" % (format(fa, ","), format(fb, ","), n))
                continue
            row.append("**%.2fx** (%.2fx); %s features on %d tiles, %s B vs %s B" % (
                rate(a) / rate(b), cpu_us(b) / cpu_us(a), format(fa, ","), n, format(ba, ","), format(bb, ",")))
        print("| %d | %s |" % (z, " | ".join(row)))


if __name__ == "__main__":
    main()
