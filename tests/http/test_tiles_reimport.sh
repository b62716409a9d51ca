#!/usr/bin/env bash
# A re-import while the server runs invalidates tiles, without a restart: after the incidents layer
# gets a new version, the next tile requests (cached before, clustered and exact ones) reflect the
# new data, ETags change so If-None-Match no longer answers 304, and TileJSON's ?v= changes, while
# the layers that did not change keep their version.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"
need_decoders

DB=$(demo_db 5000)
start_server "$DB" --quiet
read -r X Y < <(tile_of 14 -101.68 21.12)
read -r X8 Y8 < <(tile_of 8 -101.68 21.12)
points_in() { # points represented by a decoded tile: clusters count for their point_count
  python3 -c "import json,sys; l=json.load(open(sys.argv[1]))['layers']['incidentes']
print(sum(f['props'].get('point_count', 1) for f in l['features']))" "$1"
}

# --- before: version 1 everywhere; fill the tile cache and the cluster structures ---
http_get '/tiles/parques,incidentes.json'
expect_json 'd["tiles"][0].endswith("/tiles/parques,incidentes/{z}/{x}/{y}.pbf?v=1.1-'"$OUTPUT_ID"'")'
check_tile "$DB" incidentes 14 "$X" "$Y"
cp "$TILE" "$TEST_TMP/z14.before"
ETAG14=$(sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$TEST_TMP/headers")
fetch_tile incidentes 8 "$X8" "$Y8"
node "$TILES_DIR/decode.mjs" "$TILE" > "$TEST_TMP/z8.json"
[ "$(points_in "$TEST_TMP/z8.json")" = 5000 ] || fail "z8 tile does not hold the 5000 incidents"
fetch_tile parques,incidentes 14 "$X" "$Y"
ETAGPI=$(sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$TEST_TMP/headers")
fetch_tile parques 14 "$X" "$Y"
ETAGP=$(sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$TEST_TMP/headers")
[ -n "$ETAG14" ] && [ -n "$ETAGPI" ] && [ -n "$ETAGP" ] || fail "tiles without ETag"
# served from the cache now (same bytes)
fetch_tile incidentes 14 "$X" "$Y"
cmp -s "$TILE" "$TEST_TMP/z14.before" || fail "a repeated tile differs"
ok

# --- a new version of the incidents, written by another process while the server runs ---
"$TESELAS" demo --db "$DB" --build-only --incidents 5001 2>/dev/null || fail "re-import"
[ "$(sqlite3 "$DB" "SELECT version FROM teselas_layers WHERE id = 'incidentes'")" = 2 ] ||
  fail "the re-import did not make version 2"
ok
# the layers that did not change keep their version (the demo publishes through the importer's
# checksum skip)
PV=$(sqlite3 "$DB" "SELECT version FROM teselas_layers WHERE id = 'parques'")
[ "$PV" = 1 ] || fail "the unchanged parks got version $PV"

# --- after: no restart, new data ---
http_get '/tiles/parques,incidentes.json'
expect_json 'd["tiles"][0].endswith("/tiles/parques,incidentes/{z}/{x}/{y}.pbf?v='"$PV"'.2-'"$OUTPUT_ID"'")'
http_get '/tiles/incidentes.json'
expect_json 'd["tiles"][0].endswith("?v=2-'"$OUTPUT_ID"'")'
check_tile "$DB" incidentes 14 "$X" "$Y"     # ids and positions of the version-2 table
E=$(sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$TEST_TMP/headers")
[ -n "$E" ] && [ "$E" != "$ETAG14" ] || fail "ETag did not change: $E"
fetch_tile incidentes 8 "$X8" "$Y8"
node "$TILES_DIR/decode.mjs" "$TILE" > "$TEST_TMP/z8.json"
[ "$(points_in "$TEST_TMP/z8.json")" = 5001 ] || fail "z8 clusters still count the old version"
python3 "$TILES_DIR/check_clusters.py" --db "$DB" --tile "$TILE" --layer incidentes ||
  fail "z8 clusters do not match version 2"
ok
# the old ETag no longer validates; a layer keeps its ETag while its version stays
http_get "/tiles/incidentes/14/$X/$Y.pbf" -H "If-None-Match: $ETAG14"
expect_status 200 "If-None-Match with the version-1 ETag"
http_get "/tiles/parques,incidentes/14/$X/$Y.pbf" -H "If-None-Match: $ETAGPI"
expect_status 200 "If-None-Match with the version-1 ETag of a two-layer tile"
http_get "/tiles/parques/14/$X/$Y.pbf" -H "If-None-Match: $ETAGP"
if [ "$PV" = 1 ]; then expect_status 304 "the unchanged layer"; else expect_status 200 "parques v$PV"; fi
# a URL with the old ?v= still answers (with the current data)
http_get "/tiles/incidentes/14/$X/$Y.pbf?v=1"
expect_status 200 "old ?v="
stop_server
done_checks
