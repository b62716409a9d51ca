#!/usr/bin/env python3
"""check_kanon.py — k-anonymity of an aggregate layer through the whole API (issue 8).

    check_kanon.py --base URL --layer ID --csv SOURCE.csv --grid METRES --k K [--by FIELD]
                   [--date FIELD] [--boxes N] [--seed S]

Ground truth: the source points projected to UTM 14N with gdaltransform (the grid of
privacy/grid.h: cell "14:i:j" holds easting in [iN, (i+1)N) and northing in [jN, (j+1)N)).
Checks, for every question the API lets a user ask of the layer:
  * items: every cell's `casos` is >= k and equals the true count of its cell; cells under k
    are absent;
  * one cell at a time (a bbox inside the cell): totals, by category, by month, a category
    filter with and without by=month: every group >= k; counts of a cell, a (cell, category) and a
    (cell, category, month) equal the true counts; (cell, month) counts, derived from published
    leaves, are >= k and never above the truth;
  * many random bboxes: every group >= k; the total equals the sum of `casos` of the cells whose
    box meets the bbox (the answer is made of published units only);
  * differences: for nested bboxes every per-group difference is 0 or >= k; for any two
    overlapping bboxes the difference equals the published units of the cells in one and not the
    other (each >= k), so subtracting answers teaches nothing the per-cell units did not.
Exits 1 listing the violations.
"""
import argparse
import collections
import csv
import http.client
import json
import math
import random
import subprocess
import sys
import urllib.parse


class Api:
    def __init__(self, base, layer):
        u = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.layer = layer
        self.n = 0

    def get(self, path):
        self.conn.request("GET", path)
        r = self.conn.getresponse()
        body = r.read()
        self.n += 1
        if r.status != 200:
            raise SystemExit("%s: HTTP %d %s" % (path, r.status, body[:200]))
        return json.loads(body)

    def agg(self, bbox, by=None, filt=None):
        q = {"bbox": ",".join("%.9f" % v for v in bbox)}
        if by:
            q["by"] = by
        if filt:
            q.update(filt)
        return self.get("/collections/%s/aggregate?%s" % (self.layer, urllib.parse.urlencode(q)))


def truth(a):
    rows = list(csv.DictReader(open(a.csv, encoding="utf-8")))
    inp = "".join("%s %s\n" % (r["lon"], r["lat"]) for r in rows)
    out = subprocess.run(["gdaltransform", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:32614",
                          "-output_xy"], input=inp, capture_output=True, text=True, check=True)
    t = collections.Counter()
    for r, line in zip(rows, out.stdout.splitlines()):
        e, n = map(float, line.split())
        cell = "14:%d:%d" % (math.floor(e / a.grid), math.floor(n / a.grid))
        cat = r[a.by] if a.by else ""
        month = r[a.date][:7] if a.date else ""
        t[(cell,)] += 1
        t[(cell, "c", cat)] += 1
        t[(cell, "m", month)] += 1
        t[(cell, "cm", cat, month)] += 1
    return t


def flatten(c):
    return [c] if isinstance(c[0], (int, float)) else [p for x in c for p in flatten(x)]


def meets(a, b):
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


class Check:
    def __init__(self, a):
        self.a, self.k = a, a.k
        self.api = Api(a.base, a.layer)
        self.bad = []
        self.t = truth(a)

    def fail(self, msg):
        if len(self.bad) < 30:
            self.bad.append(msg)

    def groups(self, what, doc):
        g = {x["key"]: x["count"] for x in doc["groups"]}
        for key, n in g.items():
            if n < self.k:
                self.fail("%s: group %r has %d < k" % (what, key, n))
        if doc["total"] and doc["total"] < self.k:
            self.fail("%s: total %d < k" % (what, doc["total"]))
        return g

    def cells(self):
        doc = self.api.get("/collections/%s/items?limit=10000" % self.a.layer)
        self.cell = {}
        for f in doc["features"]:
            xy = flatten(f["geometry"]["coordinates"])
            box = (min(p[0] for p in xy), min(p[1] for p in xy), max(p[0] for p in xy),
                   max(p[1] for p in xy))
            c, n = f["properties"]["celda"], f["properties"]["casos"]
            self.cell[c] = (box, n)
            if n < self.k:
                self.fail("item %s: casos %d < k" % (c, n))
            if n != self.t[(c,)]:
                self.fail("item %s: casos %d, true count %d" % (c, n, self.t[(c,)]))
        for key, n in self.t.items():
            if len(key) == 1 and n < self.k and key[0] in self.cell:
                self.fail("cell %s with %d records is published" % (key[0], n))
        self.cats = sorted({k[2] for k in self.t if len(k) == 3 and k[1] == "c"})

    def questions(self, box):
        """Every aggregation a user can ask about one bbox: {(question, key): count}."""
        ans = {("total", ""): self.api.agg(box)["total"]}
        self.groups("bbox", {"groups": [], "total": ans[("total", "")]})
        if self.a.by:
            for key, n in self.groups("by category", self.api.agg(box, self.a.by)).items():
                ans[("c", key)] = n
        if self.a.date:
            for key, n in self.groups("by month", self.api.agg(box, "month")).items():
                ans[("m", key)] = n
        if self.a.by:
            for cat in self.cats:
                doc = self.api.agg(box, None, {self.a.by: cat})
                self.groups("filter %s" % cat, doc)
                ans[("fc", cat)] = doc["total"]
                if self.a.date:
                    for key, n in self.groups("filter %s by month" % cat,
                                              self.api.agg(box, "month", {self.a.by: cat})).items():
                        ans[("fcm", cat, key)] = n
        return ans

    def inner(self, box):
        w, h = box[2] - box[0], box[3] - box[1]
        return (box[0] + w * .3, box[1] + h * .3, box[2] - w * .3, box[3] - h * .3)

    def per_cell(self):
        self.unit = {}
        for c, (box, n) in self.cell.items():
            ans = self.questions(self.inner(box))
            self.unit[c] = ans
            if ans[("total", "")] != n:
                self.fail("cell %s alone: total %d, casos %d" % (c, ans[("total", "")], n))
            for key, v in ans.items():
                true = {"c": lambda: self.t[(c, "c", key[1])],
                        "fc": lambda: self.t[(c, "c", key[1])],
                        "fcm": lambda: self.t[(c, "cm", key[1], key[2])],
                        "m": lambda: self.t[(c, "m", key[1])]}.get(key[0])
                if true is None:
                    continue
                if key[0] == "m" and self.a.by:
                    if v > true():  # derived from published leaves: never above the truth
                        self.fail("cell %s month %s: %d > true %d" % (c, key[1], v, true()))
                elif v and v != true():  # 0: withheld
                    self.fail("cell %s %s: %d, true %d" % (c, key, v, true()))
            self.remainders(c, n, ans)

    def remainders(self, c, n, ans):
        """A parent minus its published children (what subtraction inside one cell reveals) is
        0 or >= k: the withheld children are never one small group alone."""
        def check(what, parent, children):
            r = parent - sum(children)
            if 0 < r < self.k or r < 0:
                self.fail("cell %s: %s minus its published parts leaves %d" % (c, what, r))
        if self.a.by:
            check("the cell", n, [v for key, v in ans.items() if key[0] == "c"])
            if self.a.date:
                for cat in self.cats:
                    check(cat, ans[("fc", cat)],
                          [v for key, v in ans.items() if key[0] == "fcm" and key[1] == cat])
        elif self.a.date:
            check("the cell", n, [v for key, v in ans.items() if key[0] == "m"])

    def expected(self, box):
        """The answers for box rebuilt from the per-cell units of the cells it meets."""
        e = collections.Counter()
        for c, (cbox, _) in self.cell.items():
            if meets(box, cbox):
                for key, v in self.unit[c].items():
                    e[key] += v
        return e

    def random_boxes(self):
        rng = random.Random(self.a.seed)
        b = [min(v[0][i] for v in self.cell.values()) if i < 2 else
             max(v[0][i] for v in self.cell.values()) for i in range(4)]
        boxes = []
        for _ in range(self.a.boxes):
            x0, x1 = sorted(rng.uniform(b[0], b[2]) for _ in range(2))
            y0, y1 = sorted(rng.uniform(b[1], b[3]) for _ in range(2))
            outer = (x0, y0, x1, y1)
            f = [rng.uniform(0, .45) for _ in range(4)]
            w, h = x1 - x0, y1 - y0
            nested = (x0 + w * f[0], y0 + h * f[1], x1 - w * f[2], y1 - h * f[3])
            boxes.append((outer, nested))
        n_pairs = n_nested = 0
        answers = []
        for outer, nested in boxes:
            A, B = self.questions(outer), self.questions(nested)
            for box, ans in ((outer, A), (nested, B)):
                e = self.expected(box)
                for key in set(ans) | set(e):
                    if ans.get(key, 0) != e.get(key, 0):
                        self.fail("bbox %s %s: %d, published units sum to %d"
                                  % (box, key, ans.get(key, 0), e.get(key, 0)))
            for key in set(A) | set(B):
                d = A.get(key, 0) - B.get(key, 0)
                n_nested += 1
                if 0 < abs(d) < self.k or d < 0:
                    self.fail("nested bboxes %s: difference %d" % (key, d))
            answers += [(outer, A), (nested, B)]
        # any two overlapping boxes: the difference is made of whole published units
        for i in range(len(answers)):
            for j in range(i + 1, min(len(answers), i + 40)):
                (ba, A), (bb, B) = answers[i], answers[j]
                if not meets(ba, bb):
                    continue
                only_a = [c for c, (cb, _) in self.cell.items() if meets(ba, cb) and not meets(bb, cb)]
                only_b = [c for c, (cb, _) in self.cell.items() if meets(bb, cb) and not meets(ba, cb)]
                for key in set(A) | set(B):
                    d = A.get(key, 0) - B.get(key, 0)
                    parts = [self.unit[c].get(key, 0) for c in only_a] + \
                            [-self.unit[c].get(key, 0) for c in only_b]
                    if d != sum(parts) or any(0 < abs(p) < self.k for p in parts):
                        self.fail("overlapping bboxes %s: difference %d is not whole units %s"
                                  % (key, d, parts[:6]))
                    n_pairs += 1
        return n_nested, n_pairs

    def run(self):
        self.cells()
        self.per_cell()
        n_nested, n_pairs = self.random_boxes()
        print("check_kanon %s: %d cells, %d requests, %d nested and %d overlapping differences "
              "checked" % (self.a.layer, len(self.cell), self.api.n, n_nested, n_pairs))
        for b in self.bad:
            print("K-ANONYMITY: " + b)
        return 1 if self.bad else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--layer", required=True)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--grid", type=float, required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--by")
    ap.add_argument("--date")
    ap.add_argument("--boxes", type=int, default=150)
    ap.add_argument("--seed", type=int, default=1)
    sys.exit(Check(ap.parse_args()).run())


if __name__ == "__main__":
    main()
