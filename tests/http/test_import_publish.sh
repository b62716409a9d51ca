#!/usr/bin/env bash
# teselas publish: the catalog as code. Publishes the repository's layers/ definitions, skips them
# all on a second run, re-imports only the one whose definition changed, and reports a broken
# definition without stopping the others.
source "$(dirname "$0")/lib.sh"
LAYERS="$(dirname "$0")/../../layers"
DB="$TEST_TMP/publish.db"

"$TESELAS" publish "$LAYERS" --db "$DB" > "$TEST_TMP/out1" || fail "publish: $(cat "$TEST_TMP/out1")"
n=$(ls "$LAYERS"/*.json | wc -l)
[ "$(sqlite3 "$DB" "SELECT count(*) FROM teselas_layers")" = "$n" ] || fail "not every layer published"
[ "$(sqlite3 "$DB" "SELECT title FROM teselas_layers WHERE id='localidades-leon'")" = "Localidades del municipio de León" ] || fail "title"
fields=$(sqlite3 "$DB" "SELECT fields FROM teselas_layers WHERE id='localidades-leon'")
python3 -c "import json,sys; f=json.loads(sys.argv[1]); sys.exit(0 if [x['name'] for x in f] == ['cvegeo','nombre','ambito','altitud','poblacion','viviendas'] and f[4]['label'] == 'Población' and f[4]['type'] == 'integer' else 1)" "$fields" \
  || fail "fields, labels and types from the definition: $fields"
[ "$(sqlite3 "$DB" "SELECT nombre FROM lyr_municipios_guanajuato_v1 WHERE cvegeo='11020'")" = "León" ] || fail "renamed field"
[ "$(sqlite3 "$DB" "SELECT keywords FROM teselas_layers WHERE id='municipio-leon'")" = "límite, municipio, León" ] || fail "keywords"
grep -q "== localidades-leon ==" "$TEST_TMP/out1" || fail "reports printed"
ok

# second run: nothing changed, nothing imported
"$TESELAS" publish "$LAYERS" --db "$DB" > "$TEST_TMP/out2" || fail "second publish"
[ "$(grep -c "sin cambios" "$TEST_TMP/out2")" = "$n" ] || fail "unchanged layers were re-imported: $(cat "$TEST_TMP/out2")"
[ "$(sqlite3 "$DB" "SELECT max(version) FROM teselas_layers")" = 1 ] || fail "a version was made"
ok

# a changed definition is a new version of that layer only; a broken one fails alone
mkdir "$TEST_TMP/defs"
cp "$LAYERS"/*.json "$TEST_TMP/defs/"
sed -i 's|"\.\./tests/data/|"'"$(cd "$LAYERS/.." && pwd)"'/tests/data/|' "$TEST_TMP/defs"/*.json
sed -i 's/"title": "Localidades del municipio de León"/"title": "Localidades de León"/' "$TEST_TMP/defs/localidades-leon.json"
printf '{"id": "roto", "source": "no-existe.csv", "titel": "typo"}\n' > "$TEST_TMP/defs/roto.json"
set +e; "$TESELAS" publish "$TEST_TMP/defs" --db "$DB" --quiet > "$TEST_TMP/out3" 2> "$TEST_TMP/err3"; rc=$?; set -e
[ $rc = 1 ] || fail "publish with a broken definition exited $rc"
grep -q "clave desconocida 'titel'" "$TEST_TMP/err3" || fail "unknown key message: $(cat "$TEST_TMP/err3")"
grep -q "localidades-leon: versión 2 publicada" "$TEST_TMP/out3" || fail "changed definition: $(cat "$TEST_TMP/out3")"
[ "$(grep -c "sin cambios" "$TEST_TMP/out3")" = $((n - 1)) ] || fail "others should be unchanged"
[ "$(sqlite3 "$DB" "SELECT title FROM teselas_layers WHERE id='localidades-leon'")" = "Localidades de León" ] || fail "new title"
ok

set +e; "$TESELAS" publish --db "$DB" > /dev/null 2>&1; rc=$?; set -e
[ $rc = 2 ] || fail "publish without DIR: $rc"
set +e; "$TESELAS" publish "$TEST_TMP/nada" --db "$DB" > /dev/null 2>&1; rc=$?; set -e
[ $rc = 1 ] || fail "publish of a missing folder: $rc"
ok
done_checks
