#!/usr/bin/env bash
# teselas publish --fetch: a layer definition whose source is a URL, downloaded from a local HTTP
# server (fetch_server.py on 127.0.0.1, stopped by its PID) serving the INEGI localidades CSV.
# An unchanged source (304, or the same bytes under another ETag) makes no version, a changed one
# does; a server error, a timeout, an oversized file, a redirect to file://, a broken file and a
# schema change each fail with the layer, the URL and the reason, exit 1, and leave the database
# with exactly the same content (its SQL dump, byte for byte). The download's temporary folder is
# gone after every run.
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
SRC="$TESELAS_TEST_DATA/inegi/AGLOC_11020_localidades.csv"
[ -f "$SRC" ] || fail "missing $SRC"
SRV="$TEST_TMP/srv" DEFS="$TEST_TMP/defs" DB="$TEST_TMP/fetch.db" LOG="$TEST_TMP/requests.log"
export TMPDIR="$TEST_TMP/tmp"
mkdir -p "$SRV" "$DEFS" "$TMPDIR"
cp "$SRC" "$SRV/datos.csv"
: > "$LOG"

python3 "$HERE/fetch_server.py" "$SRV" "$LOG" > "$TEST_TMP/port" 2> "$TEST_TMP/server.err" &
FETCH_PID=$!
trap 'kill "$FETCH_PID" 2>/dev/null || true; wait "$FETCH_PID" 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do [ -s "$TEST_TMP/port" ] && break; sleep 0.05; done
PORT=$(cat "$TEST_TMP/port")
[ -n "$PORT" ] || fail "fetch server did not start: $(cat "$TEST_TMP/server.err")"
URL="http://127.0.0.1:$PORT"

# the repository's definition of the layer, its source made a URL and its schema held
define() {  # define URL_PATH
  python3 - "$HERE/../../layers/localidades-leon.json" "$URL/$1" "$DEFS/localidades.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["source"] = sys.argv[2]
d["expect_schema"] = "same"
json.dump(d, open(sys.argv[3], "w"), ensure_ascii=False)
PY
}
publish() { "$TESELAS" publish "$DEFS" --db "$DB" --quiet --fetch "$@" > "$TEST_TMP/out" 2> "$TEST_TMP/err"; }
state() { { sqlite3 "$DB" .dump; "$TESELAS" layers --db "$DB" --json; } | sha256sum; }
version() { sqlite3 "$DB" "SELECT version FROM teselas_layers WHERE id='localidades-leon'"; }
no_temp_left() { [ -z "$(ls -A "$TMPDIR")" ] || fail "temporary files left: $(ls -A "$TMPDIR")"; ok; }

# 1. first run: downloaded and published, named like the URL
define datos.csv
publish || fail "first fetch: $(cat "$TEST_TMP/err")"
[ "$(version)" = 1 ] || fail "version after the first fetch: $(version)"
[ "$(sqlite3 "$DB" "SELECT source_name FROM teselas_layers WHERE id='localidades-leon'")" = datos.csv ] || fail "source name"
want=$(python3 -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8')))
def num(v):
    try: float(v); return True
    except ValueError: return False
print(sum(1 for r in rows if num(r['latitud']) and num(r['longitud'])))" "$SRV/datos.csv")
[ "$(sqlite3 "$DB" "SELECT feature_count FROM teselas_layers WHERE id='localidades-leon'")" = "$want" ] || fail "feature count, want $want"
no_temp_left

# 2. unchanged: the server answers 304 to the ETag kept from the first download
before=$(state)
publish || fail "second fetch: $(cat "$TEST_TMP/err")"
grep -q "localidades-leon: sin cambios en la fuente (HTTP 304)" "$TEST_TMP/out" || fail "304 not reported: $(cat "$TEST_TMP/out")"
tag=$(python3 -c "import hashlib,sys; print('\"%s\"' % hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())" "$SRV/datos.csv")
python3 -c "import json,sys; r=json.loads(open(sys.argv[1]).read().splitlines()[-1]); sys.exit(0 if r['if_none_match']==sys.argv[2] and r['if_modified_since'] else 1)" "$LOG" "$tag" \
  || fail "no conditional request: $(tail -1 "$LOG")"
[ "$(state)" = "$before" ] || fail "a 304 changed the database"
no_temp_left

# 3. the same bytes under an ETag the server no longer knows: downloaded, recognised by checksum
sqlite3 "$DB" "UPDATE teselas_settings SET value=json_set(value,'\$.etag','\"viejo\"') WHERE key='fetch:localidades-leon'"
publish || fail "same bytes: $(cat "$TEST_TMP/err")"
grep -q "localidades-leon: sin cambios (versión 1)" "$TEST_TMP/out" || fail "same bytes not recognised: $(cat "$TEST_TMP/out")"
[ "$(version)" = 1 ] || fail "same bytes made a version"
no_temp_left

# 4. changed: a new version with the new value
python3 - "$SRV/datos.csv" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read().replace('"1579803"', '"1721215"', 1)
open(p, "w", encoding="utf-8").write(s)
PY
publish || fail "changed source: $(cat "$TEST_TMP/err")"
[ "$(version)" = 2 ] || fail "no new version for a changed source"
[ "$(sqlite3 "$DB" "SELECT poblacion FROM lyr_localidades_leon_v2 WHERE cvegeo='110200001'")" = 1721215 ] || fail "changed value"
no_temp_left

# 5. every failure: exit 1, layer + URL + reason named, the database exactly as it was
printf 'esto,no,es\nun,archivo,valido\n' > "$SRV/roto.csv"
python3 - "$SRV/datos.csv" "$SRV/sin-viviendas.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
k = rows[0].index("viv")
csv.writer(open(sys.argv[2], "w", encoding="utf-8", newline="")).writerows([r[:k] + r[k + 1:] for r in rows])
PY
before=$(state)
check_failure() {  # check_failure URL_PATH REASON_REGEX [publish flags]
  local path=$1 reason=$2; shift 2
  define "$path"
  set +e; publish "$@"; local rc=$?; set -e
  [ $rc = 1 ] || fail "$path: exit $rc, want 1 ($(cat "$TEST_TMP/err"))"
  grep -q "localidades-leon: $URL/$path: " "$TEST_TMP/err" || fail "$path: the layer and URL are not named: $(cat "$TEST_TMP/err")"
  grep -Eq "$reason" "$TEST_TMP/err" || fail "$path: reason /$reason/ not in: $(cat "$TEST_TMP/err")"
  [ "$(state)" = "$before" ] || fail "$path: the database changed"
  no_temp_left
}
check_failure error.csv "HTTP 500"
check_failure lento.csv "tardó más de 2 s" --fetch-timeout 2
check_failure grande.csv "pasa del límite de 1048576 bytes" --fetch-max-mb 1
check_failure a-file.csv "solo se descarga por http:// o https://"
check_failure no-existe.csv "HTTP 404"
check_failure roto.csv "no existe la columna indicada con --lat/--lon"
check_failure sin-viviendas.csv "viv"
kill "$FETCH_PID"; wait "$FETCH_PID" 2>/dev/null || true
check_failure datos.csv "Connection refused|Could not connect|Couldn't connect"

# a URL source without --fetch is an error that says what to do
set +e; "$TESELAS" publish "$DEFS" --db "$DB" --quiet > /dev/null 2> "$TEST_TMP/err"; rc=$?; set -e
[ $rc = 1 ] && grep -q "use --fetch\|con --fetch" "$TEST_TMP/err" || fail "URL without --fetch: $rc $(cat "$TEST_TMP/err")"
[ "$(state)" = "$before" ] || fail "publish without --fetch changed the database"
ok
done_checks
