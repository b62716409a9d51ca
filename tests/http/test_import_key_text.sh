#!/usr/bin/env bash
# Codes stay text in a CSV as they do in a GeoJSON: INEGI's localities of León (the Latin-1 CSV,
# every value quoted) keep cvegeo, cve_agee, cve_agem and cve_loc exactly as the file writes them,
# while pob stays a number; past the rows that decide a column's type, a state written "01" keeps
# its zero; --types cvegeo=integer still makes a number of it (the user's word wins). Checked on
# the items the server answers, against Python's csv module reading the same files.
source "$(dirname "$0")/lib.sh"
D="$TESELAS_TEST_DATA/inegi"
CSV="$D/AGLOC_11020_localidades_latin1.csv"
DB="$TEST_TMP/k.db"
[ -f "$CSV" ] || fail "missing $CSV"
imp() { # LAYER FILE [options...]
  local layer=$1 file=$2; shift 2
  "$TESELAS" import "$file" --db "$DB" --layer "$layer" --quiet "$@" > "$TEST_TMP/$layer.out" 2>&1 \
    || fail "import $layer: $(cat "$TEST_TMP/$layer.out")"
}

# 1,288 rows: seven copies of the 161 localities (municipios 020 to 026) and an eighth as state
# "01", past the 1,000 rows whose values decide a CSV column's type
python3 - "$CSV" "$TEST_TMP/estados.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="latin-1")))
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, rows[0].keys(), quoting=csv.QUOTE_ALL)
    w.writeheader()
    for k in range(8):
        for r in rows:
            r = dict(r, cve_agee="01" if k == 7 else "11", cve_agem="%03d" % (20 + k))
            r["cvegeo"] = r["cve_agee"] + r["cve_agem"] + r["cve_loc"]
            w.writerow(r)
PY
imp loc_csv "$CSV"
imp loc_geojson "$D/AGLOC_11020_30.geojsons"
imp estados "$TEST_TMP/estados.csv"
imp loc_int "$CSV" --types cvegeo=integer
start_server "$DB"
for layer in loc_csv loc_geojson estados loc_int; do
  http_get "/collections/$layer/items?limit=10000"
  expect_status 200 "items of $layer"
  cp "$TEST_TMP/body" "$TEST_TMP/$layer.json"
done

python3 - "$CSV" "$TEST_TMP/estados.csv" "$TEST_TMP" <<'PY' \
  || fail "the items' keys differ from the CSV's text"
import csv, json, sys
KEYS = ("cvegeo", "cve_agee", "cve_agem", "cve_loc")
def items(layer):
    doc = json.load(open("%s/%s.json" % (sys.argv[3], layer), encoding="utf-8"))
    return [f["properties"] for f in doc["features"]]
def keys(rows):  # every row's keys, as values of their own type: "11" is not 11
    return sorted([(k, r[k]) for k in KEYS] for r in rows)
src = list(csv.DictReader(open(sys.argv[1], encoding="latin-1")))
got = items("loc_csv")
assert len(got) == len(src) == 161, len(got)
assert keys(got) == keys(src), (keys(got)[:2], keys(src)[:2])
assert sorted(p["pob"] for p in got if p["pob"] is not None) == \
    sorted(int(r["pob"]) for r in src if r["pob"].isdigit()), "pob is no longer a number"
# the GeoJSON of the same localities: the same values, of the same type, as the CSV's items
by_cvegeo = {p["cvegeo"]: p for p in got}
for p in items("loc_geojson"):
    assert all(by_cvegeo[p["cvegeo"]][k] == p[k] for k in KEYS), p
big = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
assert keys(items("estados")) == keys(big), "state 01 past the sampled rows"
assert sum(p["cve_agee"] == "01" for p in items("estados")) == 161
forced = items("loc_int")
assert sorted(p["cvegeo"] for p in forced) == sorted(int(r["cvegeo"]) for r in src), forced[0]
assert all(isinstance(p["cve_agee"], str) for p in forced), forced[0]
print("keys as text:", len(got), "+", len(big), "rows; cvegeo forced to integer:", len(forced))
PY
ok

# the import report: the CSV's keys are text from the source, and none is offered --types
python3 - "$DB" <<'PY' || fail "the report types the keys"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rep = json.loads(db.execute("SELECT report FROM teselas_layers WHERE id='loc_csv'").fetchone()[0])
f = {x["name"]: x for x in rep["fields"]}
for k in ("cvegeo", "cve_agee", "cve_agem", "cve_loc"):
    assert f[k]["type"] == f[k]["source_type"] == "text", f[k]
    assert "numbers_stored_as_text" not in f[k], f[k]
assert f["pob"]["type"] == "integer", f["pob"]
PY
ok
done_checks
