#!/usr/bin/env bash
# Paging in boxes, judged against Python reading the source files (no teselas code): walking the
# next links of /items with a bbox (alone, or with a property, datetime or CQL2 filter) returns
# every matching record of the source exactly once; numberReturned adds up; numberMatched, when
# present, is the source's count, and it is left out only above 1,000 matches (a count that
# stops there), while `next` stays exact. On a third-party file (SSP-CDMX crime points, with
# `NA` coordinates) and on the demo's incidents (dense: more than 1,000 in one box).
source "$(dirname "$0")/features_lib.sh"
D=${TESELAS_TEST_DATA:?}

# walk PATH LIMIT: walks the next links from PATH&limit=LIMIT; prints "id<TAB>fid" per feature
# (the record's source id property, or the feature id) to stdout, and checks on the way that
# each page has numberReturned features, at most LIMIT, that `next` is absent only on the last
# page, and that numberMatched, where present, is the same on every page. The matched count (or
# "none") goes to $TEST_TMP/matched.
walk() {
  python3 - "$BASE$1&limit=$2" "$2" "$TEST_TMP/matched" <<'EOF'
import json, sys, urllib.request
url, limit, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
matched, pages = set(), 0
while url:
    with urllib.request.urlopen(url) as r:
        d = json.load(r)
    pages += 1
    n = len(d["features"])
    if d["numberReturned"] != n or n > limit:
        sys.exit("page %d: numberReturned %s, %d features, limit %d" % (pages, d["numberReturned"], n, limit))
    matched.add(d.get("numberMatched", "none"))
    for f in d["features"]:
        print("%s\t%s" % (f["properties"].get("id", f["id"]), f["id"]))
    nxt = [l["href"] for l in d["links"] if l["rel"] == "next"]
    if nxt and n < limit:
        sys.exit("page %d is short (%d) but has a next link" % (pages, n))
    url = nxt[0] if nxt else None
    if pages > 10000:
        sys.exit("too many pages")
known = [m for m in matched if m != "none"]
if len(set(known)) > 1:
    sys.exit("numberMatched changes between pages: %s" % sorted(known))
open(out, "w").write(str(known[0]) if known else "none")
EOF
}

# expect_pages PATH LIMIT EXPECTED_IDS_FILE: the walk returns each expected id once, nothing else
expect_pages() {
  walk "$1" "$2" > "$TEST_TMP/walked" || rfail "walking $1"
  cut -f2 "$TEST_TMP/walked" | sort | uniq -d > "$TEST_TMP/dups"
  [ ! -s "$TEST_TMP/dups" ] || rfail "$(wc -l < "$TEST_TMP/dups") features twice walking $1 (first: $(head -1 "$TEST_TMP/dups"))"
  cut -f1 "$TEST_TMP/walked" | sort > "$TEST_TMP/got"
  sort "$3" > "$TEST_TMP/want"
  local n
  n=$(wc -l < "$TEST_TMP/want")
  [ "$n" -gt 0 ] || rfail "the source selects nothing for $1: the test is void"
  cmp -s "$TEST_TMP/got" "$TEST_TMP/want" ||
    rfail "walking $1: $(wc -l < "$TEST_TMP/got") features, the source has $n ($(comm -3 "$TEST_TMP/got" "$TEST_TMP/want" | head -3 | tr '\n' ' '))"
  local m
  m=$(cat "$TEST_TMP/matched")
  if [ "$n" -lt 1000 ]; then
    [ "$m" = "$n" ] || rfail "numberMatched $m for $1, the source has $n"
  else
    [ "$m" = none ] || [ "$m" = "$n" ] || rfail "numberMatched $m for $1, the source has $n"
  fi
  ok
}

# source_ids CSV LONCOL LATCOL IDCOL BBOX [python condition on row r]: ids of the CSV's records
# inside the closed box (records without numeric coordinates are not features); IDCOL "#" is the
# record's number (the feature id of a source without an id column)
source_ids() {
  python3 - "$@" <<'EOF'
import csv, sys
path, lon, lat, idc, box = sys.argv[1:6]
cond = sys.argv[6] if len(sys.argv) > 6 else "True"
w, s, e, n = map(float, box.split(","))
with open(path, newline="", encoding="utf-8") as f:
    for i, r in enumerate(csv.DictReader(f), 1):
        try:
            x, y = float(r[lon]), float(r[lat])
        except ValueError:
            continue
        if w <= x <= e and s <= y <= n and eval(cond):
            print(i if idc == "#" else r[idc])
EOF
}

# --- a third-party file: 2,000 SSP-CDMX crime records, 44 without coordinates ---------------
CSV="$D/cdmx-ssp/crime-lat-long-2000.csv"
DB="$TEST_TMP/cdmx.db"
"$TESELAS" import "$CSV" --db "$DB" --layer delitos --lat lat --lon long --privacy none --quiet \
  >"$TEST_TMP/import.out" 2>&1 || fail "import: $(cat "$TEST_TMP/import.out")"
start_server "$DB" --quiet
req "/req/core/fc-next-1 in a box, third-party data"
WHOLE=-99.40,19.00,-98.80,19.60
CENTRE=-99.18,19.38,-99.10,19.46
source_ids "$CSV" long lat id "$WHOLE" > "$TEST_TMP/src"
expect_pages "/collections/delitos/items?bbox=$WHOLE" 37 "$TEST_TMP/src"
source_ids "$CSV" long lat id "$CENTRE" > "$TEST_TMP/src"
expect_pages "/collections/delitos/items?bbox=$CENTRE" 10 "$TEST_TMP/src"
req "paging in a box keeps the filters"
source_ids "$CSV" long lat id "$WHOLE" 'r["crime"] == "ROBO A TRANSEUNTE C.V."' > "$TEST_TMP/src"
expect_pages "/collections/delitos/items?bbox=$WHOLE&crime=ROBO%20A%20TRANSEUNTE%20C.V." 9 "$TEST_TMP/src"
source_ids "$CSV" long lat id "$CENTRE" 'r["hour"] >= "20:00"' > "$TEST_TMP/src"
expect_pages "/collections/delitos/items?bbox=$CENTRE&filter=hour%20%3E%3D%20'20%3A00'" 7 "$TEST_TMP/src"
get "/collections/delitos/items?bbox=$CENTRE&limit=5"
json '"numberMatched" in d and all("after=" not in l["href"] for l in d["links"])' \
  "a box pages by offset (its order is the spatial index's), and counts below 1,000"
stop_server || fail "server exited non-zero"

# --- dense: the demo's incidents, more than 1,000 in one box ----------------------------------
DB=$(demo_db 5000)
SRC="$TEST_TMP/leon-sources/incidentes.csv"
[ -f "$SRC" ] || fail "the demo wrote no incidents CSV next to its database"
start_server "$DB" --quiet
req "dense box: numberMatched left out above 1,000, next exact"
CITY=-101.80,21.00,-101.55,21.25
source_ids "$SRC" longitud latitud "#" "$CITY" > "$TEST_TMP/src"
[ "$(wc -l < "$TEST_TMP/src")" -gt 1000 ] || fail "the city box holds $(wc -l < "$TEST_TMP/src") incidents: not dense enough for this test"
get "/collections/incidentes/items?bbox=$CITY&limit=100"
json '"numberMatched" not in d and d["numberReturned"] == 100 and any(l["rel"] == "next" for l in d["links"])'
expect_pages "/collections/incidentes/items?bbox=$CITY" 1000 "$TEST_TMP/src"
source_ids "$SRC" longitud latitud "#" "$CITY" 'r["tipo_incidente"] == "lesiones"' > "$TEST_TMP/src"
expect_pages "/collections/incidentes/items?bbox=$CITY&tipo=lesiones" 500 "$TEST_TMP/src"
req "boxes whose edges pass through points: the index cannot decide those, the exact test does"
# Each edge of EDGES is a coordinate of a source point, as written in the CSV, so four points lie
# on the closed box's edge and their index boxes (float32, rounded outwards) cross it; NUDGED moves
# each edge 1e-7 degrees inwards, leaving those points just outside with index boxes that still
# cross. Small pages walk from the entries inside the box to those crossing its edge.
read -r EDGES NUDGED < <(python3 - "$SRC" "$CITY" <<'EOF'
import csv, sys
w, s, e, n = map(float, sys.argv[2].split(","))
pts = []
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        try:
            x, y = float(r["longitud"]), float(r["latitud"])
        except ValueError:
            continue
        if w + 0.05 <= x <= e - 0.05 and s + 0.05 <= y <= n - 0.05:
            pts.append((x, y, r["longitud"], r["latitud"]))
pts.sort()
lo_x, hi_x = pts[len(pts) // 4], pts[3 * len(pts) // 4]
by_y = sorted(pts, key=lambda p: p[1])
lo_y, hi_y = by_y[len(pts) // 4], by_y[3 * len(pts) // 4]
edges = ",".join((lo_x[2], lo_y[3], hi_x[2], hi_y[3]))
nudged = ",".join(repr(v) for v in (lo_x[0] + 1e-7, lo_y[1] + 1e-7, hi_x[0] - 1e-7, hi_y[1] - 1e-7))
print(edges, nudged)
EOF
)
[ -n "$NUDGED" ] || fail "no points to put the box's edges on"
for box in "$EDGES" "$NUDGED"; do
  source_ids "$SRC" longitud latitud "#" "$box" > "$TEST_TMP/src"
  expect_pages "/collections/incidentes/items?bbox=$box" 7 "$TEST_TMP/src"
  expect_pages "/collections/incidentes/items?bbox=$box" 100 "$TEST_TMP/src"
done
stop_server || fail "server exited non-zero"
done_reqs
