#!/usr/bin/env bash
# A layer with one date field that is not its --date-field is told so. 2,200 CDMX crime rows
# (tests/data/cdmx-ssp, GPL-3.0) have ISO dates in `date`; imported as a city employee would,
# without --date-field, every OGC `datetime` query of the layer selects nothing (features without
# a time are never in a datetime's result), and the report said nothing. Now it names the field
# and the option; imported with it, `datetime` counts what Python counts in the CSV.
source "$(dirname "$0")/lib.sh"
SRC="$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2200.csv"
DB="$TEST_TMP/d.db"
"$TESELAS" import "$SRC" --db "$DB" --layer delitos --privacy none --report "$TEST_TMP/r1.json" \
  >"$TEST_TMP/out1" 2>&1 || fail "import: $(tail -3 "$TEST_TMP/out1")"
grep -q -- "--date-field date" "$TEST_TMP/out1" || fail "the report does not name the date field: $(cat "$TEST_TMP/out1")"
ok
start_server "$DB" --quiet
for day in 2013-01-03 2013-01-05; do
  http_get "/collections/delitos/items?datetime=$day&limit=1"
  expect_status 200 "datetime without a date field"
  expect_json 'd["numberMatched"] == 0'
done
"$TESELAS" import "$SRC" --db "$DB" --layer delitos --privacy none --date-field date \
  --report "$TEST_TMP/r2.json" >"$TEST_TMP/out2" 2>&1 || fail "import --date-field: $(tail -3 "$TEST_TMP/out2")"
grep -q -- "--date-field" "$TEST_TMP/out2" && fail "still noted with --date-field: $(cat "$TEST_TMP/out2")"
ok
for day in 2013-01-03 2013-01-05; do
  want=$(python3 -c "
import csv, sys
print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r['lat'] != 'NA' and r['date'] == sys.argv[2]))" "$SRC" "$day")
  http_get "/collections/delitos/items?datetime=$day&limit=1"
  expect_status 200 "datetime=$day"
  expect_json "d['numberMatched'] == $want"
done
done_checks
