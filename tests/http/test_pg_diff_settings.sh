#!/usr/bin/env bash
# `teselas diff` and /api/layers/{id}/diff over PostgreSQL answer byte for byte as over the file
# the schema was written with the same commands (third-party files: the CDMX quadrants in two
# versions, INEGI's León localities twice, the second edited by tests/http/versions_check.py:
# records moved, removed, added, a field retyped and one dropped); the catalog-wide settings
# (`import --save-area`, what `publish` and `publish --fetch` keep) are written to PostgreSQL,
# are what a later import there checks against, and travel with `teselas copy` both ways; a
# removal over PostgreSQL leaves no dead tuple in the catalogue tables (VACUUM after it).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
source "$(dirname "$0")/../postgis/serve_lib.sh"
pg_test_start
FILE="$TEST_TMP/file.db"
PG=$(pg_uri)
LOC="$TESELAS_TEST_DATA/inegi/AGLOC_11020_localidades.csv"
LOC2="$TEST_TMP/localidades-v2.csv"
python3 "$(dirname "$0")/versions_check.py" edit "$LOC" "$LOC2" --lat latitud --lon longitud \
  --retype pob --drop viv >/dev/null || fail "versions_check.py edit"
both() { # both ARGS... : the same command on the file and on PostgreSQL, outputs compared
  "$TESELAS" "$@" --db "$FILE" >"$TEST_TMP/out.file" 2>&1 || fail "file: $*: $(tail -3 "$TEST_TMP/out.file")"
  "$TESELAS" "$@" --db "$PG" >"$TEST_TMP/out.pg" 2>&1 || fail "pg: $*: $(tail -3 "$TEST_TMP/out.pg")"
}
cdmx_two_versions "$FILE"
"$TESELAS" import "$SUB_GEOJSON" --db "$PG" --layer cuadrantes --quiet >/dev/null || fail "pg import v1"
"$TESELAS" import "$TESELAS_TEST_DATA/cdmx-ssp/cuadrantes_shp.zip" --db "$PG" --layer cuadrantes \
  --quiet >/dev/null || fail "pg import v2"

# 1. Settings: --save-area writes the area to PostgreSQL, in the settings table, as on a file.
both import "$LOC" --layer localidades --area=-102,20.8,-101.3,21.4 --save-area --quiet
grep -q "área de interés del catálogo: -102,20.8,-101.3,21.4" "$TEST_TMP/out.pg" ||
  fail "--save-area over PostgreSQL: $(cat "$TEST_TMP/out.pg")"
[ "$(pg_sql "SELECT value FROM teselas.teselas_settings WHERE key = 'area_of_interest'")" = \
  "$(sqlite3 "$FILE" "SELECT value FROM teselas_settings WHERE key = 'area_of_interest'")" ] ||
  fail "the area in PostgreSQL is not the file's"
diff <("$TESELAS" layers --db "$FILE") <("$TESELAS" layers --db "$PG") || fail "layers differ"
ok
both import "$LOC2" --layer localidades --lat latitud --lon longitud --quiet
# the saved area is what the next import measures against: the same report on both sides
diff <("$TESELAS" versions localidades --db "$FILE" | sed 's/[0-9:T-]\{19\}Z//') \
     <("$TESELAS" versions localidades --db "$PG" | sed 's/[0-9:T-]\{19\}Z//') ||
  fail "the histories of localidades differ"
ok

# 2. The diff, from the CLI (text and every page of JSON) and from the HTTP API.
for layer in cuadrantes localidades; do
  for args in "" "--json --limit 1000" "--json --limit 7 --offset 5"; do
    # shellcheck disable=SC2086
    both diff "$layer" --from 1 --to 2 $args
    cmp -s "$TEST_TMP/out.file" "$TEST_TMP/out.pg" ||
      fail "diff $layer $args differs: $(diff "$TEST_TMP/out.file" "$TEST_TMP/out.pg" | head -5)"
    ok
  done
done
python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['counts']; sys.exit(0 if c['added'] and c['removed'] and c['changed'] else 1)" \
  "$TEST_TMP/out.pg" || fail "the diff shows no changes: $(head -c 300 "$TEST_TMP/out.pg")"
start_server "$FILE" --quiet
FILE_BASE=$BASE
FILE_PID=$SERVER_PID
SERVER_PID=""
start_server "$PG" --quiet
for q in "from=1&to=2" "from=1&to=2&limit=3&offset=2" "from=2&to=1" "from=1&to=9" "from=x"; do
  a=$(curl -s -w ' %{http_code}' "$FILE_BASE/api/layers/cuadrantes/diff?$q" | sed "s|$FILE_BASE|BASE|g")
  b=$(curl -s -w ' %{http_code}' "$BASE/api/layers/cuadrantes/diff?$q" | sed "s|$BASE|BASE|g")
  [ "$a" = "$b" ] || fail "/api/layers/cuadrantes/diff?$q: file ${a: -3}, PostgreSQL ${b: -3}: $(diff <(echo "$a") <(echo "$b") | head -4)"
  ok
done
kill "$FILE_PID" && wait "$FILE_PID" 2>/dev/null || true
stop_server || true

# 3. Settings travel with copy both ways.
BACK="$TEST_TMP/back.db"
"$TESELAS" copy --from "$PG" --to "$BACK" >/dev/null || fail "copy back"
[ "$(sqlite3 "$BACK" "SELECT value FROM teselas_settings WHERE key = 'area_of_interest'")" = \
  "$(sqlite3 "$FILE" "SELECT value FROM teselas_settings WHERE key = 'area_of_interest'")" ] ||
  fail "the area did not travel back"
ok
# 4. remove: the deleted catalogue rows are vacuumed at once (pgstattuple counts dead tuples).
"$TESELAS" remove localidades --db "$PG" >"$TEST_TMP/out" 2>&1 || fail "remove: $(cat "$TEST_TMP/out")"
[ "$(pg_sql "SELECT count(*) FROM teselas.teselas_layers WHERE id = 'localidades'")" = 0 ] ||
  fail "the layer is still in the catalogue"
pg_sql "CREATE EXTENSION IF NOT EXISTS pgstattuple" >/dev/null ||
  skip "pgstattuple (PostgreSQL's contrib) is not installed"
dead=$(pg_sql "SELECT string_agg(t || '=' || d, ' ') FROM (SELECT table_name t, (pgstattuple(
  format('teselas.%I', table_name))).dead_tuple_count d FROM information_schema.tables WHERE
  table_schema = 'teselas' AND table_name LIKE 'teselas%' AND table_name <> 'teselas_usage') x
  WHERE d > 0")
[ -z "$dead" ] || fail "dead tuples left after the removal: $dead"
ok
echo "PASS: $N_CHECKS checks"
