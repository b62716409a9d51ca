#!/usr/bin/env bash
# Locks and concurrency, on a database made only from third-party files (tests/data). An outside
# `sqlite3` holds a write transaction (BEGIN EXCLUSIVE and a row written) for a few seconds while
# the server runs: in WAL mode readers are not blocked, so every request answers 200 from the last
# committed state, and an import started meanwhile waits for the lock (its busy wait, 30 s) and
# then publishes. Then two imports of one layer at once: serialised, both publish (or one says the
# database is busy), the history holds a version per success, and `teselas check` finds the
# database sound.
source "$(dirname "$0")/lib.sh"
outside_writer_db
"$TESELAS" import "$D/cdmx-ssp/cuadrantes_shp.zip" --db "$DB" --layer cuadrantes --quiet > /dev/null \
  || fail "import cuadrantes"
start_server "$DB" --quiet

# 1. an outside writer holds the lock for 5 s; the marker files say when it holds and when it let go
HELD="$TEST_TMP/held"
outside_writer_hold
(sleep 5; touch "$TEST_TMP/release") &
RELEASER=$!
"$TESELAS" import "$D/cdmx-ssp/crime-lat-long-2000.csv" --db "$DB" --layer delitos --privacy none \
  --quiet > "$TEST_TMP/imp.log" 2>&1 &
IMPORT=$!
n=0
for off in 0 3 6 9 12 15 18 21; do
  [ -f "$HELD.done" ] && break
  for p in "/collections/cuadrantes/items?limit=3&offset=$off" "/collections/municipio/items?limit=1" \
    "/tiles/cuadrantes/$((10 + off % 4))/229/454.pbf" "/health"; do
    http_get "$p" --max-time 60
    case "$STATUS" in 200 | 204) ok ;; *) fail "$p while an outside writer holds the lock: $STATUS $(head -c 200 "$TEST_TMP/body")" ;; esac
    n=$((n + 1))
  done
done
[ -f "$HELD.done" ] && [ "$n" -lt 4 ] && fail "the lock was gone before any request was asked"
echo "$n requests answered while the outside writer held the lock"
outside_writer_release
# (the 5 s releaser may still be asleep: stopped here, it cannot touch the test's directory
# while the EXIT trap removes it)
kill "$RELEASER" 2>/dev/null || true
wait "$RELEASER" 2>/dev/null || true
wait "$IMPORT" || fail "the import that met the lock: $(cat "$TEST_TMP/imp.log")"
http_get "/collections/delitos/items?limit=1"
expect_status 200 "the layer imported past the lock"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM outside_writes")" = 1 ] || fail "the outside write is lost"

# 2. two imports of the same layer at once
C="$D/inegi/AGLOC_11020_localidades.csv"
"$TESELAS" import "$C" --db "$DB" --layer localidades --quiet > "$TEST_TMP/a.log" 2>&1 &
A=$!
"$TESELAS" import "$D/inegi/AGLOC_11020_30.geojsons" --db "$DB" --layer localidades --quiet \
  > "$TEST_TMP/b.log" 2>&1 &
B=$!
RA=0; RB=0
wait "$A" || RA=$?
wait "$B" || RB=$?
published=0
for r in "$RA:a" "$RB:b"; do
  rc=${r%%:*} log="$TEST_TMP/${r##*:}.log"
  if [ "$rc" = 0 ]; then
    published=$((published + 1))
  else
    grep -qiE "busy|locked" "$log" || fail "an import failed without saying the database is busy: $(cat "$log")"
  fi
done
[ "$published" -ge 1 ] || fail "neither import published: $(cat "$TEST_TMP/a.log" "$TEST_TMP/b.log")"
versions=$(sqlite3 "$DB" "SELECT count(*) FROM teselas_history WHERE layer_id='localidades'")
[ "$versions" = "$published" ] || fail "$published imports published, the history holds $versions versions"
echo "two imports at once: $published published (exit $RA, $RB)"
ok
http_get "/collections/localidades/items?limit=1"
expect_status 200 "the layer both imports wrote"
"$TESELAS" check --db "$DB" > "$TEST_TMP/check.log" || fail "check after the concurrent imports: $(cat "$TEST_TMP/check.log")"
ok
kill -0 "$SERVER_PID" || fail "the server died"
stop_server || fail "the server did not stop cleanly"
done_checks
