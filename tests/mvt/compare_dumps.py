#!/usr/bin/env python3
"""compare_dumps.py — teselas' decoding of vector tiles (mvt_dump) against npm
@mapbox/vector-tile's (dump_ref.mjs), file by file, for tests/http/test_mvt_decode.sh.

    compare_dumps.py MVT_DUMP LIST.txt REF.jsonl   → a JSON summary on stdout

LIST.txt names the tile files, one a line, in the order of REF.jsonl. The reference is
normalised to what the decoder promises (decode.h): features of UNKNOWN type and polygon rings
of zero area left out, the points of a multipoint as one part. Everything else must be equal:
layer names, versions, extents, feature order, ids, geometry types, every property with its
JSON type, and every coordinate of every part. The summary also counts the polygons the
decoder made against the exterior rings found here by the surveyor's formula (MVT 2.1
§4.3.4.4, the first ring's sign deciding as in @mapbox/vector-tile's classifyRings)."""
import json
import subprocess
import sys


def area2(ring):
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
               for i in range(len(ring) - 1))


def normalise(f):
    parts = f["parts"]
    if f["type"] == 1:
        parts = [[p for part in parts for p in part]]
    elif f["type"] == 3:
        parts = [r for r in parts if area2(r) != 0]
    return parts


def same_props(a, b):
    if a.keys() != b.keys():
        return False
    for k, v in a.items():
        w = b[k]
        if type(v) is not type(w) and not (isinstance(v, (int, float)) and isinstance(w, (int, float))
                                           and not isinstance(v, bool) and not isinstance(w, bool)):
            return False
        if isinstance(v, float) or isinstance(w, float):
            if abs(v - w) > 1e-9 * max(1.0, abs(v)):
                return False
        elif v != w:
            return False
    return True


def main():
    dump, listing, ref_path = sys.argv[1:4]
    files = [l.strip() for l in open(listing) if l.strip()]
    refs = [json.loads(l) for l in open(ref_path) if l.strip()]
    out = {"files": len(files), "features": 0, "polygons": 0, "parts": 0, "points": 0,
           "layers": set(), "mismatches": [], "errors": []}
    assert len(refs) == len(files), (len(refs), len(files))
    for path, ref in zip(files, refs):
        assert ref["file"] == path
        run = subprocess.run([dump, path], capture_output=True, text=True)
        if run.returncode != 0:
            out["errors"].append([path, run.stdout.strip()[:200]])
            continue
        ours = json.loads(run.stdout)["layers"]
        theirs = ref["layers"]
        if sorted(ours) != sorted(theirs):
            out["mismatches"].append([path, "layers", sorted(ours), sorted(theirs)])
            continue
        for name, tl in theirs.items():
            ol = ours[name]
            out["layers"].add(name)
            if (ol["version"], ol["extent"]) != (tl["version"], tl["extent"]):
                out["mismatches"].append([path, name, "version/extent"])
            tf = [f for f in tl["features"] if f["type"] in (1, 2, 3) and normalise(f)]
            of = ol["features"]
            if len(of) != len(tf):
                out["mismatches"].append([path, name, "count", len(of), len(tf)])
                continue
            for i, (a, b) in enumerate(zip(of, tf)):
                what = None
                if a["id"] != b["id"]:
                    what = "id"
                elif a["type"] != b["type"]:
                    what = "type"
                elif not same_props(a["props"], b["props"]):
                    what = "props"
                elif a["parts"] != normalise(b):
                    what = "geometry"
                elif a["type"] == 3:
                    rings = normalise(b)
                    sign = 1 if area2(rings[0]) > 0 else -1
                    exteriors = [k for k, r in enumerate(rings) if area2(r) * sign > 0]
                    starts = [0] + a["poly_end"][:-1]
                    if starts != exteriors:
                        what = "rings"
                    out["polygons"] += len(exteriors)
                if what:
                    out["mismatches"].append([path, name, i, what])
                out["features"] += 1
                out["parts"] += len(a["parts"])
                out["points"] += sum(len(p) for p in a["parts"])
    out["layers"] = sorted(out["layers"])
    out["mismatches"] = out["mismatches"][:20]
    json.dump(out, sys.stdout)
    print()


main()
