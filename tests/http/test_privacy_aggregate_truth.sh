#!/usr/bin/env bash
# Aggregate figures a city can publish, on the SSP-CDMX crime file (131,141 located records;
# SOURCE.md in the shared data): imported with --privacy aggregate:grid=500,k=5,by=crime,date=date
# and checked by tests/privacy/check_kanon.py against counts it makes from the CSV itself (the csv
# module for the whole city, gdaltransform for the cells of random boxes):
#   * the whole city by month and by crime equals the source (January 2013: 3,702), and every
#     grouping's total plus what it says it withheld is the number of located records;
#   * random boxes: the total equals the true count of the cells the box meets when the answer
#     withheld no cell (never above it), the groupings agree, every group >= k;
#   * k-anonymity of every answer and of the differences of nested and overlapping answers.
# Then one policy, one answer: on a generalize layer /aggregate counts exactly what /items lists
# for the same box. And the report of a layer aggregated by polygons does not split "outside every
# polygon" from the records of withheld polygons when one part would be under k.
source "$(dirname "$0")/lib.sh"
PRIV="$(cd "$(dirname "$0")/../privacy" && pwd)"
SRC="${TESELAS_SHARED_DATA:-}/cdmx-ssp-delitos/crime-lat-long.csv"
if [ -z "${TESELAS_SHARED_DATA:-}" ] || [ ! -f "$SRC" ]; then
  echo "SKIP: the CDMX crime file is not in TESELAS_SHARED_DATA"
  exit 77
fi
command -v gdaltransform >/dev/null || { echo "SKIP: gdaltransform is not installed"; exit 77; }

DB="$TEST_TMP/cdmx.db"
"$TESELAS" import "$SRC" --db "$DB" --layer delitos --lat lat --lon long \
  --privacy 'aggregate:grid=500,k=5,by=crime,date=date' --quiet >/dev/null || fail "import delitos"
head -30001 "$SRC" > "$TEST_TMP/primeros.csv" # 2013's first months: enough for the comparison
"$TESELAS" import "$TEST_TMP/primeros.csv" --db "$DB" --layer puntos --lat lat --lon long \
  --privacy 'generalize:grid=500,k=5' --quiet >/dev/null || fail "import puntos"
ok

start_server "$DB" --quiet
http_get '/collections/delitos/aggregate?by=month'
expect_json '[g["count"] for g in d["groups"] if g["key"] == "2013-01"] == [3702]'
python3 "$PRIV/check_kanon.py" --base "$BASE" --layer delitos --csv "$SRC" --grid 500 --k 5 \
  --by crime --date date --lat lat --lon long --whole --boxes 12 --cells 12 --cats 3 \
  || fail "aggregate truth and k-anonymity of delitos"
ok

# generalize: /aggregate of a box counts exactly the records /items lists in it
python3 - "$BASE" <<'PY' || fail "generalize: items and aggregate disagree"
import collections, json, random, sys, urllib.request
base = sys.argv[1]
get = lambda p: json.load(urllib.request.urlopen(base + p))
rng = random.Random(4)
for _ in range(6):
    f = get("/collections/puntos/items?limit=1&offset=%d" % rng.randrange(0, 20000))["features"][0]
    x, y = f["geometry"]["coordinates"]
    for pad in (0.001, 0.01):
        box = "%.6f,%.6f,%.6f,%.6f" % (x - pad, y - pad, x + pad, y + pad)
        items = get("/collections/puntos/items?limit=10000&bbox=" + box)
        assert len(items["features"]) < 10000, box  # the whole box in one page
        want = collections.Counter(g["properties"]["crime"] for g in items["features"])
        agg = get("/collections/puntos/aggregate?by=crime&bbox=" + box)
        got = {g["key"]: g["count"] for g in agg["groups"]}
        assert got == dict(want) and agg["suppressed_groups"] == 0, (box, got, want)
        assert agg["total"] == len(items["features"]) == items.get("numberMatched", agg["total"]), box
print("generalize: 12 boxes, /aggregate equals /items")
PY
ok
stop_server || fail "server exited non-zero"

# the report: polygons P1 (20 records), P2 (10), P3 (1) and 6 records outside every polygon. The
# root withholds P3 and the outside records together (7 >= k); saying "6 outside" as well would
# leave P3's single record as records - published - outside.
GJ="$TEST_TMP/zonas.geojson"
python3 - "$GJ" "$TEST_TMP/casos.csv" <<'PY'
import json, sys
sq = lambda x: {"type": "Polygon", "coordinates": [[[x, 19.0], [x + 0.1, 19.0], [x + 0.1, 19.1],
                                                    [x, 19.1], [x, 19.0]]]}
json.dump({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"nombre": "P%d" % (i + 1)}, "geometry": sq(-99.5 + 0.2 * i)}
    for i in range(3)]}, open(sys.argv[1], "w"))
with open(sys.argv[2], "w") as f:
    f.write("tipo,lat,lon\n")
    for n, x in ((20, -99.45), (10, -99.25), (1, -99.05), (6, -98.5)):
        for i in range(n):
            f.write("robo,%.5f,%.5f\n" % (19.05 + i * 1e-4, x))
PY
"$TESELAS" import "$GJ" --db "$TEST_TMP/z.db" --layer zonas --quiet >/dev/null || fail "import zonas"
"$TESELAS" import "$TEST_TMP/casos.csv" --db "$TEST_TMP/z.db" --layer casos \
  --privacy 'aggregate:layer=zonas,k=5,by=tipo' > "$TEST_TMP/import.txt" 2>&1 || fail "import casos"
sqlite3 "$TEST_TMP/z.db" "SELECT report FROM teselas_layers WHERE id='casos'" > "$TEST_TMP/report.json"
sqlite3 "$TEST_TMP/z.db" "SELECT sum(casos) FROM lyr_casos_v1" > "$TEST_TMP/published.txt"
python3 - "$TEST_TMP/report.json" "$TEST_TMP/published.txt" "$TEST_TMP/import.txt" <<'PY' \
  || fail "report: $(cat "$TEST_TMP/report.json")"
import json, sys
p = json.load(open(sys.argv[1]))["privacy"]
published = int(open(sys.argv[2]).read())
assert p["records"] == 37 and published == 30 and p["suppressed_records"] == 7, (p, published)
assert p["unassigned"] is None, p  # 6 outside would single out P3's 1 record
for part in (p["suppressed_records"], p["records"] - published):
    assert part == 0 or part >= 5, p
text = open(sys.argv[3]).read()
assert "fuera de todo polígono" in text and " 6 fuera" not in text and "(6" not in text, text
PY
ok

# A policy with neither by= nor date= keeps totals only: a grouping is a 400 that says so (it
# used to read "publishes counts by " and stop).
"$TESELAS" import "$TEST_TMP/casos.csv" --db "$TEST_TMP/z.db" --layer totales \
  --privacy 'aggregate:layer=zonas,k=5' --quiet >/dev/null || fail "import totales"
start_server "$TEST_TMP/z.db" --quiet
for by in tipo month category; do
  http_get "/collections/totales/aggregate?by=$by"
  expect_status 400 "by=$by on a layer of totals"
  expect_json 'd["code"] == "invalid_parameter" and "totals only" in d["description"] and
               "by=FIELD" in d["description"]'
done
# the whole area counts every record of the file, those outside every zone too
http_get "/collections/totales/aggregate"
expect_status 200 "the totals"
expect_json 'd["total"] == 37'
ok
stop_server || fail "server exited non-zero"
done_checks
