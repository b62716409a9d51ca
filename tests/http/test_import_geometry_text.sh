#!/usr/bin/env bash
# A field holding the geometry again as text is named in the quality report with the --drop that
# leaves it out. CentroGeo's police cuadrantes (tests/data/centrogeo, Apache-2.0) carry each
# polygon a second time as GeoJSON text in `geo_shp` (cut at 254 characters): published
# silently, it made every tile 3.3 times as big. Checked against the file read by Python: the report flags exactly the fields
# whose every value parses as a GeoJSON geometry, with their count, on the command line, in
# --report and in /collections/{id}/quality; imported with --drop geo_shp, nothing is flagged.
source "$(dirname "$0")/lib.sh"
SRC="$TESELAS_TEST_DATA/centrogeo/cuadrantes_5.geojson"
DB="$TEST_TMP/cuad.db"
"$TESELAS" import "$SRC" --db "$DB" --layer cuadrantes --report "$TEST_TMP/r1.json" >"$TEST_TMP/out1" 2>&1 ||
  fail "import: $(tail -3 "$TEST_TMP/out1")"
grep -q -- "--drop geo_shp" "$TEST_TMP/out1" || fail "the report does not name geo_shp: $(cat "$TEST_TMP/out1")"
ok
start_server "$DB" --quiet
http_get "/collections/cuadrantes/quality?f=json"
expect_status 200 "quality"
cp "$TEST_TMP/body" "$TEST_TMP/q.json"
"$TESELAS" import "$SRC" --db "$DB" --layer cuadrantes --drop geo_shp --report "$TEST_TMP/r2.json" \
  >"$TEST_TMP/out2" 2>&1 || fail "import with --drop: $(tail -3 "$TEST_TMP/out2")"
grep -q "geometría escrita" "$TEST_TMP/out2" && fail "flagged after --drop: $(cat "$TEST_TMP/out2")"
ok
python3 - "$SRC" "$TEST_TMP/r1.json" "$TEST_TMP/q.json" "$TEST_TMP/r2.json" <<'PY' || fail "the flagged fields are not the geometry text fields"
import json, re, sys
rows = [f["properties"] for f in json.load(open(sys.argv[1]))["features"]]
# the values are cut at 254 characters (a .dbf's limit upstream): most are not whole JSON, so a
# geometry is recognised by its opening, as a GeoJSON geometry object starts
START = re.compile(r'\s*\{\s*"type"\s*:\s*"(Multi)?(Point|LineString|Polygon)"\s*,\s*"coordinates"\s*:')
def geometry(v):
    return isinstance(v, str) and START.match(v) is not None
want = {k: sum(geometry(r[k]) for r in rows) for k in rows[0] if all(geometry(r[k]) for r in rows)}
assert want == {"geo_shp": len(rows)}, want
for path in sys.argv[2:4]:
    doc = json.load(open(path))
    doc = doc.get("report", doc)  # the quality page wraps the report
    got = {f["source_name"]: f["geometry_as_text"] for f in doc["fields"] if "geometry_as_text" in f}
    assert got == want, (path, got, want)
after = json.load(open(sys.argv[4]))
assert not [f for f in after["fields"] if "geometry_as_text" in f or f["name"] == "geo_shp"], after["fields"]
PY
ok
done_checks
