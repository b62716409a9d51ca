#!/usr/bin/env bash
# Safe updates: an import killed with SIGKILL while it writes leaves the database intact and the
# old version served; a running server sees a new version on its next request, and no request
# fails while the version is swapped.
source "$(dirname "$0")/lib.sh"
D="$TESELAS_TEST_DATA"
DB="$TEST_TMP/swap.db"

"$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer puntos > /dev/null
before=$(sqlite3 "$DB" .dump | sha256sum)

# a large generated CSV (deterministic), big enough to be killed while it writes: the writer keeps
# 64 MiB of pages in its cache, so the WAL on disk grows only past ~700,000 rows of this file
awk 'BEGIN { srand(7); print "id,nombre,latitud,longitud";
             for (i = 1; i <= 1000000; i++)
               printf "%d,punto %d,%.6f,%.6f\n", i, i, 20.9 + rand() * 0.35, -101.8 + rand() * 0.4 }' \
  > "$TEST_TMP/grande.csv"
"$TESELAS" import "$TEST_TMP/grande.csv" --db "$DB" --layer puntos > "$TEST_TMP/kill.out" 2>&1 &
pid=$!
# wait until it is writing the new version to disk: the WAL grows past 1 MB
for _ in $(seq 1 6000); do  # up to 5 minutes on a loaded machine
  size=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)
  [ "$size" -gt 1000000 ] && break
  kill -0 $pid 2>/dev/null || fail "the import ended before it could be killed: $(cat "$TEST_TMP/kill.out")"
  sleep 0.05
done
[ "$size" -gt 1000000 ] || fail "the import never started writing"
kill -9 $pid
wait $pid 2>/dev/null || true
[ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] || fail "integrity after kill -9"
[ "$(sqlite3 "$DB" .dump | sha256sum)" = "$before" ] || fail "the database changed after kill -9"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name LIKE 'lyr_puntos_v2%'")" = 0 ] || fail "staging table left"
ok

# the old version is still served; the next import is seen without a restart, with every
# request during the swap answered
start_server "$DB"
http_get "/?f=json" -H "Accept: application/json"
expect_status 200 "/ after kill"
expect_json '[l for l in d["layers"] if l["id"] == "puntos"][0]["version"] == 1 and [l for l in d["layers"] if l["id"] == "puntos"][0]["feature_count"] == 161'
( for i in $(seq 1 300); do
    curl -s -o /dev/null -w '%{http_code}\n' -H "Accept: application/json" "$BASE/?f=json" || echo curl-failed
  done > "$TEST_TMP/codes" ) &
poller=$!
sleep 0.3
"$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer puntos --title "Puntos, versión 2" \
  > "$TEST_TMP/import.out" || fail "second import: $(cat "$TEST_TMP/import.out")"
wait $poller
[ "$(sort -u "$TEST_TMP/codes")" = 200 ] || fail "requests failed during the swap: $(sort "$TEST_TMP/codes" | uniq -c)"
http_get "/?f=json" -H "Accept: application/json"
expect_json '[l for l in d["layers"] if l["id"] == "puntos"][0]["version"] == 2 and [l for l in d["layers"] if l["id"] == "puntos"][0]["title"] == "Puntos, versión 2"'
stop_server
done_checks
