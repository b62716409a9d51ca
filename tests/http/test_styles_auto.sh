#!/usr/bin/env bash
# Automatic styles on a database made only from third-party files (tests/data: INEGI localities
# CSV, the CDMX police cuadrantes shapefile, CentroGeo's alcaldías and colonias GeoPackage, and
# the SSP crime CSV sample as an aggregated privacy layer and as generalised points): /styles
# order, style.json sources, categories and class limits against Python computations from the
# CSV files, context layers, thumbnails and PNG tiles that are not flat (styles_auto_check.py);
# then the demo database still offers its hand-made `leon` style first.
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
DATA="${TESELAS_TEST_DATA:?}"
PY=/usr/bin/python3
$PY -c "import numpy" 2>/dev/null || { echo "SKIP: python3-numpy is needed"; exit 77; }

DB="$TEST_TMP/terceros.db"
imp() { "$TESELAS" import "$@" --db "$DB" >/dev/null 2>"$TEST_TMP/err" || fail "import $*: $(cat "$TEST_TMP/err")"; }
imp "$DATA/inegi/AGLOC_11020_localidades.csv" --layer localidades --title "Localidades de León"
imp "$DATA/cdmx-ssp/cuadrantes_shp.zip" --layer cuadrantes --title "Cuadrantes de policía"
imp "$DATA/centrogeo/criminologia_capas_subset.gpkg" --source-layer alcaldias --layer alcaldias \
    --title "Alcaldías"
imp "$DATA/centrogeo/criminologia_capas_subset.gpkg" --source-layer colonias --layer colonias-cdmx \
    --title "Colonias"
# INEGI's localidades as KML polygons, numbers typed as the import report suggests: graduated by
# their population `pob`
imp "$DATA/inegi/AGLOC_11020_25.kml" --layer localidades-kml --title "Localidades (KML)" \
    --types latitud=real,longitud=real,altitud=integer,pob=integer,viv=integer
# SACMEX's wells: categories of SISTEMA, one well without one (drawn grey, named in the legend)
imp "$DATA/cdmx-agua/Pozos_Sacmex2.geojson" --layer pozos --title "Pozos" --drop CALLE
imp "$DATA/cdmx-ssp/crime-lat-long-2000.csv" --layer delitos-agregados --lat lat --lon long \
    --privacy aggregate:grid=500,k=5,by=crime,date=date --title "Delitos por celda"
ok

# definitions with a chosen style: categories of a field of 19 values (the 11 most common and
# the rest), and 5 graduated classes of population
mkdir -p "$TEST_TMP/layers"
cat > "$TEST_TMP/layers/delitos-tipo.json" <<JSON
{"id": "delitos-tipo", "source": "$DATA/cdmx-ssp/crime-lat-long-2000.csv", "lat": "lat",
 "lon": "long", "title": "Delitos por tipo", "privacy": "generalize:grid=250",
 "style": {"by": "crime"}}
JSON
cat > "$TEST_TMP/layers/poblacion.json" <<JSON
{"id": "poblacion", "source": "$DATA/inegi/AGLOC_11020_localidades.csv", "lat": "latitud",
 "lon": "longitud", "title": "Población por localidad",
 "fields": [{"name": "nom_loc"}, {"name": "pob", "type": "integer"}],
 "style": {"graduated": "pob", "classes": 5}}
JSON
"$TESELAS" publish "$TEST_TMP/layers" --db "$DB" --quiet >"$TEST_TMP/out" 2>&1 \
  || fail "publish: $(cat "$TEST_TMP/out")"
ok

# a definition whose style names a field the layer lacks is refused, naming the field
cat > "$TEST_TMP/bad.json" <<JSON
{"id": "mal", "source": "$DATA/inegi/AGLOC_11020_localidades.csv", "lat": "latitud",
 "lon": "longitud", "style": {"by": "no_existe"}}
JSON
mkdir -p "$TEST_TMP/bad" && mv "$TEST_TMP/bad.json" "$TEST_TMP/bad/mal.json"
if "$TESELAS" publish "$TEST_TMP/bad" --db "$DB" --quiet >"$TEST_TMP/out" 2>&1; then
  fail "a style on a missing field was accepted"
fi
grep -q "no_existe" "$TEST_TMP/out" || fail "the error does not name the field: $(cat "$TEST_TMP/out")"
ok

start_server "$DB"
grep -q "style leon not offered" "$SERVER_LOG" || fail "start-up log does not say leon was skipped"
ok
$PY "$HERE/styles_auto_check.py" "$BASE" "$DATA" || fail "automatic styles check"

# a layer named like one of leon's: leon now draws it, is offered first, and says which of its
# layers are missing (seen without a restart)
imp "$DATA/centrogeo/criminologia_capas_subset.gpkg" --source-layer colonias --layer colonias
http_get /styles
expect_json 'd[0]["id"] == "leon" and d[1]["id"] == "todas"'
http_get /styles/leon/style.json
expect_status 200 "partial named style"
expect_json 'sorted(d["metadata"]["teselas:missing_layers"]) == sorted(["limite-municipal", "cuerpos-agua", "rios-canales", "parques", "incidentes"])'
expect_json 'all(s.get("url", "").endswith(".json") and "tiles" not in s for s in d["sources"].values())'
expect_json 'all(l.get("source-layer") in (None, "colonias", "colonias:labels") for l in d["layers"])'
http_get /maps/leon
expect_status 200 "/maps/leon drawing colonias"
stop_server

# the demo keeps its hand-made style first
start_server "$(demo_db 3000)"
http_get /styles
expect_status 200 /styles
expect_json 'd[0]["id"] == "leon" and any(s["id"] == "todas" for s in d)'
http_get /
grep -q 'class="button primary" href="/maps/leon' "$TEST_TMP/body" || fail "demo catalog does not open leon"
grep -q 'src="/styles/leon/static/[^"]*layers=parques' "$TEST_TMP/body" || fail "demo thumbnails not drawn with leon"
ok
echo "ok: $N_CHECKS checks (plus the Python checks)"
