#!/usr/bin/env bash
# One feature id in every format, on third-party data whose source has its own `id` column (the
# SSP-CDMX crime sample). The rule: the feature id is `fid` — GeoJSON's top-level "id", the number
# /items/{fid} takes, the first column `fid` of CSV downloads and of the HTML table, the FID of the
# GeoPackage download; a source field named `id` is a property like any other, under its own name.
# Read back with GDAL (CSV driver, GPKG driver, OAPIF driver), never with teselas code. The source
# is the sample's last 1,000 records, so feature ids (1..) and source ids (1001..) differ.
source "$(dirname "$0")/features_lib.sh"

SRC="$TEST_TMP/delitos.csv"
{ head -1 "$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2000.csv"
  tail -n 1000 "$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2000.csv"; } > "$SRC"
DB="$TEST_TMP/cdmx.db"
"$TESELAS" import "$SRC" --db "$DB" --layer delitos --privacy none >"$TEST_TMP/import.log" 2>&1 ||
  fail "import: $(tail -5 "$TEST_TMP/import.log")"
start_server "$DB" --quiet

# Every feature of the layer through the items (GeoJSON): ids, and the source ids in properties.
get "/collections/delitos/items?limit=10000"
status_is 200
cp "$TEST_TMP/body" "$TEST_TMP/items.json"
python3 - "$TEST_TMP/items.json" "$SRC" <<'PY' || rfail "GeoJSON ids"
import csv, json, sys
d = json.load(open(sys.argv[1]))
src = [r for r in csv.DictReader(open(sys.argv[2], encoding="utf-8")) if r["lat"] != "NA"]
feats = d["features"]
assert len(feats) == len(src), (len(feats), len(src))
ids = [f["id"] for f in feats]
assert all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids), "ids not unique integers"
# properties.id is the source's own id, record for record (same order: the source's)
assert [f["properties"]["id"] for f in feats] == [int(r["id"]) for r in src], "properties.id"
assert sum(f["id"] != f["properties"]["id"] for f in feats) == len(feats), "ids should differ here"
PY
ok

# /items/{fid} with GeoJSON's id answers that feature; with a source id it does not (or another).
read -r FID SRCID < <(python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['features'][5]; print(f['id'], f['properties']['id'])" "$TEST_TMP/items.json")
get "/collections/delitos/items/$FID"
status_is 200
json "d['id'] == $FID and d['properties']['id'] == $SRCID" "/items/{fid} is GeoJSON's id"

# CSV (items and download): distinct headers; fid = GeoJSON id, id = properties.id, row by row,
# as GDAL's CSV driver reads them.
for path in "/collections/delitos/items?f=csv&limit=10000" "/collections/delitos/download.csv"; do
  get "$path"
  status_is 200 "$path"
  cp "$TEST_TMP/body" "$TEST_TMP/d.csv"
  head -1 "$TEST_TMP/d.csv" | tr -d '\r' | tr ',' '\n' | sort | uniq -d | grep -q . &&
    rfail "$path: repeated column names: $(head -1 "$TEST_TMP/d.csv")"
  ok
  ogr2ogr -f GeoJSON "$TEST_TMP/csv.geojson" "$TEST_TMP/d.csv" -oo AUTODETECT_TYPE=YES \
    -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat 2>"$TEST_TMP/ogr.err" ||
    rfail "GDAL cannot read $path: $(cat "$TEST_TMP/ogr.err")"
  python3 - "$TEST_TMP/csv.geojson" "$TEST_TMP/items.json" <<'PY' || rfail "$path: ids differ from GeoJSON"
import json, sys
c = json.load(open(sys.argv[1]))["features"]
g = {f["id"]: f for f in json.load(open(sys.argv[2]))["features"]}
assert len(c) == len(g), (len(c), len(g))
for f in c:
    p = f["properties"]
    assert set(p) >= {"fid", "id"} and not any(k.startswith("id_") for k in p), sorted(p)
    src = g[int(p["fid"])]
    assert int(p["id"]) == src["properties"]["id"], (p, src["properties"])
    assert p["crime"] == src["properties"]["crime"]
PY
  ok
done

# fid_and_id SOURCE: "FID id" per feature, as ogrinfo (GDAL) reports them.
fid_and_id() {
  ogrinfo -ro -q "$@" delitos 2>"$TEST_TMP/ogr.err" |
    sed -n 's/^OGRFeature(delitos):\([0-9]*\)$/\1/p; s/^  id (Integer[0-9]*) = \([0-9]*\)$/\1/p' |
    paste - - || rfail "ogrinfo $*: $(cat "$TEST_TMP/ogr.err")"
}
# same_ids FILE: each line "FID id" matches GeoJSON's id and properties.id; every feature is there.
same_ids() {
  python3 - "$1" "$TEST_TMP/items.json" <<'PY'
import json, sys
g = {f["id"]: f["properties"]["id"] for f in json.load(open(sys.argv[2]))["features"]}
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
assert len(rows) == len(g), (len(rows), len(g))
bad = [r for r in rows if g.get(r[0]) != r[1]]
assert not bad, bad[:3]
PY
}

# GeoPackage download: GDAL's FID is the feature id, the field id the source's.
get "/collections/delitos/download.gpkg"
status_is 200
cp "$TEST_TMP/body" "$TEST_TMP/d.gpkg"
fid_and_id "$TEST_TMP/d.gpkg" > "$TEST_TMP/gpkg.ids"
same_ids "$TEST_TMP/gpkg.ids" || rfail "GeoPackage ids"
ok

# GDAL's OGC API - Features client: FID = the feature id, field id = the source's.
fid_and_id "OAPIF:$BASE/" > "$TEST_TMP/oapif.ids"
same_ids "$TEST_TMP/oapif.ids" || rfail "OAPIF ids"
ok

# The HTML table heads its id column fid, apart from the source's id.
get "/collections/delitos/items?f=html&limit=5"
status_is 200
grep -q '<th scope="col">fid</th>' "$TEST_TMP/body" || rfail "HTML table without its fid column"
ok

stop_server
done_checks
