#!/usr/bin/env bash
# A server over PostgreSQL while the database changes under it, on third-party data only (the
# police quadrants of Mexico City, tests/data/cdmx-ssp): a NOTIFY on teselas_catalog is heard
# (LISTEN) and drops the layer's cached tiles; a new version published without a notification is
# found by the poll of the versions; during the change every response is the old version or the
# new one, whole (its ETag and its bytes from the same version); the new version's tiles are
# byte for byte those of SpatiaLite at that version; a tile or image URL with the current ?v= is
# immutable on both backends, an old one is not; PostgreSQL stopped under the running server gives
# 503 with JSON (/health "degraded"), never a crash, and full service again once it is back;
# --db-read falls back to the primary when a standby is down; --db-schema reads another schema.
#
# Until the writes over PostgreSQL land, a publication is simulated as they will make it: one
# transaction repoints the catalog row to a version table `teselas copy` put there and ends with
# NOTIFY teselas_catalog, '<layer id>'.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
source "$(dirname "$0")/../postgis/serve_lib.sh"
command -v ogr2ogr >/dev/null || skip "ogr2ogr (gdal-bin) not installed"
pg_test_start

DB="$TEST_TMP/cdmx.db"
cdmx_two_versions "$DB"
"$TESELAS" copy --from "$DB" --to "$(pg_uri)" >/dev/null || fail "copy"
# the same file at version 1, through SpatiaLite: the reference of the simulated publication
DB1="$TEST_TMP/cdmx-v1.db"
cp "$DB" "$DB1"
"$TESELAS" rollback cuadrantes --db "$DB1" --to 1 >/dev/null 2>&1 || fail "rollback of the reference file"
# A tile in the middle of version 1 (both versions have features there), and its image.
read -r Z X Y < <(center_tile "$SUB_GEOJSON" 12)
TILE="/tiles/cuadrantes/$Z/$X/$Y.pbf"

# 1. Immutable version URLs, on both backends: the v of TileJSON and of an image's ETag.
SERVER_LOG="$TEST_TMP/file.log" start_server "$DB" --quiet
FILE_BASE=$BASE
FILE_PID=$SERVER_PID
SERVER_PID=""
trap 'kill $FILE_PID 2>/dev/null; pg_stop; cleanup' EXIT
start_server "$(pg_uri)" --threads 2
PG_BASE=$BASE
PG_PID=$SERVER_PID
STYLE=$(curl -s "$PG_BASE/styles" | python3 -c "
import json, sys
d = json.load(sys.stdin)
ss = d.get('styles', d) if isinstance(d, dict) else d
print(next(s['id'] for s in ss if 'cuadrantes' in s['id']))")
PNG="/styles/$STYLE/$Z/$X/$Y.png"
for base in "$FILE_BASE" "$PG_BASE"; do
  v=$(curl -s "$base/tiles/cuadrantes.json" | python3 -c "
import json, sys, urllib.parse as u
print(u.parse_qs(u.urlparse(json.load(sys.stdin)['tiles'][0]).query)['v'][0])")
  [ "$v" = "2-$OUTPUT_ID" ] || fail "TileJSON's v is $v"
  [ "$(fetch "$base$TILE?v=$v" "$TEST_TMP/t")" = 200 ] || fail "tile ?v=$v"
  [ "$(cc_of "$TEST_TMP/t")" = "public, max-age=31536000, immutable" ] ||
    fail "$base: the current ?v= got Cache-Control $(cc_of "$TEST_TMP/t")"
  for q in "?v=2" "?v=1-$OUTPUT_ID" "?v=banana" ""; do
    fetch "$base$TILE$q" "$TEST_TMP/t" >/dev/null
    [ "$(cc_of "$TEST_TMP/t")" = "public, max-age=300" ] || fail "$base$TILE$q: $(cc_of "$TEST_TMP/t")"
  done
  [ "$(fetch "$base$PNG" "$TEST_TMP/p")" = 200 ] || fail "$base$PNG"
  pv=$(tag_of "$TEST_TMP/p" | cut -c3-10)
  fetch "$base$PNG?v=$pv" "$TEST_TMP/p" >/dev/null
  [ "$(cc_of "$TEST_TMP/p")" = "public, max-age=31536000, immutable" ] || fail "$base$PNG?v=$pv: $(cc_of "$TEST_TMP/p")"
  fetch "$base$PNG?v=00000000" "$TEST_TMP/p" >/dev/null
  [ "$(cc_of "$TEST_TMP/p")" = "public, max-age=300" ] || fail "an image with a wrong v is immutable"
  ok
done
cmp -s <(curl -s "$FILE_BASE$TILE") <(curl -s "$PG_BASE$TILE") || fail "the two backends' tiles differ"
ok

# 2. LISTEN: a notification alone (the versions unchanged, so the poll finds nothing) is heard
# and drops the layer's cached tiles (the tile above is in the cache).
publish_pg "$PG_PORT" 2 notify
for _ in $(seq 1 100); do
  grep -q "layer cuadrantes changed: [1-9][0-9]* cached tiles dropped" "$SERVER_LOG" && break
  sleep 0.1
done
grep -q "layer cuadrantes changed: [1-9][0-9]* cached tiles dropped" "$SERVER_LOG" ||
  fail "the notification was not heard, or dropped no tile"
ok

# 3. A publication with NOTIFY, under requests: each response is one version whole (the ETag
# and the bytes of version 1, or of version 2), and the new version's bytes are SpatiaLite's.
fetch "$PG_BASE$TILE" "$TEST_TMP/v2" >/dev/null
T2=$(tag_of "$TEST_TMP/v2")
fetch "$FILE_BASE$TILE" "$TEST_TMP/f2" >/dev/null
cmp -s "$TEST_TMP/v2" "$TEST_TMP/f2" || fail "version 2 differs from SpatiaLite's"
( kill $FILE_PID; wait $FILE_PID ) 2>/dev/null || true
PG_LOG=$SERVER_LOG
SERVER_LOG="$TEST_TMP/file1.log" start_server "$DB1" --quiet
FILE1_BASE=$BASE
FILE_PID=$SERVER_PID
SERVER_PID=$PG_PID
SERVER_LOG=$PG_LOG
fetch "$FILE1_BASE$TILE" "$TEST_TMP/f1" >/dev/null
! cmp -s "$TEST_TMP/f1" "$TEST_TMP/v2" || fail "the versions' tiles do not differ"
# (the file's rollback made version 3 with version 1's rows: the same bytes, another tag)
T1=$(tag_of "$TEST_TMP/f1" | sed 's/^"t[0-9]*-/"t1-/')
hammer_start "$PG_BASE$TILE" "$TEST_TMP/mix.txt"
publish_pg "$PG_PORT" 1 notify
seen=""
for _ in $(seq 1 50); do
  fetch "$PG_BASE$TILE" "$TEST_TMP/v1" >/dev/null
  [ "$(tag_of "$TEST_TMP/v1")" = "$T1" ] && { seen=1; break; }
  sleep 0.1
done
[ -n "$seen" ] || fail "version 1 was not served within 5 s of its notification"
hammer_stop
cmp -s "$TEST_TMP/v1" "$TEST_TMP/f1" || fail "version 1 over PostgreSQL differs from SpatiaLite's"
S1=$(sha256sum <"$TEST_TMP/f1" | cut -d' ' -f1)
S2=$(sha256sum <"$TEST_TMP/v2" | cut -d' ' -f1)
bad=$(grep -v -x -e "200 $T1 $S1" -e "200 $T2 $S2" "$TEST_TMP/mix.txt" | head -3 || true)
[ -z "$bad" ] || fail "responses that failed or mixed versions: $bad"
grep -q "200 $T1 $S1" "$TEST_TMP/mix.txt" && grep -q "200 $T2 $S2" "$TEST_TMP/mix.txt" ||
  fail "the requests did not see both versions"
[ "$(curl -s "$PG_BASE/collections/cuadrantes/items?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')" = "$N1" ] ||
  fail "the items do not count version 1's $N1 features"
ok

# 4. The poll: a version published without NOTIFY is served within the 2 s poll (bound 6 s).
publish_pg "$PG_PORT" 2
seen=""
for _ in $(seq 1 60); do
  fetch "$PG_BASE$TILE" "$TEST_TMP/v" >/dev/null
  [ "$(tag_of "$TEST_TMP/v")" = "$T2" ] && { seen=1; break; }
  sleep 0.1
done
[ -n "$seen" ] || fail "a change without NOTIFY was not seen within 6 s"
cmp -s "$TEST_TMP/v" "$TEST_TMP/v2" || fail "version 2 again differs"
ok

# 5. PostgreSQL stopped under the server: 503 with JSON, /health degraded, no crash; then back.
BIN=$(pg_bin_dir)
as_pg "$BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null || fail "pg_ctl stop"
# A worker answers from the catalogue it checked less than a second ago (at once when the catalog
# watch notices its connection gone): from a second after the stop every answer must be a 503.
sleep 1.2
for path in /health "$TILE" "/collections/cuadrantes/items?limit=2" /collections "$PNG"; do
  for _ in 1 2 3; do  # several, so that both workers meet the dead database
    code=$(fetch "$PG_BASE$path" "$TEST_TMP/d")
    [ "$code" = 503 ] || fail "$path answered $code while PostgreSQL was down: $(head -c 200 "$TEST_TMP/d")"
    grep -qi '^Content-Type: application/json' "$TEST_TMP/d.h" || fail "$path: 503 without JSON"
    grep -qi '^Retry-After:' "$TEST_TMP/d.h" || fail "$path: 503 without Retry-After"
  done
  if [ "$path" = /health ]; then
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d['status'] != 'degraded')" "$TEST_TMP/d" ||
      fail "/health said $(cat "$TEST_TMP/d")"
  else
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d['code'] != 'unavailable')" "$TEST_TMP/d" ||
      fail "$path said $(cat "$TEST_TMP/d")"
  fi
  ok
done
kill -0 "$SERVER_PID" || fail "the server died with its database"
as_pg "$BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null || fail "pg_ctl start"
code=""
for _ in $(seq 1 100); do
  code=$(fetch "$PG_BASE/health" "$TEST_TMP/h")
  [ "$code" = 200 ] && break
  sleep 0.1
done
[ "$code" = 200 ] || fail "/health still $code 10 s after PostgreSQL came back"
# /health came from one worker; the other retries its connection after at most the 2 s backoff
sleep 2.2
for _ in 1 2 3 4; do
  [ "$(fetch "$PG_BASE$TILE" "$TEST_TMP/v")" = 200 ] || fail "a tile after the restart"
  cmp -s "$TEST_TMP/v" "$TEST_TMP/v2" || fail "the tile after the restart differs"
done
ok
stop_server || fail "the server did not stop cleanly after the outage"

# 6. --db-read: a standby that cannot be reached; every request falls back to the primary.
start_server "$(pg_uri)" --quiet --threads 2 --db-read "postgresql://postgres@127.0.0.1:1/postgres"
for _ in 1 2 3 4; do
  [ "$(fetch "$BASE$TILE" "$TEST_TMP/v")" = 200 ] || fail "--db-read with a dead standby"
  cmp -s "$TEST_TMP/v" "$TEST_TMP/v2" || fail "--db-read: the primary's tile differs"
done
ok
stop_server
out=$("$TESELAS" serve --db "$DB" --db-read "$(pg_uri)" 2>&1) && fail "--db-read over a file started"
echo "$out" | grep -q "needs a PostgreSQL --db" || fail "--db-read over a file said: $out"
ok

# 7. --db-schema: the same catalog copied into schema otro, served from there.
"$TESELAS" copy --from "$DB1" --to "$(pg_uri)" --db-schema otro >/dev/null || fail "copy into otro"
start_server "$(pg_uri)" --quiet --db-schema otro
[ "$(fetch "$BASE$TILE" "$TEST_TMP/v")" = 200 ] || fail "--db-schema otro"
cmp -s "$TEST_TMP/v" "$TEST_TMP/f1" || fail "schema otro does not serve its own catalog (version 1)"
ok
stop_server
out=$("$TESELAS" serve --db "$(pg_uri)" --db-schema "Otro;x" 2>&1) && fail "a bad schema started"
echo "$out" | grep -q "lower-case letters" || fail "a bad schema said: $out"
ok
done_checks
