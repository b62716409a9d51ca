#!/usr/bin/env bash
# `teselas import --busy-timeout-ms N`: how long an import waits for another writer's lock on the
# database. An outside `sqlite3` holds a write transaction (BEGIN EXCLUSIVE and a row written):
#  - an import with a short wait fails (exit 1) saying the database is busy, naming the database
#    and the wait, and the database is unchanged (its dump, the outside writer's row aside);
#  - an import with the default wait (30 s) started while the lock is held waits for it, and
#    publishes once the outside writer commits;
#  - a wait that is not a positive number of milliseconds is a usage error (exit 2).
source "$(dirname "$0")/lib.sh"
outside_writer_db
dump() { sqlite3 "$DB" .dump | grep -v 'outside_writes' | sha256sum | cut -c1-64; }
BEFORE=$(dump)

CSV="$D/cdmx-ssp/crime-lat-long-2000.csv"

# 1. a short wait: busy, named, nothing written
outside_writer_hold
rc=0
"$TESELAS" import "$CSV" --db "$DB" --layer delitos --privacy none --quiet --busy-timeout-ms 300 \
  > "$TEST_TMP/short.out" 2> "$TEST_TMP/short.err" || rc=$?
[ "$rc" = 1 ] || fail "an import that met the lock with a 300 ms wait exited $rc: $(cat "$TEST_TMP/short.err")"
grep -q "busy" "$TEST_TMP/short.err" || fail "the message does not say busy: $(cat "$TEST_TMP/short.err")"
grep -qF "$DB" "$TEST_TMP/short.err" || fail "the message does not name the database: $(cat "$TEST_TMP/short.err")"
grep -q "300 ms" "$TEST_TMP/short.err" || fail "the message does not name the wait: $(cat "$TEST_TMP/short.err")"
grep -q "crime-lat-long-2000.csv" "$TEST_TMP/short.err" || fail "the message does not name the file"
ok
echo "short wait: $(cat "$TEST_TMP/short.err")"
[ -f "$TEST_TMP/held.done" ] && fail "the lock was released before the import gave up"
outside_writer_release
[ "$(dump)" = "$BEFORE" ] || fail "the database changed after an import that found it busy"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM teselas_history WHERE layer_id='delitos'")" = 0 ] \
  || fail "a version of the busy import is recorded"
ok

# 2. the default wait: the import waits for the lock and publishes once it is released
outside_writer_hold
"$TESELAS" import "$CSV" --db "$DB" --layer delitos --privacy none --quiet \
  > "$TEST_TMP/default.out" 2> "$TEST_TMP/default.err" &
IMPORT=$!
# the import is waiting (not failed) well past the short wait above
sleep 2
kill -0 "$IMPORT" 2> /dev/null || { wait "$IMPORT"; fail "the import with the default wait did not wait: $(cat "$TEST_TMP/default.err")"; }
outside_writer_release
wait "$IMPORT" || fail "the import with the default wait: $(cat "$TEST_TMP/default.err")"
# the same as the same import into a database nobody else writes
"$TESELAS" import "$CSV" --db "$TEST_TMP/free.db" --layer delitos --privacy none --quiet > /dev/null \
  || fail "the import into a free database"
expected=$(sqlite3 "$TEST_TMP/free.db" "SELECT feature_count FROM teselas_layers WHERE id='delitos'")
got=$(sqlite3 "$DB" "SELECT feature_count FROM teselas_layers WHERE id='delitos'")
[ -n "$got" ] && [ "$got" = "$expected" ] \
  || fail "the layer imported past the lock has '$got' features, without the lock $expected"
echo "default wait: published $got features, as without the lock"
ok

# 3. usage errors
for bad in 0 -5 abc ""; do
  rc=0
  "$TESELAS" import "$CSV" --db "$DB" --layer delitos --busy-timeout-ms "$bad" > /dev/null 2> "$TEST_TMP/bad.err" || rc=$?
  [ "$rc" = 2 ] || fail "--busy-timeout-ms '$bad' exited $rc"
  grep -q "busy-timeout-ms" "$TEST_TMP/bad.err" || fail "--busy-timeout-ms '$bad': $(head -2 "$TEST_TMP/bad.err")"
  ok
done
done_checks
