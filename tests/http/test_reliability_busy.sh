#!/usr/bin/env bash
# What blocks a reader of a WAL database, and the bounded wait of `serve --busy-timeout-ms`, on a
# database made from third-party files (tests/data).
# 1. While the server runs, its connections hold SQLite's shared lock on the file, so an outside
#    `sqlite3` in PRAGMA locking_mode=EXCLUSIVE cannot take the file: it is refused at once and
#    every request answers 200.
# 2. A server started while such a program already holds the file exclusively (a maintenance
#    script) starts anyway; each request waits the busy timeout, then answers 503 JSON
#    `unavailable` with Retry-After; once the program lets go, the same server answers 200.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
D="$TESELAS_TEST_DATA"
DB="$TEST_TMP/f.db"
ITEMS="/collections/municipio/items?limit=1"
"$TESELAS" import "$D/inegi/AGEM_11020_old.geojson" --db "$DB" --layer municipio --quiet > /dev/null \
  || fail "import municipio"
sqlite3 "$DB" "CREATE TABLE outside_writes(x TEXT)"

# exclusive_writer TAG: an outside sqlite3 in exclusive locking mode writes a row and holds the
# file until $TEST_TMP/TAG.release exists; TAG.held says it holds, TAG.log what it printed.
exclusive_writer() {
  local m="$TEST_TMP/$1"
  printf 'PRAGMA locking_mode=EXCLUSIVE;\nBEGIN EXCLUSIVE;\nINSERT INTO outside_writes VALUES(%s);\n.shell touch %s.held\n.shell while [ ! -f %s.release ]; do sleep 0.1; done\nCOMMIT;\n' \
    "'$1'" "$m" "$m" | sqlite3 -bail "$DB" > "$m.log" 2>&1
}

# 1. the server holds the file: an exclusive-mode writer is refused, readers go on
start_server "$DB" --quiet
http_get "$ITEMS"
expect_status 200 "before the outside writer"
touch "$TEST_TMP/refused.release"
exclusive_writer refused && fail "an exclusive-mode writer took the file from a running server"
grep -q "locked" "$TEST_TMP/refused.log" || fail "the refused writer says: $(cat "$TEST_TMP/refused.log")"
[ ! -f "$TEST_TMP/refused.held" ] || fail "the refused writer held the file"
ok
http_get "$ITEMS"
expect_status 200 "after the refused outside writer"
stop_server || fail "the server did not stop cleanly"

# 2. the file is held before the server starts
exclusive_writer held &
OUTSIDE=$!
for _ in $(seq 1 200); do [ -f "$TEST_TMP/held.held" ] && break; sleep 0.05; done
[ -f "$TEST_TMP/held.held" ] || fail "the outside writer did not take the file: $(cat "$TEST_TMP/held.log")"
BUSY_MS=1500
: > "$SERVER_LOG"
"$TESELAS" serve --db "$DB" --port 0 --bind 127.0.0.1 --busy-timeout-ms "$BUSY_MS" 2> "$SERVER_LOG" &
SERVER_PID=$!
# start-up reads wait for the lock too (the usage writer up to 10 s): a generous wait
for _ in $(seq 1 1200); do
  SERVER_PORT=$(sed -n 's|.*serving .* at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$SERVER_LOG")
  [ -n "$SERVER_PORT" ] && break
  kill -0 "$SERVER_PID" 2> /dev/null || fail "the server exited at start under the lock: $(cat "$SERVER_LOG")"
  sleep 0.05
done
[ -n "$SERVER_PORT" ] || fail "the server did not start under the lock"
BASE="http://127.0.0.1:$SERVER_PORT"
grep -q "503 until the lock is released" "$SERVER_LOG" || fail "the start did not say the file is locked"
ok
for p in "$ITEMS" "/tiles/municipio/10/222/450.pbf" "/collections/municipio" \
  "/collections/municipio/items?f=csv"; do
  T0=$(date +%s%N)
  http_get "$p" --max-time 120
  waited_ms=$((($(date +%s%N) - T0) / 1000000))
  expect_status 503 "$p while the file is held"
  expect_json 'd["code"] == "unavailable" and "locked" in d["description"]'
  grep -qi '^Retry-After: [0-9]' "$TEST_TMP/headers" || fail "503 without Retry-After: $(cat "$TEST_TMP/headers")"
  ok
  # the wait is the busy timeout, not less (an upper bound would be a timing: the load decides it)
  [ "$waited_ms" -ge $((BUSY_MS * 8 / 10)) ] || fail "$p answered 503 after $waited_ms ms, under the $BUSY_MS ms wait"
  ok
  echo "$p: 503 after $waited_ms ms (--busy-timeout-ms $BUSY_MS)"
done
kill -0 "$SERVER_PID" || fail "the server died under the lock"
touch "$TEST_TMP/held.release"
wait "$OUTSIDE" || fail "outside writer: $(cat "$TEST_TMP/held.log")"
for p in "$ITEMS" "/tiles/municipio/10/222/450.pbf" "/collections/municipio" "/health"; do
  http_get "$p" --max-time 120
  expect_status 200 "$p once the lock is released"
done
[ "$(sqlite3 "$DB" "SELECT group_concat(x) FROM outside_writes")" = held ] \
  || fail "the outside write is not the only one: $(sqlite3 "$DB" "SELECT * FROM outside_writes")"
ok
stop_server || fail "the server did not stop cleanly"
"$TESELAS" check --db "$DB" > "$TEST_TMP/check.log" || fail "check: $(cat "$TEST_TMP/check.log")"
ok
done_checks
