#!/usr/bin/env bash
# k-anonymity of aggregate layers through the API (issue 8): a synthetic incident file published
# as counts per cell (a 1 km grid by type and month, and a 500 m grid by month only, k = 5),
# then every question the aggregation endpoint and the items answer, checked against the true
# counts by tests/privacy/check_kanon.py: no count below k for any cell, category, month or
# combination, counts exact when published, each answer made of published units only, and no
# difference of nested or overlapping bbox queries smaller than k. The suppression is counted in
# the layer's quality report.
source "$(dirname "$0")/lib.sh"
PRIV="$(cd "$(dirname "$0")/../privacy" && pwd)"

CSV="$TEST_TMP/incidentes.csv"
python3 "$PRIV/gen_incidents.py" 3000 5 > "$CSV"
DB="$TEST_TMP/k.db"
DROPS=(--drop nombre_victima --drop telefono --drop curp --drop domicilio)
"$TESELAS" import "$CSV" --db "$DB" --layer tipo-mes --privacy 'aggregate:grid=1km,k=5,by=tipo,date=fecha' \
  "${DROPS[@]}" --quiet >/dev/null || fail "import tipo-mes"
"$TESELAS" import "$CSV" --db "$DB" --layer mes --privacy 'agregar:grid=500,k=5,date=fecha' \
  "${DROPS[@]}" --quiet >/dev/null || fail "import mes"
"$TESELAS" import "$CSV" --db "$DB" --layer k9 --privacy 'aggregate:hex=800,k=9,by=tipo' \
  "${DROPS[@]}" --quiet >/dev/null || fail "import k9"
ok

# the suppression is counted in the quality report, and the catalog says how many cells are left
sqlite3 "$DB" "SELECT report FROM teselas_layers WHERE id='tipo-mes'" > "$TEST_TMP/report.json"
n_cells=$(sqlite3 "$DB" "SELECT feature_count FROM teselas_layers WHERE id='tipo-mes'")
python3 - "$TEST_TMP/report.json" "$n_cells" <<'PY' || fail "report: $(head -c 600 "$TEST_TMP/report.json")"
import json, sys
p = json.load(open(sys.argv[1]))["privacy"]
assert p["mode"] == "aggregate" and p["records"] == 3000, p
assert p["published"]["cell"] == int(sys.argv[2]) == p["cells"], p
assert p["suppressed"]["cell"] > 0 and p["suppressed"]["cell_category_month"] > 0, p
assert p["suppressed_records"] == 0 or p["suppressed_records"] >= 5, p
PY
ok

start_server "$DB" --quiet
python3 "$PRIV/check_kanon.py" --base "$BASE" --layer tipo-mes --csv "$CSV" --grid 1000 --k 5 \
  --by tipo --date fecha --boxes 80 --whole || fail "k-anonymity of tipo-mes"
ok
python3 "$PRIV/check_kanon.py" --base "$BASE" --layer mes --csv "$CSV" --grid 500 --k 5 \
  --date fecha --boxes 150 --seed 2 || fail "k-anonymity of mes"
ok

# the hexagonal layer: its cells and counts, and every answer >= k
http_get '/collections/k9/items?limit=1000'
expect_json 'd["features"] and all(f["properties"]["casos"] >= 9 for f in d["features"])'
expect_json 'all(len(f["geometry"]["coordinates"][0]) == 7 for f in d["features"])'
http_get '/collections/k9/aggregate?by=tipo'
expect_json 'd["source"] == "published_units" and all(g["count"] >= 9 for g in d["groups"])'
# what the aggregation endpoint refuses on an aggregate layer (no SQL path behind it)
for p in 'by=fecha' 'by=month' 'filter=tipo%3D%27lesiones%27' 'datetime=2025-01-01/2025-02-01' 'limit=5' 'by=tipo&by=tipo'; do
  http_get "/collections/k9/aggregate?$p"
  expect_status 400 "aggregate?$p"
done
stop_server || fail "server exited non-zero"
done_checks
