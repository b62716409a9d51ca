#!/usr/bin/env python3
"""The tables of bench/tiles/run.sh from its raw results (one JSON line per cell and side: peer,
layer, z, rate (tiles/s), cpu_rate (tiles per CPU second of the server), p50, and stats: bytes and
features of each distinct tile the side answered).

A ratio (teselas / peer, per CPU second; wall clock in brackets) is written only where both sides
serve the same features: their feature counts over the tiles both answered are equal ("="), or
differ by at most 0.5 % (the points on the edge of the 64-unit buffer that two encoders round
differently: "≈", with the counts). Elsewhere the cell shows bytes and time side by side.

    summarize.py RAW.jsonl
"""
import json
import statistics
import sys

PEERS = [("postgis-alike", "PostGIS generalising alike"), ("postgis-3857", "PostGIS, 3857"),
         ("postgis-4326", "PostGIS, 4326 as published"), ("geojson-vt", "geojson-vt")]
NEAR = 0.005


def load(path):
    cells = {}
    for line in open(path):
        r = json.loads(line)
        cells.setdefault((r["layer"], r["z"]), {}).setdefault(r["peer"], []).append(r)
    return cells


def fmt(v, digits=1):
    return "-" if v is None else f"{v:,.{digits}f}"


def compare(ts, ps):
    """(mark, teselas features, peer features, teselas mean B, peer mean B) on common tiles."""
    keys = sorted(set(ts) & set(ps))
    if not keys:
        return None, 0, 0, 0, 0
    tf, pf = sum(ts[k][1] for k in keys), sum(ps[k][1] for k in keys)
    tb, pb = sum(ts[k][0] for k in keys) // len(keys), sum(ps[k][0] for k in keys) // len(keys)
    if tf == pf:
        mark = "="
    elif abs(tf - pf) <= NEAR * max(tf, pf):
        mark = "≈"
    else:
        mark = None
    return mark, tf, pf, tb, pb


def uncached(cells):
    print("Uncached: tiles per CPU second of the server (tiles/s of wall clock in brackets); "
          "features and mean bytes of the tiles both sides answered; ratio teselas / peer only "
          "where the features are the same.")
    print()
    print("| layer | z | teselas | " + " | ".join(name for _, name in PEERS) + " |")
    print("| --- | --- | --- | " + " | ".join("---" for _ in PEERS) + " |")
    for (layer, z), sides in sorted(cells.items()):
        t = sides.get("teselas", [None])[0]
        if not t:
            continue
        row = [layer, str(z), f"{fmt(t['cpu_rate'])} ({fmt(t['rate'])}); "
               f"{sum(v[1] for v in t['stats'].values()):,} features in {len(t['stats'])} tiles, "
               f"{sum(v[0] for v in t['stats'].values()) // max(len(t['stats']), 1):,} B"]
        for peer, _ in PEERS:
            p = sides.get(peer, [None])[0]
            if not p:
                row.append("-")
                continue
            mark, tf, pf, tb, pb = compare(t["stats"], p["stats"])
            speed = f"{fmt(p['cpu_rate'])} ({fmt(p['rate'])})"
            what = f"{pf:,} features vs {tf:,}, {pb:,} B vs {tb:,} B" if mark != "=" else f"same {pf:,} features, {pb:,} B vs {tb:,} B"
            if mark and p["cpu_rate"] and t["cpu_rate"] and p["rate"]:
                ratio = f"**{t['cpu_rate'] / p['cpu_rate']:.1f}x** ({t['rate'] / p['rate']:.1f}x)"
                row.append(f"{speed}; {what}; {mark} {ratio}")
            else:
                row.append(f"{speed}; {what}; no ratio")
        print("| " + " | ".join(row) + " |")
    print()


def cached(cells):
    print("Cached teselas against nginx serving the same tiles as files: medians of the rounds, "
          "tiles/s of wall clock and per CPU second of the server; every round in brackets.")
    print()
    print("| layer | z | teselas tiles/s | nginx tiles/s | teselas / nginx, wall | per CPU s: teselas | nginx | teselas / nginx, CPU |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (layer, z), sides in sorted(cells.items()):
        c, n = sides.get("cached"), sides.get("nginx")
        if not c or not n:
            continue
        med = lambda rs, k: statistics.median([r[k] for r in rs if r[k] is not None])  # noqa: E731
        cw, nw, cc, nc = med(c, "rate"), med(n, "rate"), med(c, "cpu_rate"), med(n, "cpu_rate")
        rounds = ", ".join(f"{a['rate'] / b['rate']:.0%}" for a, b in zip(c, n))
        print(f"| {layer} | {z} | {cw:,.0f} | {nw:,.0f} | {cw / nw:.0%} ({rounds}) | {cc:,.0f} | {nc:,.0f} | {cc / nc:.0%} |")
    print()


if __name__ == "__main__":
    cells = load(sys.argv[1])
    uncached(cells)
    cached(cells)
