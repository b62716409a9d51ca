#!/usr/bin/env bash
# A file with one date field dates its layer by it. 2,200 CDMX crime rows (tests/data/cdmx-ssp,
# GPL-3.0) have ISO dates in `date`; imported as a city employee would, without --date-field,
# every OGC `datetime` query of the layer selected nothing and the map's charts had no months
# (the report only named the option). Now the import takes the one date field, says so in the
# report, and `datetime` counts what Python counts in the CSV; `--date-field ''` keeps a layer
# without dates, and the report then names the option.
source "$(dirname "$0")/lib.sh"
SRC="$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2200.csv"
DB="$TEST_TMP/d.db"
"$TESELAS" import "$SRC" --db "$DB" --layer delitos --privacy none --report "$TEST_TMP/r1.json" \
  >"$TEST_TMP/out1" 2>&1 || fail "import: $(tail -3 "$TEST_TMP/out1")"
grep -q "campo de fecha: date" "$TEST_TMP/out1" || fail "the report does not say the date field taken: $(cat "$TEST_TMP/out1")"
"$TESELAS" import "$SRC" --db "$TEST_TMP/none.db" --layer delitos --privacy none --date-field '' \
  >"$TEST_TMP/out2" 2>&1 || fail "import --date-field '': $(tail -3 "$TEST_TMP/out2")"
grep -q -- "--date-field date" "$TEST_TMP/out2" || fail "without a date field the report does not name it: $(cat "$TEST_TMP/out2")"
# a later import without the option keeps the layer's choice: a guess never overrides it
"$TESELAS" import "$SRC" --db "$TEST_TMP/none.db" --layer delitos --privacy none \
  >"$TEST_TMP/out3" 2>&1 || fail "second import: $(tail -3 "$TEST_TMP/out3")"
ok
start_server "$DB" --quiet
for day in 2013-01-03 2013-01-05; do
  want=$(python3 -c "
import csv, sys
print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r['lat'] != 'NA' and r['date'] == sys.argv[2]))" "$SRC" "$day")
  [ "$want" -gt 0 ] || fail "no record on $day in the source: the check would prove nothing"
  http_get "/collections/delitos/items?datetime=$day&limit=1"
  expect_status 200 "datetime=$day"
  expect_json "d['numberMatched'] == $want"
done
# the charts' months: the aggregate by month counts the CSV's records of January 2013
want=$(python3 -c "
import csv, sys
print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r['lat'] != 'NA' and r['date'].startswith('2013-01')))" "$SRC")
http_get "/collections/delitos/aggregate?by=month"
expect_status 200 "aggregate by month"
expect_json "sum(g['count'] for g in d['groups'] if str(g['key']).startswith('2013-01')) == $want"
stop_server
start_server "$TEST_TMP/none.db" --quiet
http_get "/collections/delitos/items?datetime=2013-01-03&limit=1"
expect_status 200 "datetime without a date field"
expect_json 'd["numberMatched"] == 0'
done_checks
