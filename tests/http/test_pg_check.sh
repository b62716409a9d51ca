#!/usr/bin/env bash
# `teselas check --db postgresql://…` on a private cluster, with layers imported from third-party
# files (CDMX police cuadrantes in two versions, León's municipal boundary): sound at first (exit
# 0, every kept version read), then each damage named by its layer and version and no other:
# a row deleted from an old version's table (its count against the history), a catalog box that
# lies, a spatial index dropped, an index marked invalid (a failed concurrent build).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
pg_test_start
D="$TESELAS_TEST_DATA"
URI=$(pg_uri)
"$TESELAS" import "$D/cdmx-ssp/cuadrantes_shp.zip" --db "$URI" --layer cuadrantes --quiet > /dev/null \
  || fail "import cuadrantes"
"$TESELAS" import "$D/cdmx-ssp/cuadrantes_shp.zip" --db "$URI" --layer cuadrantes --quiet \
  --title "Cuadrantes 2" > /dev/null || fail "import cuadrantes again"
"$TESELAS" import "$D/inegi/AGEM_11020_old.geojson" --db "$URI" --layer municipio --quiet > /dev/null \
  || fail "import municipio"
N_VERSIONS=$(pg_sql "SELECT count(*) FROM teselas.teselas_history WHERE table_name <> ''")

# check_db: runs the check as JSON into $TEST_TMP/check.json, its exit status in $RC
check_db() {
  RC=0
  "$TESELAS" check --db "$URI" --json > "$TEST_TMP/check.json" 2> "$TEST_TMP/check.err" || RC=$?
  cp "$TEST_TMP/check.json" "$TEST_TMP/body"
}
check_db
[ "$RC" = 0 ] || fail "a sound database: exit $RC $(cat "$TEST_TMP/check.json" "$TEST_TMP/check.err")"
expect_json "d['sound'] and d['layers'] == 2 and d['versions_read'] == $N_VERSIONS and d['problems'] == []"
"$TESELAS" check --db "$URI" > "$TEST_TMP/check.txt" || fail "text check"
grep -q "sound (2 layers, $N_VERSIONS versions read" "$TEST_TMP/check.txt" || fail "$(cat "$TEST_TMP/check.txt")"
ok

# expect_damage LAYER VERSION WORDS: exit 1, and every problem is of LAYER VERSION, saying WORDS
expect_damage() {
  check_db
  [ "$RC" = 1 ] || fail "damage not found ($3): exit $RC $(cat "$TEST_TMP/check.json" "$TEST_TMP/check.err")"
  expect_json "not d['sound'] and len(d['problems']) >= 1 and all(p['layer'] == '$1' and p['version'] == $2 and '$3' in p['what'] for p in d['problems'])"
  echo "found: $(python3 -c "import json,sys; print([p['what'] for p in json.load(open(sys.argv[1]))['problems']])" "$TEST_TMP/check.json")"
}

# 1. a row of the first version's table deleted
V1=$(pg_sql "SELECT table_name FROM teselas.teselas_history WHERE layer_id = 'cuadrantes' AND version = 1")
[ -n "$V1" ] || fail "the first version of cuadrantes is not kept"
pg_sql "CREATE TABLE teselas.saved AS SELECT * FROM teselas.\"$V1\" WHERE fid = (SELECT min(fid) FROM teselas.\"$V1\")" > /dev/null
pg_sql "DELETE FROM teselas.\"$V1\" WHERE fid = (SELECT fid FROM teselas.saved)" > /dev/null
expect_damage cuadrantes 1 "the history says"
pg_sql "INSERT INTO teselas.\"$V1\" SELECT * FROM teselas.saved; DROP TABLE teselas.saved" > /dev/null
check_db
[ "$RC" = 0 ] || fail "the row put back: exit $RC $(cat "$TEST_TMP/check.json")"
ok

# 2. the catalog's box of municipio lies
pg_sql "UPDATE teselas.teselas_layers SET minx = minx - 0.5 WHERE id = 'municipio'" > /dev/null
V_MUN=$(pg_sql "SELECT version FROM teselas.teselas_layers WHERE id = 'municipio'")
expect_damage municipio "$V_MUN" "the catalog says"
pg_sql "UPDATE teselas.teselas_layers SET minx = minx + 0.5 WHERE id = 'municipio'" > /dev/null

# 3. the spatial index of municipio's table dropped
T_MUN=$(pg_sql "SELECT table_name FROM teselas.teselas_layers WHERE id = 'municipio'")
GIST=$(pg_sql "SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam WHERE i.indrelid = 'teselas.\"$T_MUN\"'::regclass AND am.amname = 'gist'")
[ -n "$GIST" ] || fail "municipio's table has no GiST index after import"
pg_sql "ALTER INDEX teselas.\"$GIST\" RENAME TO kept_gist" > /dev/null
pg_sql "CREATE TABLE teselas.gist_def AS SELECT pg_get_indexdef('teselas.kept_gist'::regclass) AS def" > /dev/null
pg_sql "DROP INDEX teselas.kept_gist" > /dev/null
expect_damage municipio "$V_MUN" "no spatial (GiST) index"
pg_sql "DO \$\$ BEGIN EXECUTE (SELECT def FROM teselas.gist_def); END \$\$; DROP TABLE teselas.gist_def" > /dev/null

# 4. that index marked invalid, as a failed CREATE INDEX CONCURRENTLY leaves it
pg_sql "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'teselas.kept_gist'::regclass" > /dev/null
expect_damage municipio "$V_MUN" "is not valid"
pg_sql "UPDATE pg_index SET indisvalid = true WHERE indexrelid = 'teselas.kept_gist'::regclass" > /dev/null
check_db
[ "$RC" = 0 ] || fail "every damage undone: exit $RC $(cat "$TEST_TMP/check.json")"
ok

# a schema without a catalog: exit 1 saying so
RC=0
"$TESELAS" check --db "$(pg_uri nothing_here)" > /dev/null 2> "$TEST_TMP/none.err" || RC=$?
[ "$RC" = 1 ] && grep -qi "catalog" "$TEST_TMP/none.err" || fail "no catalog: exit $RC $(cat "$TEST_TMP/none.err")"
ok
done_checks
