#!/usr/bin/env bash
# The request time bound over PostgreSQL (`serve --request-time-ms`), on third-party data only
# (INEGI's localities of León, tests/data/inegi): another session holds an ACCESS EXCLUSIVE lock
# on one layer's table, so every read of that layer waits on PostgreSQL. With one worker thread
# (one connection) and a bound of 1.5 s:
#  - items and a vector tile of the locked layer answer 503 JSON naming --request-time-ms, with
#    Retry-After, long before the lock ends (it is held for ten minutes);
#  - PostgreSQL no longer runs them (no statement of the server waits on a lock afterwards: the
#    statement was cancelled there, not only abandoned);
#  - the same connection answers the next request, on another layer, at once (200);
#  - once the lock is gone the same URLs answer 200, the items with every locality of the file
#    (counted in Python from the CSV).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
pg_test_start
CSV="$TESELAS_TEST_DATA/inegi/AGLOC_11020_localidades.csv"
N=$(python3 -c "import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding='utf-8'))))" "$CSV")

DB="$TEST_TMP/loc.db"
"$TESELAS" import "$CSV" --db "$DB" --layer localidades --quiet >/dev/null || fail "import localidades"
"$TESELAS" import "$CSV" --db "$DB" --layer otra --quiet >/dev/null || fail "import otra"
"$TESELAS" copy --from "$DB" --to "$(pg_uri)" >/dev/null || fail "copy into PostgreSQL"
TABLE=$(pg_sql "SELECT table_name FROM teselas.teselas_layers WHERE id = 'localidades'")
[ -n "$TABLE" ] || fail "no table for localidades"
ITEMS="/collections/localidades/items?limit=1000"
TILE="/tiles/localidades/10/222/450.pbf"

start_server "$(pg_uri)" --threads 1 --request-time-ms 1500
http_get "$ITEMS"
expect_status 200 "items before the lock"
expect_json "d['numberMatched'] == $N and len(d['features']) == $N"

# another session takes the lock and keeps it for ten minutes
PGAPPNAME=teselas_test_lock "${PSQL[@]}" -c "BEGIN" \
  -c "LOCK TABLE teselas.\"$TABLE\" IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(600)" \
  >/dev/null 2>&1 &
LOCKER=$!
trap 'kill $LOCKER 2>/dev/null || true; pg_stop; cleanup' EXIT
for _ in $(seq 1 200); do
  [ "$(pg_sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
               WHERE a.application_name = 'teselas_test_lock' AND l.granted
               AND l.mode = 'AccessExclusiveLock' AND l.relation = 'teselas.\"$TABLE\"'::regclass")" = 1 ] && break
  sleep 0.1
done
[ "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'teselas_test_lock'")" = 1 ] ||
  fail "the locking session did not start"

# waiters: statements of anyone but the locker waiting on a lock
waiters() {
  pg_sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
          AND application_name <> 'teselas_test_lock'"
}

for path in "$ITEMS" "$TILE"; do
  # the lock outlasts the wait by minutes: an answer before --max-time is the bound's
  http_get "$path" --max-time 120
  expect_status 503 "$path while its table is locked"
  expect_json "d['code'] == 'unavailable' and '--request-time-ms' in d['description']"
  expect_header Retry-After "[0-9]"
  for _ in $(seq 1 50); do [ "$(waiters)" = 0 ] && break; sleep 0.1; done
  [ "$(waiters)" = 0 ] || fail "a statement of $path still waits on PostgreSQL after its 503"
  ok
  # the same (only) connection answers the next request
  http_get "/collections/otra/items?limit=2" --max-time 60
  expect_status 200 "another layer right after the 503"
  expect_json "len(d['features']) == 2"
done

pg_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'teselas_test_lock'" >/dev/null
wait "$LOCKER" 2>/dev/null || true
http_get "$ITEMS" --max-time 60
expect_status 200 "items after the lock"
expect_json "d['numberMatched'] == $N and len(d['features']) == $N"
http_get "$TILE" --max-time 60
expect_status 200 "tile after the lock"
[ -s "$TEST_TMP/body" ] || fail "empty tile after the lock"
ok
stop_server || fail "the server did not stop cleanly"
done_checks
