#!/usr/bin/env bash
# Importing sensitive layers (issue 8): the personal-data check stops an import that has not
# decided about every personal field and leaves the database byte for byte as it was; --drop
# removes a field (no column, no value anywhere in the file); --keep-field records a conscious
# decision in the catalog; the --privacy grammar; a layers/ definition with privacy, drop and
# keep_fields; a re-import without --privacy keeps the published policy; a layer whose policy the
# server cannot read is served nowhere; the description of the policy in the collection, TileJSON
# and the catalog page; bounds rounded to the grid.
source "$(dirname "$0")/lib.sh"
PRIV="$(cd "$(dirname "$0")/../privacy" && pwd)"

CSV="$TEST_TMP/incidentes.csv"
python3 "$PRIV/gen_incidents.py" 600 3 > "$CSV"
DB="$TEST_TMP/leon.db"
q() { sqlite3 "$DB" "$1"; }
dbsum() { for f in "$DB" "$DB-wal"; do [ ! -e "$f" ] || cat "$f"; done | sha256sum; }
DROPS=(--drop nombre_victima --drop telefono --drop curp --drop domicilio)

# --- no decisions: exit 1, every personal field named, no database created ---
"$TESELAS" import "$CSV" --db "$DB" --layer incidentes > "$TEST_TMP/out" 2> "$TEST_TMP/err" \
  && fail "an import with personal fields and no decision succeeded"
for f in nombre_victima telefono curp domicilio edad; do
  grep -q "$f" "$TEST_TMP/err" || fail "the message does not name $f: $(cat "$TEST_TMP/err")"
done
grep -q 'datos personales' "$TEST_TMP/err" && grep -q -- '--drop' "$TEST_TMP/err" \
  || fail "the message does not say what to do: $(cat "$TEST_TMP/err")"
grep -q 'valores con forma de CURP' "$TEST_TMP/out" || fail "the report does not say why: $(cat "$TEST_TMP/out")"
grep -q 'fecha\|tipo' "$TEST_TMP/err" && fail "tipo/fecha are not personal: $(cat "$TEST_TMP/err")"
[ ! -e "$DB" ] || fail "a refused import created the database"
ok

# --- an existing database stays byte for byte the same ---
printf 'nombre,lat,lon\nParque Hidalgo,21.12,-101.68\nPresa del Palote,21.16,-101.66\n' > "$TEST_TMP/parques.csv"
"$TESELAS" import "$TEST_TMP/parques.csv" --db "$DB" --layer parques --quiet >/dev/null || fail "parques"
before=$(dbsum)
"$TESELAS" import "$CSV" --db "$DB" --layer incidentes --drop telefono >/dev/null 2>"$TEST_TMP/err" \
  && fail "an import with undecided personal fields succeeded"
grep -q 'nombre_victima' "$TEST_TMP/err" && ! grep -q 'telefono' "$TEST_TMP/err" \
  || fail "a dropped field is still reported, or another one is not: $(cat "$TEST_TMP/err")"
[ "$(dbsum)" = "$before" ] || fail "a refused import changed the database"
[ "$(q "SELECT count(*) FROM teselas_layers WHERE id='incidentes'")" = 0 ] || fail "layer created"
ok

# --- dropping every personal field: published, no column, the decision in the catalog ---
"$TESELAS" import "$CSV" --db "$DB" --layer incidentes "${DROPS[@]}" --drop edad --privacy none --quiet \
  > "$TEST_TMP/out" 2>&1 || fail "import with --drop: $(cat "$TEST_TMP/out")"
cols=$(q "SELECT group_concat(name) FROM pragma_table_info('lyr_incidentes_v1')")
[ "$cols" = "teselas_row,fid,id,tipo,fecha,geom" ] || fail "columns: $cols"
q "SELECT privacy FROM teselas_layers WHERE id='incidentes'" > "$TEST_TMP/p.json"
python3 - "$TEST_TMP/p.json" <<'PY' || fail "catalog policy: $(cat "$TEST_TMP/p.json")"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["mode"] == "none" and p["kept_fields"] == [], p
assert sorted(p["dropped_fields"]) == sorted(["nombre_victima", "telefono", "curp", "domicilio", "edad"]), p
assert "No se publican los campos" in p["description"], p
PY
python3 "$PRIV/check_db.py" --csv "$CSV" --mode none --drop nombre_victima --drop telefono \
  --drop curp --drop domicilio "$DB" "$DB-wal" || fail "a dropped value is in the database"
ok

# --- --keep-field: published on purpose, and the catalog says why it looked personal ---
"$TESELAS" import "$CSV" --db "$DB" --layer incidentes "${DROPS[@]}" --keep-field edad --quiet \
  > "$TEST_TMP/out" 2>&1 || fail "import with --keep-field: $(cat "$TEST_TMP/out")"
q "SELECT privacy FROM teselas_layers WHERE id='incidentes'" > "$TEST_TMP/p.json"
python3 - "$TEST_TMP/p.json" <<'PY' || fail "kept field: $(cat "$TEST_TMP/p.json")"
import json, sys
p = json.load(open(sys.argv[1]))
assert [k["field"] for k in p["kept_fields"]] == ["edad"], p
assert "edad" in p["kept_fields"][0]["reason"], p
assert "edad" not in p["dropped_fields"], p
assert "conscientemente" in p["description"] or "edad" in p["description"], p
PY
[ "$(q "SELECT count(edad) FROM lyr_incidentes_v2")" = 600 ] || fail "the kept field has no values"
"$TESELAS" import "$CSV" --db "$DB" --layer x --keep-field nada "${DROPS[@]}" >/dev/null 2>"$TEST_TMP/err" \
  && fail "--keep-field of a missing field"
grep -q "nada" "$TEST_TMP/err" || fail "missing kept field not named: $(cat "$TEST_TMP/err")"
"$TESELAS" import "$CSV" --db "$DB" --layer x --drop nada >/dev/null 2>"$TEST_TMP/err" \
  && fail "--drop of a missing field"
ok

# --- the --privacy grammar: errors quote the spec; exit 1, nothing written ---
for spec in "generalize" "generalize:grid=abc" "aggregate:grid=500,layer=colonias" "none:k=5" \
            "generalize:grid=10" "aggregate:grid=500,k=1" "secreto" "aggregate:grid=500,by=nada"; do
  "$TESELAS" import "$CSV" --db "$DB" --layer y --privacy "$spec" "${DROPS[@]}" >/dev/null \
    2>"$TEST_TMP/err" && fail "--privacy '$spec' accepted"
  grep -q 'privacidad' "$TEST_TMP/err" || fail "--privacy '$spec': $(cat "$TEST_TMP/err")"
done
[ "$(q "SELECT count(*) FROM teselas_layers WHERE id='y'")" = 0 ] || fail "a bad spec created a layer"
ok

# --- generalize: points on cell centres, dates to the month, bounds on the grid ---
"$TESELAS" import "$CSV" --db "$DB" --layer gen --privacy 'generalizar:hex=300,month,k=3' \
  "${DROPS[@]}" > "$TEST_TMP/out" 2>&1 || fail "generalize: $(cat "$TEST_TMP/out")"
grep -q 'Privacidad: Ubicaciones aproximadas a una cuadrícula hexagonal de 300 m' "$TEST_TMP/out" \
  || fail "report: $(cat "$TEST_TMP/out")"
[ "$(q "SELECT count(*) FROM lyr_gen_v1 WHERE substr(fecha, 9) <> '01'")" = 0 ] || fail "a day survived"
n_pos=$(sqlite3 -cmd ".load mod_spatialite" "$DB" "SELECT count(DISTINCT AsText(geom)) FROM lyr_gen_v1")
n=$(q "SELECT count(*) FROM lyr_gen_v1")
[ "$n_pos" -lt $((n / 2)) ] || fail "generalize: $n_pos distinct positions for $n points"
read -r minx miny < <(q "SELECT minx, miny FROM teselas_layers WHERE id='gen'" | tr '|' ' ')
python3 -c "
import sys; s = 300 / 111320.0
for v in map(float, sys.argv[1:]):
    assert abs(v / s - round(v / s)) < 1e-6, v" "$minx" "$miny" || fail "bounds not on the grid: $minx $miny"
ok

# --- without --privacy, a new version keeps the published policy ---
"$TESELAS" import "$CSV" --db "$DB" --layer gen "${DROPS[@]}" --force > "$TEST_TMP/out" 2>&1 \
  || fail "re-import: $(cat "$TEST_TMP/out")"
grep -q 'política de la versión anterior' "$TEST_TMP/out" || fail "not inherited: $(cat "$TEST_TMP/out")"
[ "$(q "SELECT json_extract(privacy, '\$.mode') FROM teselas_layers WHERE id='gen'")" = generalize ] \
  || fail "the policy was lost"
n_pos2=$(sqlite3 -cmd ".load mod_spatialite" "$DB" "SELECT count(DISTINCT AsText(geom)) FROM lyr_gen_v2")
[ "$n_pos2" = "$n_pos" ] || fail "the new version is not generalised ($n_pos2 vs $n_pos)"
ok

# --- a layers/ definition: privacy as a spec, drop and keep_fields ---
mkdir -p "$TEST_TMP/layers"
cat > "$TEST_TMP/layers/incidentes.json" <<EOF
{"id": "def", "source": "$CSV", "title": "Incidentes", "date_field": "fecha",
 "privacy": "aggregate:grid=1km,k=5,date=fecha",
 "drop": ["nombre_victima", "telefono", "curp", "domicilio"], "keep_fields": ["edad"]}
EOF
"$TESELAS" publish "$TEST_TMP/layers" --db "$DB" --quiet > "$TEST_TMP/out" 2>&1 \
  || fail "publish: $(cat "$TEST_TMP/out")"
[ "$(q "SELECT json_extract(privacy, '\$.mode') || json_extract(privacy, '\$.kept_fields[0].field') FROM teselas_layers WHERE id='def'")" = aggregateedad ] \
  || fail "definition: $(q "SELECT privacy FROM teselas_layers WHERE id='def'")"
[ "$(q "SELECT group_concat(name) FROM pragma_table_info('lyr_def_v1')")" = "teselas_row,fid,celda,casos,geom" ] \
  || fail "aggregate columns"
[ "$(q "SELECT min(casos) >= 5 FROM lyr_def_v1")" = 1 ] || fail "a cell below k"
ok

# --- the server: descriptions everywhere; a policy it cannot read hides the layer ---
q "UPDATE teselas_layers SET privacy='{\"mode\":\"secret\"}' WHERE id='parques'"
start_server "$DB"
http_get /collections/gen
expect_status 200 "collection"
expect_json 'd["privacy"]["mode"] == "generalize" and "cuadrícula hexagonal de 300 m" in d["privacy"]["description"]'
http_get '/collections/gen?f=html'
grep -q '<dt>Privacidad</dt><dd>Ubicaciones aproximadas a una cuadrícula hexagonal de 300 m' "$TEST_TMP/body" \
  || fail "collection page"
http_get /tiles/gen.json
expect_json '"Ubicaciones aproximadas" in d["attribution"] and "Ubicaciones aproximadas" in d["vector_layers"][0]["description"] and d["privacy"]["gen"]["mode"] == "generalize"'
http_get / -H 'Accept: text/html'
grep -q 'Ubicaciones aproximadas a una cuadrícula hexagonal de 300 m' "$TEST_TMP/body" || fail "catalog page"
for p in /collections/parques /collections/parques/items /tiles/parques.json /tiles/parques/14/3564/7207.pbf \
         /collections/parques/download.csv /styles/parques/style.json /collections/parques/aggregate?by=nombre; do
  http_get "$p"
  expect_status 404 "$p of a layer whose policy cannot be read"
done
http_get '/?f=json'
expect_json 'not any(l["id"] == "parques" for l in d["layers"])'
grep -q 'layer parques is not served' "$SERVER_LOG" || fail "the refusal is not logged"
stop_server || fail "server exited non-zero"
done_checks
