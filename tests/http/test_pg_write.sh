#!/usr/bin/env bash
# Writes over PostgreSQL against the same writes on SpatiaLite, on third-party files only
# (tests/data: CDMX SSP crimes and police quadrants, INEGI localities; SOURCE.md there):
#  1. imports into an empty PostgreSQL database and into a file, with the same options (a
#     privacy policy among them), give byte-identical tiles, items and downloads;
#  2. a refused file leaves the schema exactly as it was (pg_dump before and after);
#  3. a second version imported while a server on PostgreSQL runs is served without a restart,
#     and its import NOTIFYs teselas_catalog with the layer id (a psql session LISTENs);
#  4. rollback, publish and remove answer as on SpatiaLite; the remove leaves no table of the
#     layer.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
pg_test_start
FILE="$TEST_TMP/file.db"
PG=$(pg_uri)
CUAD="$TESELAS_TEST_DATA/cdmx-ssp/cuadrantes_shp.zip"
CRIME="$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2000.csv"
LOC="$TESELAS_TEST_DATA/inegi/AGLOC_11020_localidades.csv"

both() { # both ARGS... : the same command on the file and on PostgreSQL
  "$TESELAS" "$@" --db "$FILE" >"$TEST_TMP/out.file" 2>&1 || fail "file: $*: $(tail -3 "$TEST_TMP/out.file")"
  "$TESELAS" "$@" --db "$PG" >"$TEST_TMP/out.pg" 2>&1 || fail "pg: $*: $(tail -3 "$TEST_TMP/out.pg")"
}
both import "$CUAD" --layer cuadrantes --quiet
both import "$CRIME" --layer delitos --lat lat --lon long --privacy generalize:grid=250,k=5 --quiet
both import "$LOC" --layer localidades --quiet
diff <("$TESELAS" layers --db "$FILE") <("$TESELAS" layers --db "$PG") || fail "layers differ"
ok

compare() { # compare LAYER...: the URL list of tests/postgis/pg_write_urls.py, both backends
  rm -rf "$TEST_TMP/cmp"
  python3 "$(dirname "$0")/../postgis/pg_write_urls.py" "$TESELAS" "$FILE" "$PG" "$TEST_TMP/cmp" "$@" ||
    fail "SpatiaLite and PostgreSQL answer differently after the same writes"
}
compare cuadrantes delitos localidades
ok
# no exact source coordinate of the generalised layer in any PostgreSQL table
python3 - "$CRIME" "$PG_PORT" <<'PY' || fail "an exact crime coordinate is in PostgreSQL"
import csv, subprocess, sys
pts = {(r["long"], r["lat"]) for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
sql = ("SELECT ST_X(g), ST_Y(g) FROM (SELECT (ST_DumpPoints(geom)).geom g FROM teselas.\"lyr_delitos_v1\") t")
out = subprocess.run(["psql", "-X", "-At", "-F", ",", "-h", "127.0.0.1", "-p", sys.argv[2], "-U",
                      "postgres", "-d", "postgres", "-c", sql], capture_output=True, text=True,
                     check=True).stdout
def num(v):
    try:
        return float(v)
    except ValueError:
        return None
src = {(num(x), num(y)) for x, y in pts}
got = {tuple(float(v) for v in line.split(",")) for line in out.split()}
sys.exit(1 if src & got or not got else 0)
PY
ok

# --db-schema: another schema of the same database, read with the URI's search path
"$TESELAS" import "$LOC" --db "$PG" --db-schema otro --layer localidades --quiet >/dev/null ||
  fail "import --db-schema"
[ "$("$TESELAS" layers --db "$(pg_uri otro)" | grep -c localidades)" = 1 ] || fail "schema otro"
ok

# 2. refused files leave the schema exactly as it was
dump() { pg_dump -h 127.0.0.1 -p "$PG_PORT" -U postgres -n teselas postgres |
  grep -v -e '^--' -e '^\\restrict' -e '^\\unrestrict' | md5sum; }  # pg_dump's random session key
before=$(dump)
if "$TESELAS" import "$LOC" --db "$PG" --layer cuadrantes --expect-schema same >"$TEST_TMP/o" 2>&1; then
  fail "a file whose fields changed was published"
fi
if "$TESELAS" import "$TESELAS_TEST_DATA/hostile/xxe.kml" --db "$PG" --layer nueva >"$TEST_TMP/o" 2>&1; then
  fail "a hostile file was published"
fi
grep -q "xxe.kml" "$TEST_TMP/o" || fail "the refusal does not name the file: $(tail -2 "$TEST_TMP/o")"
[ "$(dump)" = "$before" ] || fail "a refused import changed the schema"
ok

# 3. a new version while a server on PostgreSQL runs; its NOTIFY on teselas_catalog
start_server "$PG" --quiet
PBASE=$BASE
v1=$(curl -s "$PBASE/collections/localidades/items?limit=3" | md5sum)
(echo "LISTEN teselas_catalog;"; for _ in $(seq 1 80); do echo "SELECT 1;"; sleep 0.25; done) |
  "${PSQL[@]}" -At >"$TEST_TMP/notify" 2>&1 &
LISTENER=$!
sleep 1
both import "$TESELAS_TEST_DATA/inegi/AGLOC_11020_30.geojsons" --layer localidades --quiet
for _ in $(seq 1 50); do
  v2=$(curl -s "$PBASE/collections/localidades/items?limit=3" | md5sum)
  [ "$v2" != "$v1" ] && break
  sleep 0.1
done
[ "$v2" != "$v1" ] || fail "the running server still serves the first version"
wait "$LISTENER" || true
grep -q 'notification "teselas_catalog" with payload "localidades"' "$TEST_TMP/notify" ||
  fail "no NOTIFY teselas_catalog 'localidades': $(tail -3 "$TEST_TMP/notify")"
stop_server
compare localidades
ok

# rollback to the first version: a third version with its data, on both backends alike
both rollback localidades --to 1
compare localidades
[ "$(pg_sql "SELECT max(version) FROM teselas.teselas_layers WHERE id = 'localidades'")" = 3 ] ||
  fail "the rollback is not version 3"
ok

# publish: the definitions of layers/ (INEGI files of tests/data), on both backends alike
both publish "$(dirname "$0")/../../layers" --quiet
compare municipio-leon localidades-leon
ok

# 4. remove: the same catalogue as SpatiaLite's, no table of the layer left in PostgreSQL
both remove cuadrantes --reason prueba
diff <("$TESELAS" layers --db "$FILE") <("$TESELAS" layers --db "$PG") || fail "layers differ after remove"
[ "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'teselas' AND tablename LIKE 'lyr_cuadrantes%'")" = 0 ] ||
  fail "a table of the removed layer is still in PostgreSQL"
[ "$(pg_sql "SELECT count(*) FROM teselas.teselas_history WHERE layer_id = 'cuadrantes'")" = \
  "$(sqlite3 "$FILE" "SELECT count(*) FROM teselas_history WHERE layer_id = 'cuadrantes'")" ] ||
  fail "the history of the removed layer differs"
if "$TESELAS" remove cuadrantes --db "$PG" >"$TEST_TMP/o" 2>&1; then fail "a second remove succeeded"; fi
grep -q "no layer 'cuadrantes'" "$TEST_TMP/o" || fail "second remove: $(cat "$TEST_TMP/o")"
compare delitos localidades
ok
echo "PASS: $N_CHECKS checks"
