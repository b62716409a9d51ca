#!/usr/bin/env bash
# A damaged layer does not take the server down. A database made only from third-party files
# (SSP-CDMX crime points in two versions, INEGI's municipality, the police quadrants: tests/data)
# has two leaf pages of the published crime version's table overwritten (corrupt_pages.py) before
# the server starts. Every request that reads that table (items, one item, vector tiles, PNG
# tiles, aggregates) gets 503 JSON naming the layer, with Retry-After, never a 500 or a crash;
# every other layer keeps answering (items, tiles, PNG, map page, catalogue); /health says
# "degraded" and names the layer and version. Then `teselas rollback` to the sound version 1,
# with the server running: the layer is served again without a restart (its items those of
# version 1) and /health says "ok".
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
D="$TESELAS_TEST_DATA"
DB="$TEST_TMP/f.db"
imp() {
  "$TESELAS" import "$1" --db "$DB" --layer "$2" --privacy none --quiet > "$TEST_TMP/out" 2>&1 \
    || fail "import $1: $(cat "$TEST_TMP/out")"
}
python3 "$HERE/versions_check.py" edit "$D/cdmx-ssp/crime-lat-long-2000.csv" "$TEST_TMP/c2.csv" \
  --lat lat --lon long --id id --retype month --drop hour
imp "$D/cdmx-ssp/crime-lat-long-2000.csv" delitos
imp "$TEST_TMP/c2.csv" delitos
imp "$D/inegi/AGEM_11020_old.geojson" municipio
imp "$D/cdmx-ssp/cuadrantes_shp.zip" cuadrantes
V1_COUNT=$(sqlite3 "$DB" "SELECT count(*) FROM lyr_delitos_v1")
python3 "$HERE/corrupt_pages.py" "$DB" lyr_delitos_v2 > /dev/null || fail "corrupt lyr_delitos_v2"

start_server "$DB" --quiet
# the damaged layer: its reads answer 503 with a JSON body naming it
for p in "/collections/delitos/items?limit=10000" "/collections/delitos/items/1000" \
  "/tiles/delitos/6/14/28.pbf" "/tiles/delitos/8/57/113.pbf" "/tiles/municipio,delitos/6/14/28.pbf" \
  "/styles/delitos/8/57/113.png" "/collections/delitos/aggregate?by=crime"; do
  http_get "$p"
  expect_status 503 "$p"
  expect_json "d['code'] == 'unavailable' and 'delitos' in d['description'] and 'damaged' in d['description']"
  expect_header Retry-After 5
done
# the other layers and the catalogue keep answering
for p in "/collections/municipio/items?limit=5" "/tiles/municipio/8/55/112.pbf" \
  "/styles/municipio/8/55/112.png" "/collections/cuadrantes/items?limit=3" \
  "/tiles/cuadrantes/8/57/113.pbf" "/collections" "/collections/delitos" "/tiles/delitos.json" \
  "/maps/municipio" "/" "/catalog.jsonld"; do
  http_get "$p"
  expect_status 200 "$p"
done
http_get /health
expect_status 200 /health
expect_json "d['status'] == 'degraded' and [x['layer'] for x in d['damaged']] == ['delitos'] and d['damaged'][0]['version'] == 2"
# a second /health, from the kept answer, says the same
http_get /health
expect_json "d['status'] == 'degraded' and d['damaged'][0]['layer'] == 'delitos'"
kill -0 "$SERVER_PID" || fail "the server died"

# repair: publish version 1's data again while the server runs
"$TESELAS" rollback delitos --db "$DB" --to 1 > "$TEST_TMP/out" 2>&1 \
  || fail "rollback: $(cat "$TEST_TMP/out")"
for p in "/tiles/delitos/6/14/28.pbf" "/styles/delitos/8/57/113.png" "/collections/delitos/items/1000"; do
  http_get "$p"
  expect_status 200 "$p after the rollback"
done
http_get "/collections/delitos/items?limit=10000"
expect_status 200 "items after the rollback"
expect_json "len(d['features']) == $V1_COUNT"
http_get /health
expect_json "d['status'] == 'ok' and 'damaged' not in d"
kill -0 "$SERVER_PID" || fail "the server died"
stop_server || fail "the server did not stop cleanly"
done_checks
