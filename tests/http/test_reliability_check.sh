#!/usr/bin/env bash
# `teselas check` on a database made only from third-party files (SSP-CDMX crime points in two
# versions, their police quadrants, INEGI's municipality and localities: tests/data). Sound: exit
# 0. Then faults injected into copies of it, each found and attributed to the right layer and
# version, and to no other: leaf pages of one version's table overwritten (tests/http/
# corrupt_pages.py finds them with SQLite's dbstat), a catalog count that lies, a spatial index
# missing an entry, a style of a version the history lacks. A file that is no database: exit 1
# naming it.
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
D="$TESELAS_TEST_DATA"
DB="$TEST_TMP/f.db"
imp() {
  "$TESELAS" import "$1" --db "$DB" --layer "$2" --privacy none --quiet > "$TEST_TMP/out" 2>&1 \
    || fail "import $1: $(cat "$TEST_TMP/out")"
}
python3 "$HERE/versions_check.py" edit "$D/cdmx-ssp/crime-lat-long-2000.csv" "$TEST_TMP/c2.csv" \
  --lat lat --lon long --id id --retype month --drop hour
imp "$D/cdmx-ssp/crime-lat-long-2000.csv" delitos
imp "$TEST_TMP/c2.csv" delitos
imp "$D/cdmx-ssp/cuadrantes_shp.zip" cuadrantes
imp "$D/inegi/AGEM_11020_old.geojson" municipio
imp "$D/inegi/AGLOC_11020_30.geojsons" localidades
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null

# check_json COPY: runs check --json, body in $TEST_TMP/body, exit status in $RC
check_json() {
  RC=0
  "$TESELAS" check --db "$1" --json > "$TEST_TMP/body" 2> "$TEST_TMP/err" || RC=$?
}

check_json "$DB"
[ "$RC" = 0 ] || fail "a sound database: exit $RC: $(cat "$TEST_TMP/body" "$TEST_TMP/err")"
expect_json 'd["sound"] and d["integrity_ok"] and d["layers"] == 4 and d["versions_read"] == 5 and d["problems"] == []'
"$TESELAS" check --db "$DB" > "$TEST_TMP/out" || fail "text check of a sound database"
grep -q "sound (4 layers, 5 versions read, integrity check ok, 0 problems)" "$TEST_TMP/out" \
  || fail "text summary: $(cat "$TEST_TMP/out")"
ok

# expect_only LAYER VERSION: exit 1, and every problem that names a layer names this one
expect_only() {
  [ "$RC" = 1 ] || fail "damaged $1 v$2: exit $RC: $(cat "$TEST_TMP/body" "$TEST_TMP/err")"
  expect_json "not d['sound'] and any(p['layer'] == '$1' and p['version'] == $2 for p in d['problems'])"
  expect_json "all(p['layer'] in (None, '$1') and p['version'] in (None, $2) for p in d['problems'])"
}

# 1. pages of a kept (not published) version's table, then of a published polygon layer's
for target in "delitos 1 lyr_delitos_v1" "delitos 2 lyr_delitos_v2" "cuadrantes 1 lyr_cuadrantes_v1"; do
  set -- $target
  cp "$DB" "$TEST_TMP/bad.db"
  pages=$(python3 "$HERE/corrupt_pages.py" "$TEST_TMP/bad.db" "$3") || fail "corrupt $3"
  check_json "$TEST_TMP/bad.db"
  expect_only "$1" "$2"
  expect_json "any('$3 unreadable' in p['what'] and 'malformed' in p['what'] for p in d['problems'])"
  "$TESELAS" check --db "$TEST_TMP/bad.db" > "$TEST_TMP/out" && fail "text check exit 0"
  grep -q "^layer $1 version $2: table $3 unreadable" "$TEST_TMP/out" \
    || fail "text output does not name $1 version $2: $(cat "$TEST_TMP/out")"
  ! grep -E "^layer " "$TEST_TMP/out" | grep -vq "^layer $1 version $2:" \
    || fail "text output names another layer: $(cat "$TEST_TMP/out")"
  grep -q "DAMAGED" "$TEST_TMP/out" || fail "no DAMAGED summary"
  echo "pages $pages of $3: named $1 version $2"
  ok
done

# 2. the catalog's count of the published version says one more than its table holds
cp "$DB" "$TEST_TMP/bad.db"
sqlite3 "$TEST_TMP/bad.db" "UPDATE teselas_layers SET feature_count = feature_count + 1 WHERE id='municipio'"
check_json "$TEST_TMP/bad.db"
expect_only municipio 1
expect_json "any('the catalog says' in p['what'] for p in d['problems'])"

# 3. the catalog's box moved
cp "$DB" "$TEST_TMP/bad.db"
sqlite3 "$TEST_TMP/bad.db" "UPDATE teselas_layers SET maxx = maxx + 0.5 WHERE id='localidades'"
check_json "$TEST_TMP/bad.db"
expect_only localidades 1
expect_json "any('spans' in p['what'] and 'the catalog says' in p['what'] for p in d['problems'])"

# 4. a feature gone from the spatial index (the R*Tree needs no SpatiaLite to write)
cp "$DB" "$TEST_TMP/bad.db"
sqlite3 "$TEST_TMP/bad.db" "DELETE FROM idx_lyr_cuadrantes_v1_geom WHERE pkid = (SELECT min(pkid) FROM idx_lyr_cuadrantes_v1_geom)"
check_json "$TEST_TMP/bad.db"
expect_only cuadrantes 1
expect_json "any('spatial index idx_lyr_cuadrantes_v1_geom has' in p['what'] for p in d['problems'])"

# 5. a style of a version the history does not have
cp "$DB" "$TEST_TMP/bad.db"
sqlite3 "$TEST_TMP/bad.db" "INSERT INTO teselas_styles(layer_id, version, style) VALUES('delitos', 9, '{}')"
check_json "$TEST_TMP/bad.db"
expect_only delitos 9
expect_json "any('teselas_styles refers to version 9' in p['what'] for p in d['problems'])"

# 6. not a database; no --db
head -c 8192 /dev/urandom > "$TEST_TMP/noise.db"
RC=0
"$TESELAS" check --db "$TEST_TMP/noise.db" > "$TEST_TMP/out" 2>&1 || RC=$?
[ "$RC" = 1 ] || fail "a file of noise: exit $RC"
grep -q "noise.db" "$TEST_TMP/out" || fail "the message does not name the file: $(cat "$TEST_TMP/out")"
ok
RC=0
"$TESELAS" check > /dev/null 2>&1 || RC=$?
[ "$RC" = 2 ] || fail "check without --db: exit $RC"
ok
done_checks
