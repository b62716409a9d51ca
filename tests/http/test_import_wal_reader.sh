#!/usr/bin/env bash
# A download held open by a slow client while re-imports land, on the SSP-CDMX incidents (a
# third-party file, 131k rows): the download is one consistent version (the one published when
# it started: all its rows, each once, none of a later version), the server answers other
# requests with the newest version meanwhile, and the write-ahead log does not keep what the long
# read held back: once the read ends, the WAL file shrinks back under a bound.
source "$(dirname "$0")/features_lib.sh"
SRC="${TESELAS_SHARED_DATA:-}/cdmx-ssp-delitos/crime-lat-long.csv"
[ -f "$SRC" ] || skip "TESELAS_SHARED_DATA has no cdmx-ssp-delitos/crime-lat-long.csv"
DB="$TEST_TMP/wal.db"
CLIENTS="$(dirname "$0")/../clients"
# versions of different sizes: the first 60,000, 80,000, 100,000 and 120,000 rows
version_csv() { head -n $(($1 + 1)) "$SRC" > "$TEST_TMP/v$1.csv"; echo "$TEST_TMP/v$1.csv"; }
import_v() {
  "$TESELAS" import "$(version_csv "$1")" --db "$DB" --layer delitos --lat lat --lon long \
    --privacy none >"$TEST_TMP/import.log" 2>&1 || fail "import of $1 rows: $(tail -5 "$TEST_TMP/import.log")"
}
wal_size() { stat -c %s "$DB-wal" 2>/dev/null || echo 0; }
import_v 60000
N1=$(sqlite3 "$DB" "SELECT feature_count FROM teselas_layers WHERE id = 'delitos'")
[ "$N1" -gt 50000 ] || fail "first version: $N1 features"
start_server "$DB" --quiet

req "a download held open by a slow client"
rm -f "$TEST_TMP/go"
python3 "$CLIENTS/slow_download.py" "$SERVER_PORT" /collections/delitos/download.geojson 200000 \
  "$TEST_TMP/go" "$TEST_TMP/dl.json" > "$TEST_TMP/dl.status" 2>&1 &
DL=$!
sleep 2
kill -0 $DL 2>/dev/null || fail "the slow client ended early: $(cat "$TEST_TMP/dl.status")"
WAL_BEFORE=$(wal_size)
for n in 80000 100000 120000; do
  import_v $n
  # meanwhile the server answers with the newest version
  get "/collections/delitos"
  status_is 200
  echo "wal after the import of $n rows: $(wal_size) bytes" >&2
done
WAL_HELD=$(wal_size)
N4=$(sqlite3 "$DB" "SELECT feature_count FROM teselas_layers WHERE id = 'delitos'")
get "/collections/delitos/items?limit=1"
json "d['numberMatched'] == $N4" "the newest version served while the download reads"
touch "$TEST_TMP/go"
wait $DL || fail "the slow download failed: $(cat "$TEST_TMP/dl.status")"
grep -q "200" "$TEST_TMP/dl.status" || fail "download status: $(cat "$TEST_TMP/dl.status")"
python3 - "$TEST_TMP/dl.json" "$N1" <<'PY' || rfail "the download is not the first version whole"
import json, sys
d = json.load(open(sys.argv[1]))
ids = [f["id"] for f in d["features"]]
src = [f["properties"].get("id") for f in d["features"]]
ok = len(ids) == int(sys.argv[2]) and len(set(ids)) == len(ids)
# the rows of the first version are the first 60,000 of the file: no source id beyond them
ok = ok and all(s is None or int(s) <= 60000 for s in src)
print("download: %d features, %d distinct, source ids up to %s" % (len(ids), len(set(ids)), max(map(int, filter(None, src)), default=None)), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
ok

req "the WAL shrinks back once the read ends"
# every connection of the server but the download's stays open: the shrink cannot wait for the
# server to stop. The next requests, and at most a few seconds, are what it may take.
for _ in $(seq 1 100); do
  get "/collections/delitos/items?limit=1"
  [ "$(wal_size)" -le $((8 * 1024 * 1024)) ] && break
  sleep 0.1
done
WAL_AFTER=$(wal_size)
echo "wal: $WAL_BEFORE bytes before the imports, $WAL_HELD while the download held its read, $WAL_AFTER after" >&2
[ "$WAL_AFTER" -le $((8 * 1024 * 1024)) ] || rfail "WAL still $WAL_AFTER bytes after the read ended (held: $WAL_HELD)"
ok
[ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] || rfail "integrity"
ok
stop_server
done_checks
