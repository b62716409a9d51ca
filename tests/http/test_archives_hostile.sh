#!/usr/bin/env bash
# Hostile archives given to `serve --archive` (written by pmtiles_hostile.py from an archive
# seeded from third-party layers, and from scratch): a fault of the header, root directory or
# metadata stops the start with exit 1 and one line naming the archive, its file and the fault;
# a fault met only by a tile (a leaf directory that loops or inflates past its bound, a tile that
# does) is a 404 JSON for that tile, logged with the file and the fault, and the server goes on
# answering. Bad names (a layer's, not a layer id) and a flag without NAME=FILE are refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/archive_lib.sh"
get() { rm -f "$TEST_TMP/body"; http_get "$@"; }
third_party_archive
H="$TEST_TMP/hostile"
mkdir -p "$H"
python3 "$(dirname "$0")/pmtiles_hostile.py" "$TP_ARCHIVE" "$H"

# start_fails FLAG_VALUE EXIT TEXT...: serve exits with EXIT before listening, its stderr holding
# every TEXT
start_fails() {
  local arg=$1 want=$2 rc=0
  shift 2
  timeout 60 "$TESELAS" serve --db "$TP_DB" --port 0 --archive "$arg" >"$TEST_TMP/out" 2>&1 || rc=$?
  [ "$rc" = "$want" ] || fail "--archive $arg: exit $rc, not $want: $(head -3 "$TEST_TMP/out")"
  for t in "$@"; do
    grep -qF -- "$t" "$TEST_TMP/out" || fail "--archive $arg: '$t' not in: $(head -3 "$TEST_TMP/out")"
  done
  ! grep -q "serving" "$TEST_TMP/out" || fail "--archive $arg: the server started"
  ok
}

start_fails "x=$H/truncated.pmtiles" 1 "archive 'x'" "$H/truncated.pmtiles" "header shorter than 127 bytes"
start_fails "x=$H/cut.pmtiles" 1 "$H/cut.pmtiles" "past the end of the file"
start_fails "x=$H/magic.pmtiles" 1 "$H/magic.pmtiles" "not a PMTiles file"
start_fails "x=$H/rootpast.pmtiles" 1 "$H/rootpast.pmtiles" "root directory"
start_fails "x=$H/datapast.pmtiles" 1 "$H/datapast.pmtiles" "tile data past the end of the file"
start_fails "x=$H/entrypast.pmtiles" 1 "$H/entrypast.pmtiles" "root directory entry 0" "past the end of the tile data"
start_fails "x=$H/metabomb.pmtiles" 1 "$H/metabomb.pmtiles" "metadata" "more than"
start_fails "x=$TEST_TMP/nothere.pmtiles" 1 "$TEST_TMP/nothere.pmtiles" "cannot open"
start_fails "x=$TP_DB" 1 "$TP_DB" "not an MBTiles file"
start_fails "paises=$TP_ARCHIVE" 1 "--archive paises" "the database has a layer of that name"
start_fails "Mundo!=$TP_ARCHIVE" 1 "not a valid name"
rc=0
"$TESELAS" serve --db "$TP_DB" --port 0 --archive a="$TP_ARCHIVE" --archive a="$TP_ARCHIVE" \
  >"$TEST_TMP/out" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "archive 'a' is named twice" "$TEST_TMP/out" || fail "a name twice: $rc $(cat "$TEST_TMP/out")"
ok
start_fails "$TP_ARCHIVE" 2 "invalid value" "--archive"
start_fails "=$TP_ARCHIVE" 2 "invalid value"

# --- faults met by a tile: 404 JSON, logged, and the server goes on ---
start_server "$TP_DB" --archive loop="$H/leafloop.pmtiles" --archive lbomb="$H/leafbomb.pmtiles" \
  --archive tbomb="$H/tilebomb.pmtiles" --archive mundo="$TP_ARCHIVE"
get /tiles/loop/0/0/0.pbf
expect_status 404 "a tile under a leaf that loops"
expect_json "d['code'] == 'not_found'"
grep -q "archive 'loop': $H/leafloop.pmtiles: leaf directories nested deeper than 3 levels" "$SERVER_LOG" ||
  fail "the loop is not logged: $(tail -3 "$SERVER_LOG")"
ok
get /tiles/lbomb/0/0/0.pbf
expect_status 404 "a tile under a leaf bomb"
grep -q "archive 'lbomb': $H/leafbomb.pmtiles: leaf directory: gzip: more than" "$SERVER_LOG" ||
  fail "the leaf bomb is not logged: $(tail -3 "$SERVER_LOG")"
ok
get /tiles/tbomb/0/0/0.pbf
expect_status 404 "a tile bomb to a client without gzip"
grep -q "archive 'tbomb': $H/tilebomb.pmtiles: tile 0/0/0: gzip: more than" "$SERVER_LOG" ||
  fail "the tile bomb is not logged: $(tail -3 "$SERVER_LOG")"
ok
get /tiles/tbomb/0/0/0.pbf -H 'Accept-Encoding: gzip'
expect_status 200 "the tile bomb as stored, to a gzip client (its bytes are the file's)"
expect_header Content-Encoding gzip
get /archives/loop.pmtiles -r 0-126
expect_status 206 "the file of a faulty archive is still served as it is"
get /tiles/mundo/0/0/0.pbf
expect_status 200 "the good archive beside them"
get /health
expect_status 200 "the server after the faults"
# the status column of the access lines (a body of 509 bytes is not a 5xx)
! grep -q '^access [A-Z]* [^ ]* 5[0-9][0-9] ' "$SERVER_LOG" ||
  fail "a 5xx: $(grep '^access [A-Z]* [^ ]* 5[0-9][0-9] ' "$SERVER_LOG" | head -3)"
stop_server
done_checks
