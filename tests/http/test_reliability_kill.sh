#!/usr/bin/env bash
# kill -9, on a database made only from third-party files (tests/data). (1) The server killed
# while it streams a download: restarted, it answers every path of a list byte for byte as
# before, and SQLite's integrity_check and `teselas check` find the file sound. (2) Imports of a
# larger file (the SSP-CDMX crime points repeated 40 times with new ids, made in the test) killed
# at several moments: no half version is ever visible (the history and the catalog hold only
# whole versions), the file stays sound, the import's temporary directory (TMPDIR and
# SQLITE_TMPDIR point at a private one) is left empty — SQLite's temporary files are unlinked as
# they are opened — and the database's folder holds nothing but the file and its -wal and -shm.
# A last import runs to the end.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
D="$TESELAS_TEST_DATA"
mkdir -p "$TEST_TMP/db"
DB="$TEST_TMP/db/f.db"
for l in "inegi/AGEM_11020_old.geojson municipio" "cdmx-ssp/cuadrantes_shp.zip cuadrantes" \
  "cdmx-ssp/crime-lat-long-2000.csv delitos"; do
  set -- $l
  "$TESELAS" import "$D/$1" --db "$DB" --layer "$2" --privacy none --quiet > /dev/null || fail "import $1"
done
PATHS=(/collections/municipio/items?limit=5 /collections/cuadrantes/items?limit=50
  "/collections/delitos/items?limit=500&offset=100" /tiles/delitos/10/229/454.pbf
  /tiles/cuadrantes/11/458/908.pbf /tiles/municipio/8/55/112.pbf /collections/delitos)
snapshot() {
  mkdir -p "$1"
  local k=0
  for p in "${PATHS[@]}"; do
    http_get "$p"
    echo "$STATUS" > "$1/$k"
    # the port changes with each start, and a page's timeStamp with each request
    sed -E 's|127\.0\.0\.1:[0-9]+|HOST|g; s/"timeStamp":"[^"]*"//' "$TEST_TMP/body" >> "$1/$k"
    k=$((k + 1))
  done
}
sound() {
  [ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] || fail "integrity_check after $1"
  "$TESELAS" check --db "$DB" > "$TEST_TMP/check.log" || fail "check after $1: $(cat "$TEST_TMP/check.log")"
  ok
}

# 1. the server, mid-response
start_server "$DB" --quiet
snapshot "$TEST_TMP/before"
curl -s --limit-rate 20k -o "$TEST_TMP/partial" "$BASE/collections/cuadrantes/download.geojson" &
CURL=$!
for _ in $(seq 1 200); do [ -s "$TEST_TMP/partial" ] && break; sleep 0.05; done
[ -s "$TEST_TMP/partial" ] || fail "the download did not start"
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2> /dev/null || true
SERVER_PID=""
CRC=0
wait "$CURL" || CRC=$?
# the kernel's socket buffers may already hold the rest of the body when the server dies: then
# curl still reads it whole; the restart below is what this part proves
[ "$CRC" != 0 ] || echo "note: the socket buffers held the whole download when the server died"
echo "server killed after $(stat -c %s "$TEST_TMP/partial") bytes of the download (curl exit $CRC)"
sound "kill -9 of the server"
start_server "$DB" --quiet
snapshot "$TEST_TMP/after"
diff -r "$TEST_TMP/before" "$TEST_TMP/after" > /dev/null || fail "the restarted server answers differently"
ok
stop_server

# 2. imports, mid-write
BIG="$TEST_TMP/delitos-40.csv"
python3 - "$D/cdmx-ssp/crime-lat-long-2000.csv" "$BIG" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    n = 0
    for k in range(40):
        for r in rows:
            n += 1
            w.writerow(dict(r, id=n))
PY
PRIVATE_TMP="$TEST_TMP/importtmp"
mkdir -p "$PRIVATE_TMP"
whole=0
for delay in 0.2 1 2.5 4.5 6.5 8; do
  # a file of its own each time (one row more): an unchanged file would be no new version
  cp "$BIG" "$TEST_TMP/run.csv"
  echo "\"N-1.1.18\",\"VIOLACION\",2013-01-01,\"10:07\",2013,1,19.54,-99.12,$((900000 + ${delay%.*}))${delay#*.}" \
    >> "$TEST_TMP/run.csv"
  TMPDIR="$PRIVATE_TMP" SQLITE_TMPDIR="$PRIVATE_TMP" "$TESELAS" import "$TEST_TMP/run.csv" --db "$DB" \
    --layer grande --privacy none --quiet > "$TEST_TMP/imp.log" 2>&1 &
  IMP=$!
  sleep "$delay"
  kill -9 "$IMP" 2> /dev/null || true
  IRC=0
  wait "$IMP" 2> /dev/null || IRC=$?
  # the kill may land after the commit (exit 137 with the version published): what matters is
  # that a version the history holds is whole, and that an import that exited 0 published one
  h=$(sqlite3 "$DB" "SELECT count(*) FROM teselas_history WHERE layer_id='grande'")
  [ "$IRC" != 0 ] || [ "$h" != "$whole" ] || fail "an import exited 0 without a version"
  [ "$h" -ge "$whole" ] && [ "$h" -le $((whole + 1)) ] || fail "after a kill at ${delay}s: $h versions, $whole before"
  whole=$h
  c=$(sqlite3 "$DB" "SELECT count(*) FROM teselas_layers WHERE id='grande'")
  [ "$c" = "$((whole > 0 ? 1 : 0))" ] || fail "after a kill at ${delay}s: catalog entry $c"
  if [ "$whole" -gt 0 ]; then
    n=$(sqlite3 "$DB" "SELECT feature_count FROM teselas_layers WHERE id='grande'")
    t=$(sqlite3 "$DB" "SELECT table_name FROM teselas_layers WHERE id='grande'")
    rows=$(sqlite3 "$DB" "SELECT count(*) FROM \"$t\"")
    [ "$n" -gt 70000 ] && [ "$rows" = "$n" ] || fail "a half version: catalog $n, table $rows rows"
  fi
  [ -z "$(ls -A "$PRIVATE_TMP")" ] || fail "temporary files left: $(ls -la "$PRIVATE_TMP")"
  # the audit log (f.db.audit) holds the lines of the imports that committed: not a leftover
  left=$(ls "$TEST_TMP/db" | grep -vxE 'f\.db(-wal|-shm|\.audit)?' || true)
  [ -z "$left" ] || fail "files left beside the database: $left"
  sound "kill -9 of an import at ${delay}s (exit $IRC)"
  echo "import killed at ${delay}s: exit $IRC, $whole whole versions"
done
start_server "$DB" --quiet
snapshot "$TEST_TMP/after2"
diff -r "$TEST_TMP/before" "$TEST_TMP/after2" > /dev/null || fail "after the killed imports the server answers differently"
ok
"$TESELAS" import "$BIG" --db "$DB" --layer grande --privacy none --quiet > "$TEST_TMP/imp.log" 2>&1 \
  || fail "an import after the killed ones: $(cat "$TEST_TMP/imp.log")"
http_get "/collections/grande/items?limit=1"
expect_status 200 "the layer imported after the kills"
sound "the last import"
stop_server
done_checks
