#!/usr/bin/env bash
# GDAL's warnings quote what they read, a dropped field's value included: the INEGI waypoints of
# tests/data (third-party) with a person's name where a time should be ("Could not parse Juan
# Perez Lopez as a valid dateTime"). Imported with that field dropped, the report (stdout,
# --report, the catalog and the history) keeps the number of GDAL's warnings, not their text.
# Without the drop, the text is kept (the control: the warning does carry the value).
source "$(dirname "$0")/lib.sh"
GPX="$TEST_TMP/pozos.gpx"
DB="$TEST_TMP/r.db"
NAME="Juan Perez Lopez"
python3 - "$TESELAS_TEST_DATA/inegi/localidades_waypoints.gpx" "$GPX" "$NAME" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
text = text.replace("<ele>1800.0</ele>", "<ele>1800.0</ele>\n  <time>%s</time>" % sys.argv[3], 1)
open(sys.argv[2], "w", encoding="utf-8").write(text)
PY
grep -q "$NAME" "$GPX" || fail "the test file was not made"

# the control: kept, the warning's text is in the report
"$TESELAS" import "$GPX" --db "$DB" --layer control --report "$TEST_TMP/c.json" > "$TEST_TMP/c.txt" \
  || fail "import control"
grep -q "Could not parse $NAME" "$TEST_TMP/c.json" || fail "control: GDAL no longer quotes the value: $(grep -i gdal "$TEST_TMP/c.txt")"
ok

"$TESELAS" import "$GPX" --db "$DB" --layer pozos --drop time --report "$TEST_TMP/r.json" \
  > "$TEST_TMP/r.txt" || fail "import with --drop time"
grep -q 'GDAL dio [0-9]* avisos' "$TEST_TMP/r.txt" || fail "the count of warnings is gone: $(cat "$TEST_TMP/r.txt")"
for f in "$TEST_TMP/r.txt" "$TEST_TMP/r.json"; do
  ! grep -q "Perez Lopez" "$f" || fail "$(basename "$f") holds the dropped value: $(grep -i gdal "$f")"
done
[[ "$(sqlite3 "$DB" "SELECT report FROM teselas_layers WHERE id='pozos'")" != *"Perez Lopez"* ]] \
  || fail "the catalog's report holds the dropped value"
[[ "$(sqlite3 "$DB" "SELECT report FROM teselas_history WHERE layer_id='pozos'")" != *"Perez Lopez"* ]] \
  || fail "the history's report holds the dropped value"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM pragma_table_info('lyr_pozos_v1') WHERE name='time'")" = 0 ] \
  || fail "the dropped field has a column"
ok
done_checks
