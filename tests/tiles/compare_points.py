#!/usr/bin/env python3
"""compare_points.py — two decodings (tests/tiles/decode.mjs) of the same point tile from two
servers serve the same features: the same single points (ids and attributes) and the same
clusters (point_count, position within 1 tile unit: the two round a floating mean differently).

    compare_points.py A.json B.json LAYER ADDRESS

Prints "ADDRESS: N clusters + M points"; exits 1 naming the first differences.
"""
import json
import sys


def features(path, layer):
    singles, clusters = {}, []
    for f in json.load(open(path))["layers"].get(layer, {}).get("features", []):
        if f["props"].get("cluster") is True:
            (x, y), = f["geometry"][0][0:1]
            clusters.append((f["props"]["point_count"], x, y))
        else:
            singles[f["id"]] = f["props"]
    return singles, clusters


def unmatched(ca, cb):
    """Clusters of ca with no cluster of cb of the same count within 1 unit."""
    by_cell = {}
    for c in cb:
        by_cell.setdefault((c[0], round(c[1]), round(c[2])), []).append(c)
    left = []
    for n, x, y in ca:
        hit = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                cands = by_cell.get((n, round(x) + dx, round(y) + dy))
                if cands and hit is None:
                    hit = cands.pop()
        if hit is None:
            left.append((n, x, y))
    return left


def main():
    a_path, b_path, layer, address = sys.argv[1:5]
    sa, ca = features(a_path, layer)
    sb, cb = features(b_path, layer)
    fails = []
    if set(sa) != set(sb):
        fails.append(f"single points: {len(set(sa) - set(sb))} only in A (e.g. {sorted(set(sa) - set(sb))[:5]}), "
                     f"{len(set(sb) - set(sa))} only in B (e.g. {sorted(set(sb) - set(sa))[:5]})")
    diff = [k for k in set(sa) & set(sb) if sa[k] != sb[k]]
    if diff:
        fails.append(f"{len(diff)} points with other attributes, e.g. {diff[0]}: {sa[diff[0]]} vs {sb[diff[0]]}")
    la, lb = unmatched(ca, cb), unmatched(cb, ca)
    if la or lb or len(ca) != len(cb):
        fails.append(f"clusters: {len(ca)} vs {len(cb)}; {len(la)} of A unmatched (e.g. {la[:3]}), "
                     f"{len(lb)} of B unmatched (e.g. {lb[:3]})")
    print(f"  {address}: {len(ca)} clusters + {len(sa)} points, other side {len(cb)} + {len(sb)}")
    if fails:
        print(f"FAIL {address}:", *fails, sep="\n  ", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
