#!/usr/bin/env bash
# Under `generalize`, nothing links a record back to an exact-location release: the source's
# identifier does not reach the database (the store numbers the records along its curve), and with
# `month` the time of day is a 6-hour band, unless the publisher keeps either on purpose with
# --keep-field. The SSP-CDMX crime points of tests/data (third-party; `id` unique, `hour` HH:MM)
# and an integer hour column; every expectation is computed from the CSV in Python.
source "$(dirname "$0")/lib.sh"
CSV="$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2000.csv"
DB="$TEST_TMP/l.db"
q() { sqlite3 "$DB" "$1"; }
imp() { # imp LAYER POLICY [flags...]
  local id=$1 pol=$2; shift 2
  "$TESELAS" import "$CSV" --db "$DB" --layer "$id" --privacy "$pol" --quiet \
    --report "$TEST_TMP/$id.json" "$@" \
    > "$TEST_TMP/$id.out" 2>&1 || fail "import $id: $(cat "$TEST_TMP/$id.out")"
}
# from_csv EXPR: the multiset of EXPR over the located rows of the CSV, as sorted lines
from_csv() {
  python3 - "$CSV" "$1" <<'PY'
import csv, sys
def band(h):
    hh = int(h.split(":")[0])
    b = hh // 6 * 6
    return "%02d:00-%02d:00" % (b, b + 6)
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["lat"] != "NA"]
for r in sorted(eval(sys.argv[2]) for r in rows):
    print("|".join(map(str, r)))
PY
}

# --- generalize with month: no id, hours in bands, everything else as the source says ---
imp gen generalize:grid=250,month
cols=$(q "SELECT group_concat(name) FROM pragma_table_info('lyr_gen_v1')")
[ "$cols" = "teselas_row,fid,cuadrante,crime,date,hour,year,month,geom" ] || fail "columns: $cols"
diff <(q "SELECT crime, date, hour FROM lyr_gen_v1 ORDER BY 1, 2, 3") \
     <(from_csv '(r["crime"], r["date"][:8] + "01", band(r["hour"]))') > "$TEST_TMP/d" \
  || fail "crime/month/band differ from the source: $(head "$TEST_TMP/d")"
[ "$(q "SELECT count(*) FROM lyr_gen_v1 WHERE fid <> teselas_row")" = 0 ] \
  || fail "feature ids are not the store's own"
q "SELECT privacy FROM teselas_layers WHERE id='gen'" > "$TEST_TMP/p.json"
python3 - "$TEST_TMP/p.json" <<'PY' || fail "policy: $(cat "$TEST_TMP/p.json")"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["ids_dropped"] == ["id"] and p["times_banded"] == ["hour"], p
assert "identificador del origen (id)" in p["description"] and "franjas de 6 horas (hour)" in p["description"], p
PY
grep -q "el campo id no se publica" "$TEST_TMP/gen.json" || fail "the report does not say so"
ok

# --- the API: the feature id is the store's, no property carries the source's ---
start_server "$DB"
http_get '/collections/gen/items?limit=1000'
python3 - "$TEST_TMP/body" <<'PY' || fail "items carry the source id"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["features"], d
for f in d["features"]:
    assert "id" not in f["properties"], f
    assert f["properties"]["hour"][2:] in (":00-06:00", ":00-12:00", ":00-18:00", ":00-24:00"), f
PY
stop_server || fail "server exited non-zero"
ok

# --- kept on purpose: the id and the exact hour are published, and the catalog says so ---
imp kept generalize:grid=250,month --keep-field id --keep-field hour
diff <(q "SELECT id, hour FROM lyr_kept_v1 ORDER BY 1") \
     <(from_csv '(int(r["id"]), r["hour"])') > "$TEST_TMP/d" || fail "kept id/hour: $(head "$TEST_TMP/d")"
[ "$(q "SELECT json_extract(privacy, '\$.kept_fields[0].field') || json_extract(privacy, '\$.kept_fields[1].field') FROM teselas_layers WHERE id='kept'")" = idhour ] \
  || fail "the kept fields are not recorded"
ok

# --- without month the hour stays (the date is exact too); the id still goes ---
imp nomonth generalize:grid=250
diff <(q "SELECT hour FROM lyr_nomonth_v1 ORDER BY 1") <(from_csv '(r["hour"],)') > /dev/null \
  || fail "hours changed without month"
[ "$(q "SELECT count(*) FROM pragma_table_info('lyr_nomonth_v1') WHERE name='id'")" = 0 ] || fail "id kept"
ok

# --- an integer hour column (0..23) becomes the first hour of its band ---
python3 - "$CSV" "$TEST_TMP/hora.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["lat"] != "NA"]
with open(sys.argv[2], "w", newline="") as g:
    w = csv.writer(g)
    w.writerow(["delito", "fecha", "hora", "lat", "lon"])
    for r in rows:
        w.writerow([r["crime"], r["date"], int(r["hour"].split(":")[0]), r["lat"], r["long"]])
PY
"$TESELAS" import "$TEST_TMP/hora.csv" --db "$DB" --layer hora --privacy generalize:grid=250,month \
  --types hora=integer --quiet > /dev/null || fail "import hora"
diff <(q "SELECT hora, count(*) FROM lyr_hora_v1 GROUP BY 1 ORDER BY 1") \
     <(python3 -c "
import csv, collections, sys
c = collections.Counter(int(r['hora']) // 6 * 6 for r in csv.DictReader(open(sys.argv[1])))
for k in sorted(c): print('%d|%d' % (k, c[k]))" "$TEST_TMP/hora.csv") > "$TEST_TMP/d" \
  || fail "integer hours: $(cat "$TEST_TMP/d")"
ok
done_checks
