#!/usr/bin/env bash
# The label field is one with names in it. INEGI's municipios written by GDAL's LIBKML driver
# (tests/data/inegi, a multi-file KMZ) carry KML's own `Name` and `description` fields, empty in
# every placemark, beside `nom_agem`: the automatic style labelled the municipios with `Name`
# (nothing drawn) and their label points carried it. Checked against the KMZ read by GDAL's
# Python bindings: the style's labels, the TileJSON's label points and the features all name a
# field whose every value GDAL reads as a non-empty name. New York's boroughs (tests/data/nybb,
# EPSG:2263) name them in `BoroName`, an English name-like field that was not taken: no labels.
source "$(dirname "$0")/lib.sh"
SRC="$TESELAS_TEST_DATA/inegi/AGEM_11_libkml_3mun.kmz"
DB="$TEST_TMP/mun.db"
"$TESELAS" import "$SRC" --db "$DB" --layer municipios --quiet >"$TEST_TMP/imp.log" 2>&1 ||
  fail "import: $(tail -3 "$TEST_TMP/imp.log")"
BORO="$TESELAS_TEST_DATA/nybb/nybb_simplified.shp"
"$TESELAS" import "$BORO" --db "$DB" --layer boroughs --quiet >"$TEST_TMP/imp2.log" 2>&1 ||
  fail "import boroughs: $(tail -3 "$TEST_TMP/imp2.log")"
start_server "$DB" --quiet
http_get /styles/boroughs/style.json
expect_status 200 "boroughs style.json"
python3 - "$TEST_TMP/body" <<'PY' || fail "the boroughs are not labelled by BoroName"
import json, sys
labels = [l["layout"]["text-field"] for l in json.load(open(sys.argv[1]))["layers"] if l["type"] == "symbol"]
assert labels and all(t == ["get", "BoroName"] for t in labels), labels
PY
ok
http_get /styles/municipios/style.json
expect_status 200 "style.json"
cp "$TEST_TMP/body" "$TEST_TMP/style.json"
http_get /tiles/municipios.json
expect_status 200 "tilejson"
cp "$TEST_TMP/body" "$TEST_TMP/tilejson.json"
PATH="/usr/bin:$PATH" python3 - "$TEST_TMP/style.json" "$TEST_TMP/tilejson.json" "$SRC" <<'PY' ||
import json, sys
try:
    from osgeo import ogr
except ImportError:
    sys.exit(77)
style, tj = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ds = ogr.Open(sys.argv[3])
rows = [f.items() for f in ds.GetLayer(0)]
named = {k for k in rows[0] if all(isinstance(r.get(k), str) and r[k].strip() for r in rows)}
assert "nom_agem" in named and "Name" not in named, named
labels = [l["layout"]["text-field"] for l in style["layers"] if l["type"] == "symbol"]
assert labels and all(t[0] == "get" and t[1] in named for t in labels), labels
points = [v for v in tj["vector_layers"] if v.get("labels_of") == "municipios"]
assert points and set(points[0]["fields"]) <= named and points[0]["fields"], points
print("labelled by", labels, file=sys.stderr)
PY
  { [ $? -eq 77 ] && skip "GDAL's Python bindings are not installed"; fail "the labels name a field without names"; }
ok
done_checks
