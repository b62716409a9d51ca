#!/usr/bin/env bash
# /conformance declares every class teselas implements and no other (on a database made from a
# third-party file, Natural Earth countries), and each declared class is probed here: the OGC API -
# Tiles classes that were missing although the routes exist, and the CQL2 property-property class,
# which now takes the geometry property on both sides of a spatial function, as the class requires.
source "$(dirname "$0")/features_lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"

DB="$TEST_TMP/ne.db"
"$TESELAS" import "$TESELAS_TEST_DATA/naturalearth/naturalearth_lowres.shp" --db "$DB" \
  --layer paises >"$TEST_TMP/import.log" 2>&1 || fail "import: $(tail -5 "$TEST_TMP/import.log")"
start_server "$DB" --quiet

F=http://www.opengis.net/spec/ogcapi-features
C=http://www.opengis.net/spec/cql2/1.0/conf
T=http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf
cat > "$TEST_TMP/expected" <<LIST
$F-1/1.0/conf/core
$F-1/1.0/conf/geojson
$F-1/1.0/conf/html
$F-1/1.0/conf/oas30
$F-3/1.0/conf/filter
$F-3/1.0/conf/features-filter
$F-3/1.0/conf/queryables
$F-3/1.0/conf/queryables-query-parameters
$C/cql2-text
$C/basic-cql2
$C/advanced-comparison-operators
$C/property-property
$C/basic-spatial-functions
$C/basic-spatial-functions-plus
$C/spatial-functions
$T/core
$T/tileset
$T/tilesets-list
$T/geodata-tilesets
$T/mvt
$T/oas30
LIST

req /req/core/conformance-success
get /conformance
status_is 200
python3 -c "import json,sys; print('\n'.join(sorted(json.load(open(sys.argv[1]))['conformsTo'])))" \
  "$TEST_TMP/body" > "$TEST_TMP/got"
sort "$TEST_TMP/expected" | diff - "$TEST_TMP/got" > "$TEST_TMP/diff" ||
  rfail "conformance classes (< expected, > declared): $(cat "$TEST_TMP/diff")"
ok
get "/conformance?f=html"
status_is 200
for uri in $(cat "$TEST_TMP/expected"); do
  grep -qF "href=\"$uri\"" "$TEST_TMP/body" || rfail "HTML conformance page lacks $uri"
done
ok

# OGC API - Tiles (OGC 20-057), each class against its requirements
req /req/geodata-tilesets
get /collections/paises
json 'any(l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector" and l["href"].endswith("/collections/paises/tiles") for l in d["links"])' "collection links its tilesets"
req /req/tilesets-list
get /collections/paises/tiles
status_is 200
json 'len(d["tilesets"]) == 1 and d["tilesets"][0]["dataType"] == "vector"'
json 'any(l["rel"] == "self" for l in d["tilesets"][0]["links"])'
req /req/tileset
get /collections/paises/tiles/WebMercatorQuad
status_is 200
json 'd["dataType"] == "vector" and d["tileMatrixSetURI"].endswith("/WebMercatorQuad")'
json 'any(l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme" for l in d["links"])'
json 'any(l["rel"] == "item" and "{tileMatrix}/{tileRow}/{tileCol}" in l["href"] and l["type"] == "application/vnd.mapbox-vector-tile" for l in d["links"])'
req /req/core/tc-success
req /req/mvt
http_get /collections/paises/tiles/WebMercatorQuad/2/1/2  # row 1, column 2: the tile 2/2/1
expect_status 200
expect_header Content-Type application/vnd.mapbox-vector-tile
mkdir -p "$TEST_TMP/t/paises/2/2"  # named z/x/y, so GDAL georeferences it
cp "$TEST_TMP/body" "$TEST_TMP/t/paises/2/2/1.pbf"
ogrinfo -ro -q -al "$TEST_TMP/t/paises/2/2/1.pbf" > "$TEST_TMP/mvt.txt" 2>/dev/null || true
grep -q '^  name (String) = Germany$' "$TEST_TMP/mvt.txt" ||
  rfail "GDAL's MVT driver does not find Germany in tile 2/2/1"
ok
req /req/core/tc-error
get /collections/paises/tiles/WebMercatorQuad/2/9/9
content_type_is application/json
[[ "$STATUS" = 400 || "$STATUS" = 404 ]] || rfail "tile outside the matrix: HTTP $STATUS"
ok
req /req/oas30
get /api
json 'all(p in d["paths"] for p in ["/collections/paises/tiles", "/collections/paises/tiles/WebMercatorQuad", "/collections/paises/tiles/WebMercatorQuad/{z}/{y}/{x}"])'

# CQL2: one filter per declared class, compared with what the source says
req "cql2 property-property"
n_filter() { # FILTER: numberMatched of items?filter=
  get "/collections/paises/items?limit=1" -G --data-urlencode "filter=$1"
  status_is 200 "filter=$1"
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['numberMatched'])" "$TEST_TMP/body"
}
want=$(ogrinfo -ro -q "$TESELAS_TEST_DATA/naturalearth/naturalearth_lowres.shp" \
  -sql "SELECT count(*) FROM naturalearth_lowres WHERE pop_est > gdp_md_est" | sed -n 's/.*(Integer) = //p')
[ "$(n_filter "pop_est > gdp_md_est")" = "$want" ] || rfail "pop_est > gdp_md_est"
ok
[ "$(n_filter "S_INTERSECTS(geometry, geometry)")" = 177 ] || rfail "S_INTERSECTS(geometry, geometry)"
ok
[ "$(n_filter "S_DISJOINT(geometry, geometry)")" = 0 ] || rfail "S_DISJOINT(geometry, geometry)"
ok
[ "$(n_filter "S_WITHIN(POINT(2 47), BBOX(0, 40, 10, 50))")" = 177 ] || rfail "literal-literal"
ok
req "cql2 spatial-functions"
[ "$(n_filter "S_CONTAINS(geometry, POINT(2.35 48.85))")" = 1 ] || rfail "S_CONTAINS Paris"
ok
[ "$(n_filter "S_CROSSES(geometry, LINESTRING(-5 40, 25 50))")" -ge 4 ] || rfail "S_CROSSES"
ok

stop_server
done_checks
