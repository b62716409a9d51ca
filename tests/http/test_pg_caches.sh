#!/usr/bin/env bash
# Under a server on PostgreSQL, a new version announced by the database (NOTIFY teselas_catalog)
# empties every cache derived from the layer, not only its tiles: the cluster pyramids and the
# rendered images (PNG tiles, static maps). Clustered vector tiles, PNG tiles and a static map
# of a clustered point layer are asked (building the caches), a new version with a third of the
# points gone is imported into PostgreSQL, and once the server logs the announcement every one
# of those answers has changed and is, byte for byte, what a server started afresh on the new
# version answers: nothing is served from a cache of the old version.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
source "$(dirname "$0")/../postgis/serve_lib.sh"
pg_test_start
DB=$(demo_db 6000)
"$TESELAS" copy --from "$DB" --to "$(pg_uri)" >/dev/null || fail "copy into PostgreSQL"
# the second version: two points in three of the first (more than 2,000: still clustered)
V2="$TEST_TMP/incidentes-v2.csv"
{ echo "tipo,fecha,hora,lon,lat"
  sqlite3 -cmd ".load mod_spatialite" -csv "$DB" "SELECT tipo, fecha, hora, X(geom), Y(geom)
    FROM lyr_incidentes_v1 WHERE rowid % 3 <> 0 ORDER BY rowid"; } >"$V2" || fail "export"

URLS=()
for z in 9 10 11 12; do
  read -r _ x y < <(python3 - "$z" <<'PY'
import math, sys
z = int(sys.argv[1]); lon, lat = -101.68, 21.12; n = 2 ** z
print(z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))
PY
)
  URLS+=("/tiles/incidentes/$z/$x/$y.pbf" "/styles/incidentes/$z/$x/$y.png" "/styles/leon/$z/$x/$y.png")
done
URLS+=("/styles/incidentes/static/-101.68,21.12,11/400x300.png" "/styles/todas/static/-101.68,21.12,10/300x200.png")

start_server "$(pg_uri)" --threads 2
BEFORE="$TEST_TMP/before"
mkdir -p "$BEFORE"
for i in "${!URLS[@]}"; do
  [ "$(fetch "$BASE${URLS[$i]}" "$BEFORE/$i")" = 200 ] || fail "${URLS[$i]} before"
  fetch "$BASE${URLS[$i]}" "$BEFORE/$i.again" >/dev/null  # the second answer is the cache's
done

"$TESELAS" import "$V2" --db "$(pg_uri)" --layer incidentes --lat lat --lon lon --quiet >/dev/null ||
  fail "import of the second version into PostgreSQL"
line=""
for _ in $(seq 1 300); do
  line=$(grep "layer incidentes changed:" "$SERVER_LOG" | tail -1) && [ -n "$line" ] && break
  sleep 0.1
done
[ -n "$line" ] || fail "the server did not hear of the new version"
echo "$line"
[[ "$line" =~ changed:\ [1-9][0-9]*\ cached\ tiles\ dropped,\ [1-9][0-9]*\ images,\ [1-9][0-9]*\ cluster\ pyramids ]] ||
  fail "not every cache of the layer was emptied: $line"
# The notification is heard at once and the poll of the versions (every 2 s) sees the same change:
# it must not be announced a second time (a second notice finds the caches empty and says "0").
sleep 2.5
notices=$(grep -c "layer incidentes changed:" "$SERVER_LOG" || true)
[ "$notices" = 1 ] || fail "the change was announced $notices times: $(grep "layer incidentes changed:" "$SERVER_LOG")"
ok

AFTER="$TEST_TMP/after"
mkdir -p "$AFTER"
for i in "${!URLS[@]}"; do
  [ "$(fetch "$BASE${URLS[$i]}" "$AFTER/$i")" = 200 ] || fail "${URLS[$i]} after"
  cmp -s "$BEFORE/$i" "$AFTER/$i" && fail "${URLS[$i]}: the same bytes after the new version"
  [ "$(tag_of "$BEFORE/$i")" != "$(tag_of "$AFTER/$i")" ] || fail "${URLS[$i]}: the same ETag"
done
ok

# a server started now has no cache at all: the first server's answers must be its answers
FIRST_PID=$SERVER_PID
SERVER_PID=""
SERVER_LOG="$TEST_TMP/fresh.log" start_server "$(pg_uri)" --quiet
for i in "${!URLS[@]}"; do
  fetch "$BASE${URLS[$i]}" "$TEST_TMP/fresh" >/dev/null
  cmp -s "$AFTER/$i" "$TEST_TMP/fresh" || fail "${URLS[$i]}: not what a fresh server answers"
  [ "$(tag_of "$AFTER/$i")" = "$(tag_of "$TEST_TMP/fresh")" ] || fail "${URLS[$i]}: ETag"
done
ok
stop_server || true
kill "$FIRST_PID" && wait "$FIRST_PID" 2>/dev/null || true
echo "PASS: $N_CHECKS checks"
