#!/usr/bin/env python3
"""check_kanon.py — k-anonymity and truth of an aggregate layer through the whole API.

    check_kanon.py --base URL --layer ID --csv SOURCE.csv --grid METRES --k K [--by FIELD]
                   [--date FIELD] [--lat COL --lon COL] [--boxes N] [--seed S] [--cells N]
                   [--cats N] [--whole]

Ground truth: the source points projected to UTM 14N with gdaltransform (the grid of
privacy/grid.h: cell "14:i:j" holds easting in [iN, (i+1)N) and northing in [jN, (j+1)N)); a
cell's box is that of its four corners, projected back. Checks, for every question the API lets
a user ask of the layer:
  * --whole: the whole area (no bbox) by month, by category and in total equals the counts of
    the source (csv module only) for every group holding >= k records, and every answer's total
    plus what it says it withheld is the number of located records;
  * items: every cell's `casos` is >= k and equals the true count of its cell; cells under k
    are absent;
  * one cell at a time (a bbox inside the cell, for --cells cells): totals, by category, by
    month, a category filter with and without by=month: every group >= k and exact when
    published; a cell minus its published parts is 0 or >= k;
  * many random bboxes: every group >= k; the groupings agree (each total plus the records it
    says it withheld is the same); the total is at most the true count of the cells the bbox
    meets, and equal when the answer withheld no cell;
  * differences: for nested bboxes every per-group difference is 0 or >= k; for two
    overlapping bboxes, each minus the answer of their intersection is 0 or >= k per group.
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


def read_rows(a):
    rows = []
    for r in csv.DictReader(open(a.csv, encoding="utf-8")):
        try:
            lon, lat = float(r[a.lon]), float(r[a.lat])
        except ValueError:  # "NA" and empty coordinates are refused at import
            continue
        if math.isfinite(lon) and math.isfinite(lat):
            rows.append((lon, lat, r))
    return rows


def transform(points, inverse=False):
    inp = "".join("%r %r\n" % p for p in points)
    args = ["gdaltransform", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:32614", "-output_xy"]
    if inverse:
        args[2], args[4] = args[4], args[2]
    out = subprocess.run(args, input=inp, capture_output=True, text=True, check=True)
    return [tuple(map(float, line.split())) for line in out.stdout.splitlines()]


def truth(a, rows):
    t = collections.Counter()
    cells = set()
    for (lon, lat, r), (e, n) in zip(rows, transform([(x, y) for x, y, _ in rows])):
        i, j = math.floor(e / a.grid), math.floor(n / a.grid)
        cell = "14:%d:%d" % (i, j)
        cells.add((cell, i, j))
        cat = r[a.by] if a.by else ""
        month = r[a.date][:7] if a.date else ""
        t[(cell,)] += 1
        t[(cell, "c", cat)] += 1
        t[(cell, "m", month)] += 1
        t[(cell, "cm", cat, month)] += 1
    cells = sorted(cells)
    corners = [((i + di) * a.grid, (j + dj) * a.grid) for _, i, j in cells
               for di in (0, 1) for dj in (0, 1)]
    ll = transform(corners, inverse=True)
    box = {}
    for n, (cell, _, _) in enumerate(cells):
        xy = ll[4 * n:4 * n + 4]
        box[cell] = (min(p[0] for p in xy), min(p[1] for p in xy), max(p[0] for p in xy),
                     max(p[1] for p in xy))
    return t, box


def flatten(c):
    return [c] if isinstance(c[0], (int, float)) else [p for x in c for p in flatten(x)]


def meets(a, b):
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


class Check:
    def __init__(self, a):
        self.a, self.k = a, a.k
        self.api = Api(a.base, a.layer)
        self.bad = []
        self.rows = read_rows(a)
        self.t, self.cell_box = truth(a, self.rows)

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
        if self.a.cats is not None and self.a.cats < len(self.cats):
            self.cats = sorted(random.Random(self.a.seed).sample(self.cats, self.a.cats))

    def questions(self, box):
        """Every aggregation a user can ask about one bbox: {(question, key): count}; the keys
        starting with "_" are what each answer says it withheld."""
        doc = self.api.agg(box)
        ans = {("total", ""): doc["total"], ("_cells", ""): doc["withheld_cells"]}
        self.groups("bbox", {"groups": [], "total": ans[("total", "")]})
        base = doc["total"] + doc["withheld_records"]
        for by, tag in ((self.a.by, "c"), (self.a.date and "month", "m")):
            if not by:
                continue
            doc = self.api.agg(box, by)
            for key, n in self.groups("by " + by, doc).items():
                ans[(tag, key)] = n
            if doc["total"] + doc["withheld_records"] != base:
                self.fail("bbox %s: by %s total %d + withheld %d != %d" % (
                    box, by, doc["total"], doc["withheld_records"], base))
        if self.a.by:
            for cat in self.cats:
                doc = self.api.agg(box, None, {self.a.by: cat})
                self.groups("filter %s" % cat, doc)
                ans[("fc", cat)] = doc["total"]
                if self.a.date:
                    doc2 = self.api.agg(box, "month", {self.a.by: cat})
                    for key, n in self.groups("filter %s by month" % cat, doc2).items():
                        ans[("fcm", cat, key)] = n
                    if doc2["withheld_cells"] == 0 and \
                            doc2["total"] + doc2["withheld_records"] != doc["total"]:
                        self.fail("bbox %s: %s by month %d + withheld %d != %d" % (
                            box, cat, doc2["total"], doc2["withheld_records"], doc["total"]))
        return ans

    def inner(self, box):
        w, h = box[2] - box[0], box[3] - box[1]
        return (box[0] + w * .3, box[1] + h * .3, box[2] - w * .3, box[3] - h * .3)

    def per_cell(self):
        self.unit = {}
        rng = random.Random(self.a.seed)
        cells = sorted(self.cell.items())
        if self.a.cells is not None and self.a.cells < len(cells):
            cells = rng.sample(cells, self.a.cells)
        for c, (box, n) in cells:
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
                if v and v != true():  # 0: withheld
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

    def true_count(self, box):
        """Records of the cells the box meets: what an answer counts when it withholds nothing."""
        return sum(self.t[(c,)] for c, cb in self.cell_box.items() if meets(box, cb))

    def against_truth(self, box, ans):
        t = self.true_count(box)
        total = ans[("total", "")]
        if total > t or (ans[("_cells", "")] == 0 and total != t):
            self.fail("bbox %s: total %d, true count %d, %d cells withheld" % (
                box, total, t, ans[("_cells", "")]))
        return ans[("_cells", "")] == 0

    def differences(self, what, A, B):
        """A's box holds B's: every per-group difference is 0 or >= k."""
        n = 0
        for key in set(A) | set(B):
            if key[0].startswith("_"):
                continue
            d = A.get(key, 0) - B.get(key, 0)
            n += 1
            if 0 < abs(d) < self.k or d < 0:
                self.fail("%s %s: difference %d" % (what, key, d))
        return n

    def random_boxes(self):
        rng = random.Random(self.a.seed)
        b = [min(v[0][i] for v in self.cell.values()) if i < 2 else
             max(v[0][i] for v in self.cell.values()) for i in range(4)]
        boxes = []
        published = sorted(self.cell.values())
        for n in range(self.a.boxes):
            x0, x1 = sorted(rng.uniform(b[0], b[2]) for _ in range(2))
            y0, y1 = sorted(rng.uniform(b[1], b[3]) for _ in range(2))
            if n % 2:  # around a published cell: boxes of the dense parts, often withholding none
                c = rng.choice(published)[0]
                x, y, r = (c[0] + c[2]) / 2, (c[1] + c[3]) / 2, rng.uniform(.005, .06)
                x0, y0, x1, y1 = x - r * rng.uniform(.3, 1), y - r * rng.uniform(.3, 1), \
                    x + r * rng.uniform(.3, 1), y + r * rng.uniform(.3, 1)
            outer = (x0, y0, x1, y1)
            f = [rng.uniform(0, .45) for _ in range(4)]
            w, h = x1 - x0, y1 - y0
            nested = (x0 + w * f[0], y0 + h * f[1], x1 - w * f[2], y1 - h * f[3])
            boxes.append((outer, nested))
        n_pairs = n_nested = n_exact = 0
        answers = []
        for outer, nested in boxes:
            A, B = self.questions(outer), self.questions(nested)
            for box, ans in ((outer, A), (nested, B)):
                n_exact += self.against_truth(box, ans)
            n_nested += self.differences("nested bboxes", A, B)
            answers += [(outer, A), (nested, B)]
        # overlapping boxes: each against their intersection, which both hold
        for i in range(0, len(answers) - 2, 2):
            (ba, A), (bb, B) = answers[i], answers[i + 2]
            if not meets(ba, bb):
                continue
            box = (max(ba[0], bb[0]), max(ba[1], bb[1]), min(ba[2], bb[2]), min(ba[3], bb[3]))
            inter = self.questions(box)
            self.against_truth(box, inter)
            n_pairs += self.differences("overlapping bboxes (A - A∩B)", A, inter)
            n_pairs += self.differences("overlapping bboxes (B - A∩B)", B, inter)
        self.n_exact = n_exact
        return n_nested, n_pairs

    def whole(self):
        """The whole area against the source, counted with the csv module alone."""
        by_month, by_cat = collections.Counter(), collections.Counter()
        for _, _, r in self.rows:
            if self.a.date:
                by_month[r[self.a.date][:7]] += 1
            if self.a.by:
                by_cat[r[self.a.by]] += 1
        n = len(self.rows)
        doc = self.api.get("/collections/%s/aggregate" % self.a.layer)
        if doc["total"] != n:
            self.fail("whole area: total %d, the source has %d located records" % (doc["total"], n))
        for by, want in ((self.a.date and "month", by_month), (self.a.by, by_cat)):
            if not by:
                continue
            doc = self.api.get("/collections/%s/aggregate?by=%s" % (
                self.a.layer, urllib.parse.quote(by)))
            got = {g["key"]: g["count"] for g in doc["groups"]}
            for key, v in want.items():
                if (v >= self.k and got.get(key) != v) or (key in got and got[key] != v):
                    self.fail("whole area by %s %r: %s, the source has %d" % (
                        by, key, got.get(key), v))
            if doc["total"] + doc["withheld_records"] != n or doc["withheld_cells"]:
                self.fail("whole area by %s: %d + withheld %d != %d" % (
                    by, doc["total"], doc["withheld_records"], n))
            print("check_kanon %s: whole area by %s: %d groups equal the source (%s)" % (
                self.a.layer, by, len(got), ", ".join(
                    "%s %d" % (k, got[k]) for k in sorted(got)[:2])))

    def run(self):
        if self.a.whole:
            self.whole()
        self.cells()
        self.per_cell()
        n_nested, n_pairs = self.random_boxes()
        print("check_kanon %s: %d cells, %d requests, %d nested and %d overlapping differences "
              "checked, %d boxes equal to the truth" % (self.a.layer, len(self.cell), self.api.n,
                                                         n_nested, n_pairs, self.n_exact))
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
    ap.add_argument("--lat", default="lat")
    ap.add_argument("--lon", default="lon")
    ap.add_argument("--cells", type=int, help="check this many cells one at a time (all)")
    ap.add_argument("--cats", type=int, help="ask category filters of this many categories (all)")
    ap.add_argument("--whole", action="store_true")
    sys.exit(Check(ap.parse_args()).run())


if __name__ == "__main__":
    main()
