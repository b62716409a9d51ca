#!/usr/bin/env bash
# Private by default: a point layer that looks like incidents against people (its title, a
# field's name, or its values: the SSP-CDMX crime file of tests/data, third-party) is not
# published with exact locations until the publisher chooses a policy or says --privacy none;
# the refusal says why and what to do, and leaves the database as it was; --privacy none is
# recorded ("Ubicaciones exactas" and the reason) in the catalog, /collections/{id}, TileJSON and
# the catalog page, and kept by the next import; layer definitions behave alike; other layers
# (places, polygons of crime counts) are not stopped. With the shared folder, the whole file.
source "$(dirname "$0")/lib.sh"
D="$TESELAS_TEST_DATA"
CRIME="$D/cdmx-ssp/crime-lat-long-2000.csv"
DB="$TEST_TMP/d.db"
q() { sqlite3 "$DB" "$1"; }
dbsum() { for f in "$DB" "$DB-wal"; do [ ! -e "$f" ] || cat "$f"; done | sha256sum; }

# --- no --privacy: refused, with the reasons and the choices; no database created ---
set +e; "$TESELAS" import "$CRIME" --db "$DB" --layer delitos > "$TEST_TMP/out" 2> "$TEST_TMP/err"; rc=$?; set -e
[ "$rc" = 1 ] || fail "a crime file without --privacy: rc $rc"
for want in 'incidentes contra personas' 'campo crime' '«homicidio»\|«lesiones»\|«violacion»' \
            'privacy generalize' 'privacy aggregate' 'privacy none'; do
  grep -q -- "$want" "$TEST_TMP/err" || fail "the message lacks '$want': $(cat "$TEST_TMP/err")"
done
grep -q 'valores del campo crime' "$TEST_TMP/out" || fail "the report does not say why: $(cat "$TEST_TMP/out")"
grep -q 'HOMICIDIO DOLOSO\|N-1\.1' "$TEST_TMP/err" && fail "the message quotes the file's values"
[ ! -e "$DB" ] || fail "a refused import created the database"
ok

# --- a layer that is not about incidents is not stopped; a refusal leaves the file as it was ---
"$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer localidades --quiet \
  > /dev/null || fail "localidades"
before=$(dbsum)
printf 'nombre,lat,lon\nPunto A,21.12,-101.68\nPunto B,21.13,-101.67\n' > "$TEST_TMP/puntos.csv"
set +e; "$TESELAS" import "$TEST_TMP/puntos.csv" --db "$DB" --layer puntos \
  --title "Víctimas de delitos 2024" > /dev/null 2> "$TEST_TMP/err"; rc=$?; set -e
[ "$rc" = 1 ] && grep -q 'título: «victimas»\|título: «delitos»' "$TEST_TMP/err" \
  || fail "a title of victims did not stop the import: rc $rc $(cat "$TEST_TMP/err")"
set +e; "$TESELAS" import "$CRIME" --db "$DB" --layer delitos > /dev/null 2>&1; rc=$?; set -e
[ "$rc" = 1 ] || fail "crime file into an existing database: rc $rc"
[ "$(dbsum)" = "$before" ] || fail "a refused import changed the database"
"$TESELAS" import "$TEST_TMP/puntos.csv" --db "$DB" --layer puntos --title "Puntos" --quiet \
  > /dev/null || fail "the same points with a neutral title"
# polygons named after crimes publish no victim's location: not stopped
printf '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"delito":"homicidio","casos":12},"geometry":{"type":"Polygon","coordinates":[[[-101.7,21.1],[-101.6,21.1],[-101.6,21.2],[-101.7,21.1]]]}}]}' \
  > "$TEST_TMP/zonas.geojson"
"$TESELAS" import "$TEST_TMP/zonas.geojson" --db "$DB" --layer zonas --title "Delitos por zona" \
  --quiet > /dev/null || fail "polygons of crime counts"
ok

# --- --privacy none: published, the decision and its reason recorded and kept ---
"$TESELAS" import "$CRIME" --db "$DB" --layer delitos --privacy none --quiet > /dev/null \
  || fail "--privacy none"
q "SELECT privacy FROM teselas_layers WHERE id='delitos'" > "$TEST_TMP/p.json"
python3 - "$TEST_TMP/p.json" <<'PY' || fail "catalog policy: $(cat "$TEST_TMP/p.json")"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["mode"] == "none" and p["exact_locations"] is True, p
assert "crime" in p["exact_reason"], p
assert p["description"].startswith("Ubicaciones exactas, por decisión expresa de quien publica"), p
assert "crime" in p["description"], p
PY
[ "$(q "SELECT json_extract(privacy, '\$.exact_locations') FROM teselas_layers WHERE id='localidades'")" = "" ] \
  || fail "a layer that is not sensitive says exact locations"
"$TESELAS" import "$CRIME" --db "$DB" --layer delitos --force --quiet > "$TEST_TMP/out" 2>&1 \
  || fail "a new version without --privacy lost the decision: $(cat "$TEST_TMP/out")"
[ "$(q "SELECT json_extract(privacy, '\$.exact_locations') FROM teselas_layers WHERE id='delitos'")" = 1 ] \
  || fail "the decision was not kept"
ok

# --- the decision on every page ---
start_server "$DB"
http_get /collections/delitos
expect_status 200 collection
expect_json 'd["privacy"]["description"].startswith("Ubicaciones exactas") and "crime" in d["privacy"]["exact_reason"]'
http_get /tiles/delitos.json
expect_json '"Ubicaciones exactas" in d["attribution"] and d["privacy"]["delitos"]["exact_locations"] is True'
http_get / -H 'Accept: text/html'
grep -q 'Ubicaciones exactas, por decisión expresa de quien publica' "$TEST_TMP/body" || fail "catalog page"
stop_server || fail "server exited non-zero"

# --- layer definitions: "privacy": {} is no decision; "none" is one ---
mkdir -p "$TEST_TMP/def"
cat > "$TEST_TMP/def/delitos.json" <<EOF
{"id": "def", "source": "$CRIME", "title": "Delitos", "lat": "lat", "lon": "long", "privacy": {}}
EOF
set +e; "$TESELAS" publish "$TEST_TMP/def" --db "$DB" --quiet > "$TEST_TMP/out" 2>&1; rc=$?; set -e
[ "$rc" != 0 ] && grep -q 'incidentes contra personas' "$TEST_TMP/out" \
  || fail "a definition without a decision: rc $rc $(cat "$TEST_TMP/out")"
[ "$(q "SELECT count(*) FROM teselas_layers WHERE id='def'")" = 0 ] || fail "definition published"
sed -i 's/"privacy": {}/"privacy": "none"/' "$TEST_TMP/def/delitos.json"
"$TESELAS" publish "$TEST_TMP/def" --db "$DB" --quiet > "$TEST_TMP/out" 2>&1 \
  || fail "a definition with none: $(cat "$TEST_TMP/out")"
[ "$(q "SELECT json_extract(privacy, '\$.exact_locations') FROM teselas_layers WHERE id='def'")" = 1 ] \
  || fail "definition decision"
ok

# --- the demo's incidents say so too ---
"$TESELAS" demo --db "$TEST_TMP/leon.db" --build-only --incidents 2000 > /dev/null 2>&1 || fail "demo"
[ "$(sqlite3 "$TEST_TMP/leon.db" "SELECT json_extract(privacy, '\$.exact_locations') FROM teselas_layers WHERE id='incidentes'")" = 1 ] \
  || fail "the demo's incidents"
ok

# --- the whole SSP-CDMX file ---
BIG="${TESELAS_SHARED_DATA:-}/cdmx-ssp-delitos/crime-lat-long.csv"
if [ -f "$BIG" ]; then
  set +e; "$TESELAS" import "$BIG" --db "$TEST_TMP/big.db" --layer delitos > /dev/null 2> "$TEST_TMP/err"; rc=$?; set -e
  [ "$rc" = 1 ] && grep -q 'incidentes contra personas' "$TEST_TMP/err" || fail "131k file: rc $rc"
  [ ! -e "$TEST_TMP/big.db" ] || fail "131k file: database created"
  ok
else
  echo "note: TESELAS_SHARED_DATA has no cdmx-ssp-delitos: the whole-file check was skipped"
fi
done_checks
