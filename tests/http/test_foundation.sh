#!/usr/bin/env bash
# Foundation: the CLI's usage errors, the demo database, /health and /, JSON errors, a taken port,
# missing and corrupt databases, and a clean SIGTERM shutdown.
source "$(dirname "$0")/lib.sh"

# --- CLI usage ---
for cmd in serve demo layers import publish; do
  "$TESELAS" $cmd --help >/dev/null || fail "$cmd --help"
  "$TESELAS" $cmd --version | grep -q '^teselas ' || fail "$cmd --version"
  set +e; "$TESELAS" $cmd --no-such-flag >/dev/null 2>"$TEST_TMP/err"; rc=$?; set -e
  [ $rc = 2 ] || fail "$cmd with a bad flag exited $rc, expected 2"
  grep -q usage "$TEST_TMP/err" || fail "$cmd with a bad flag printed no usage"
  ok
done
set +e; "$TESELAS" frobnicate 2>"$TEST_TMP/err"; rc=$?; set -e
[ $rc = 2 ] && grep -q "unknown command 'frobnicate'" "$TEST_TMP/err" || fail "unknown command: rc $rc"
set +e; "$TESELAS" 2>/dev/null; rc=$?; set -e
[ $rc = 2 ] || fail "no command: rc $rc"
set +e; "$TESELAS" serve --db x.db --port 99999 2>"$TEST_TMP/err"; rc=$?; set -e
[ $rc = 2 ] && grep -q "invalid value '99999' for --port" "$TEST_TMP/err" || fail "bad port value"
ok

# --- bad databases: one line naming the cause, exit 1 ---
set +e; "$TESELAS" serve --db "$TEST_TMP/missing.db" --port 0 2>"$TEST_TMP/err"; rc=$?; set -e
[ $rc = 1 ] && grep -q "no such file" "$TEST_TMP/err" || fail "missing db: rc $rc $(cat "$TEST_TMP/err")"
[ "$(wc -l < "$TEST_TMP/err")" = 1 ] || fail "missing db message is not one line"
head -c 5000 /dev/urandom > "$TEST_TMP/corrupt.db"
set +e; "$TESELAS" serve --db "$TEST_TMP/corrupt.db" --port 0 2>"$TEST_TMP/err"; rc=$?; set -e
[ $rc = 1 ] && grep -q "not a SQLite database" "$TEST_TMP/err" || fail "corrupt db: rc $rc $(cat "$TEST_TMP/err")"
sqlite3 "$TEST_TMP/plain.db" "CREATE TABLE t(x)"
set +e; "$TESELAS" layers --db "$TEST_TMP/plain.db" 2>"$TEST_TMP/err"; rc=$?; set -e
[ $rc = 1 ] && grep -q "not a teselas database" "$TEST_TMP/err" || fail "plain sqlite db: rc $rc"
ok

# --- the demo database ---
DB=$(demo_db 5000)
"$TESELAS" layers --db "$DB" > "$TEST_TMP/layers"
for id in limite-municipal colonias parques rios-canales cuerpos-agua incidentes; do
  grep -q "^$id " "$TEST_TMP/layers" || fail "demo layer $id missing: $(cat "$TEST_TMP/layers")"
done
grep -q "^incidentes .* 5000 .*Point" "$TEST_TMP/layers" || fail "incident count"
# deterministic: a second build from scratch gives the same catalog content
"$TESELAS" demo --db "$TEST_TMP/again.db" --build-only --incidents 5000 2>/dev/null
q="SELECT id, feature_count, minx, miny, maxx, maxy FROM teselas_layers ORDER BY id"
[ "$(sqlite3 "$DB" "$q")" = "$(sqlite3 "$TEST_TMP/again.db" "$q")" ] || fail "demo is not deterministic"
# rebuilding the same database skips unchanged layers: no new version
"$TESELAS" demo --db "$DB" --build-only --incidents 5000 2>/dev/null
[ "$(sqlite3 "$DB" "SELECT max(version) FROM teselas_layers")" = 1 ] || fail "rebuild made a version"
# another incident count makes a new version of the incidents only
"$TESELAS" demo --db "$TEST_TMP/again.db" --build-only --incidents 5001 2>/dev/null
[ "$(sqlite3 "$TEST_TMP/again.db" "SELECT group_concat(id) FROM teselas_layers WHERE version = 2")" = incidentes ] \
  || fail "a new incident count re-versioned other layers"
# it is a real SpatiaLite database with a spatial index per layer
[ "$(sqlite3 "$DB" "SELECT count(*) FROM geometry_columns WHERE spatial_index_enabled=1")" = 6 ] \
  || fail "spatial indexes"
[ "$(sqlite3 "$DB" "PRAGMA journal_mode")" = wal ] || fail "WAL mode"
ogrinfo -ro -so "$DB" >/dev/null 2>&1 || fail "GDAL cannot open the database"
ok

# --- the server ---
start_server "$DB"
http_get /health
expect_status 200 /health
expect_json 'd["status"] == "ok" and d["layers"] == 6 and d["uptime_s"] >= 0'
http_get '/?f=json'
expect_status 200 /
expect_json 'sorted(l["id"] for l in d["layers"]) == ["colonias","cuerpos-agua","incidentes","limite-municipal","parques","rios-canales"]'
expect_json 'all(l["sample"] for l in d["layers"])'
expect_header Access-Control-Allow-Origin '\*'
http_get /no/such/thing
expect_status 404 "unknown path"
expect_json 'd["code"] == "not_found" and "description" in d'
http_get /health -X POST
expect_status 405 POST
expect_json 'd["code"] == "invalid_parameter"'
http_get /health -I
expect_status 200 HEAD
http_get '/?f=json' -H 'Accept-Encoding: gzip'
expect_header Content-Encoding gzip
# the access log has method, path, status, bytes and microseconds
grep -qE '^access GET /health 200 [0-9]+ [0-9]+us' "$SERVER_LOG" || fail "access log line"
ok

# --- a taken port: a clear message, exit 1 ---
set +e; "$TESELAS" serve --db "$DB" --port "$SERVER_PORT" 2>"$TEST_TMP/err"; rc=$?; set -e
[ $rc = 1 ] && grep -q "already in use" "$TEST_TMP/err" || fail "taken port: rc $rc $(cat "$TEST_TMP/err")"
ok

# --- clean shutdown ---
stop_server || fail "server exited non-zero on SIGTERM"
grep -q "stopped" "$SERVER_LOG" || fail "no clean stop in the log"
done_checks
