#!/usr/bin/env bash
# teselas import, format by format, on real third-party files (tests/data/*/SOURCE.md): CSV in
# UTF-8 and Latin-1, GeoJSON, GeoJSON sequence, Shapefile and zipped Shapefile, KML and KMZ
# (folders become an attribute), GeoPackage with --source-layer, GPX; field options; the report
# on stdout, in --report JSON and in the catalog; exit codes.
source "$(dirname "$0")/lib.sh"
D="$TESELAS_TEST_DATA"
DB="$TEST_TMP/formats.db"

# import ID FILE [flags...]: runs the import (must exit 0), report JSON in $TEST_TMP/ID.json
import() {
  local id=$1 file=$2; shift 2
  "$TESELAS" import "$file" --db "$DB" --layer "$id" --report "$TEST_TMP/$id.json" "$@" \
    > "$TEST_TMP/$id.txt" 2> "$TEST_TMP/$id.err" || fail "import $id exited $?: $(cat "$TEST_TMP/$id.err")"
  ok
}
# report ID 'python expression over d': checks the JSON report of an import
report() {
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" \
    "$TEST_TMP/$1.json" || fail "report check failed for $1: $2 -- $(head -c 600 "$TEST_TMP/$1.json")"
  ok
}
q() { sqlite3 "$DB" "$1"; }

import localidades "$D/inegi/AGLOC_11020_localidades.csv"
report localidades 'd["counts"]["read"] == 161 and d["counts"]["imported"] == 161 and d["source"]["encoding"] == "UTF-8"'
report localidades '{f["name"]: f["type"] for f in d["fields"]}["cve_agem"] == "text" and {f["name"]: f["type"] for f in d["fields"]}["altitud"] == "integer"'
grep -q "Registros leídos: 161 · importados: 161" "$TEST_TMP/localidades.txt" || fail "text report"
grep -q "Resultado: publicada la versión 1" "$TEST_TMP/localidades.txt" || fail "result line"
[ "$(q "SELECT nom_loc FROM lyr_localidades_v1 WHERE fid=1")" = "León de los Aldama" ] || fail "csv value"
# the report is also in the catalog and the history
[ "$(q "SELECT json_extract(report, '$.counts.imported') FROM teselas_layers WHERE id='localidades'")" = 161 ] || fail "catalog report"
[ "$(q "SELECT json_extract(report, '$.status') FROM teselas_history WHERE layer_id='localidades'")" = published ] || fail "history report"
ok

import latin1 "$D/inegi/AGLOC_11020_localidades_latin1.csv"
report latin1 'd["source"]["encoding"] == "WINDOWS-1252" and "no es UTF-8" in d["notes"][0]'
[ "$(q "SELECT nom_loc FROM lyr_latin1_v1 WHERE fid=1")" = "León de los Aldama" ] || fail "latin1 value"
grep -q "codificación WINDOWS-1252" "$TEST_TMP/latin1.txt" || fail "latin1 text report"
# --encoding overrides the detection (wrongly here: the text shows it)
import latin1-forced "$D/inegi/AGLOC_11020_localidades_latin1.csv" --encoding ISO-8859-1
report latin1-forced 'd["source"]["encoding"] == "ISO-8859-1"'

# semicolons, decimal commas and Spanish headers with accents and capitals
printf 'Nombre;Latitud;Longitud;Población;Fecha alta\nParque Metropolitano;21,1619;-101,6655;1200;15/03/2021\nParque Explora;21,1330;-101,6864;N/D;2020-07-01\nSin coordenadas;;;3;01/01/2020\n' > "$TEST_TMP/parques.csv"
import parques "$TEST_TMP/parques.csv"
report parques 'd["source"]["separator"] == ";" and d["source"]["decimal_comma"] and d["counts"]["imported"] == 2 and d["issues"]["bad_coordinates"] == 1'
report parques '{f["name"]: f["type"] for f in d["fields"]} == {"Nombre": "text", "Población": "integer", "Fecha alta": "date"}'
[ "$(q 'SELECT "Fecha alta" FROM lyr_parques_v1 WHERE fid=1')" = 2021-03-15 ] || fail "dd/mm/yyyy date"
[ "$(q 'SELECT round(MbrMinY(geom), 4) FROM lyr_parques_v1 WHERE fid=1' 2>/dev/null || sqlite3 -cmd '.load mod_spatialite' "$DB" 'SELECT round(MbrMinY(geom), 4) FROM lyr_parques_v1 WHERE fid=1')" = 21.1619 ] || fail "decimal comma coordinate"

# a WKT column (detected by name): a bow-tie polygon is repaired by GEOS, bad WKT is reported
printf 'nombre;geometria\nparque;"POLYGON((-101.70 21.10,-101.69 21.11,-101.69 21.10,-101.70 21.11,-101.70 21.10))"\njardín;"POINT(-101.68 21.12)"\nroto;"POLYGON((-101.7 21.1"\n' > "$TEST_TMP/wkt.csv"
import wkt "$TEST_TMP/wkt.csv"
report wkt 'd["counts"]["imported"] == 2 and d["counts"]["repaired"] == 1 and d["issues"]["bad_wkt"] == 1 and [f["name"] for f in d["fields"]] == ["nombre"]'

import limite "$D/inegi/AGEM_11020_old.geojson" --title "Límite municipal" --license "INEGI, libre uso" --publisher INEGI --frequency yearly --keywords "límite, municipio"
report limite 'd["counts"]["imported"] == 1 and d["source"]["driver"] == "GeoJSON"'
[ "$(q "SELECT title || '|' || license || '|' || frequency || '|' || geometry_type FROM teselas_layers WHERE id='limite'")" = "Límite municipal|INEGI, libre uso|yearly|Polygon" ] || fail "metadata flags"

import loc-seq "$D/inegi/AGLOC_11020_30.geojsons"
report loc-seq 'd["source"]["driver"] == "GeoJSONSeq" and d["counts"]["imported"] == 30'

import municipios "$D/inegi/AGEM_11_lcc_5mun/AGEM_11_lcc_5mun.shp"
report municipios '"EPSG:6372" in d["source"]["crs"] and d["counts"]["imported"] == 5'
[ "$(q "SELECT nom_agem FROM lyr_municipios_v1 WHERE cvegeo='11020'")" = "León" ] || fail "Latin-1 DBF with .cpg"

import cuadrantes "$D/cdmx-ssp/cuadrantes_shp.zip"
report cuadrantes 'd["counts"]["imported"] == 847 and d["source"]["driver"] == "ESRI Shapefile"'
[ "$(q "SELECT count(*) FROM lyr_cuadrantes_v1 WHERE sector='TAXQUEÑA'")" -gt 0 ] || fail "UTF-8 DBF without .cpg"

import loc-kml "$D/inegi/AGLOC_11020_25.kml"
report loc-kml 'd["counts"]["imported"] == 25 and any(f["name"] == "cvegeo" and f["filled"] == 25 for f in d["fields"])'
import mun-kmz "$D/inegi/AGEM_11_5mun.kmz"
report mun-kmz 'd["counts"]["imported"] == 5 and any(f["name"] == "pob" and f["filled"] == 5 for f in d["fields"])'

# KML folders become the attribute "carpeta"
cat > "$TEST_TMP/pozos.kml" <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Pozos</name>
<Folder><name>Norte</name><Placemark><name>Pozo 1</name><Point><coordinates>-101.68,21.12,0</coordinates></Point></Placemark></Folder>
<Folder><name>Sur</name><Placemark><name>Pozo 2</name><Point><coordinates>-101.65,21.05</coordinates></Point></Placemark></Folder>
</Document></kml>
KML
import pozos "$TEST_TMP/pozos.kml"
[ "$(q "SELECT group_concat(Name || '@' || carpeta) FROM lyr_pozos_v1")" = "Pozo 1@Norte,Pozo 2@Sur" ] || fail "KML folders"

import alcaldias "$D/centrogeo/criminologia_capas_subset.gpkg" --source-layer alcaldias
report alcaldias '"EPSG:32614" in d["source"]["crs"] and d["counts"]["imported"] == 16'
import colonias-cdmx "$D/centrogeo/criminologia_capas_subset.gpkg"
report colonias-cdmx 'd["source"]["layer"] == "alcaldias" and any("--source-layer" in n for n in d["notes"])'
set +e; "$TESELAS" import "$D/centrogeo/criminologia_capas_subset.gpkg" --db "$DB" --layer x --source-layer nada > /dev/null 2> "$TEST_TMP/err"; rc=$?; set -e
[ $rc = 1 ] && grep -q "no tiene la capa 'nada' (capas: alcaldias, colonias)" "$TEST_TMP/err" || fail "unknown source layer: $rc $(cat "$TEST_TMP/err")"
ok

import waypoints "$D/inegi/localidades_waypoints.gpx"
report waypoints 'd["source"]["layer"] == "waypoints" and d["counts"]["imported"] == 40 and [f["name"] for f in d["fields"]] == ["ele", "time", "name", "cmt", "desc", "sym", "type"]'

import estados "$D/libpysal-mexico/mexicojoin.shp"
report estados 'd["counts"]["imported"] == 32 and d["source"]["crs"] == "no declarado"'

# --fields, --rename, --types, --id-field
import sel "$D/inegi/AGLOC_11020_localidades.csv" --fields nom_loc,pob,cvegeo --rename nom_loc=nombre --types cvegeo=text --id-field cvegeo
report sel '[f["name"] for f in d["fields"]] == ["nombre", "pob", "cvegeo"] and d["fields"][2]["type"] == "text" and d["duplicate_ids"]["field"] == "cvegeo" and d["duplicate_ids"]["count"] == 0'
set +e; "$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer sel2 --fields nope > /dev/null 2> "$TEST_TMP/err"; rc=$?; set -e
[ $rc = 1 ] && grep -q "no tiene el campo 'nope'" "$TEST_TMP/err" || fail "unknown field"
set +e; "$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer sel2 --types pob=entero > /dev/null 2> "$TEST_TMP/err"; rc=$?; set -e
[ $rc = 2 ] && grep -q "usage" "$TEST_TMP/err" || fail "bad --types value: rc $rc"
set +e; "$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$DB" > /dev/null 2> "$TEST_TMP/err"; rc=$?; set -e
[ $rc = 2 ] || fail "missing --layer: rc $rc"
set +e; "$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer "Mal Nombre" > /dev/null 2> "$TEST_TMP/err"; rc=$?; set -e
[ $rc = 1 ] && [ "$(wc -l < "$TEST_TMP/err")" = 1 ] || fail "bad layer id: rc $rc"
ok

# identical re-import: unchanged, no new version, exit 0; other options: a new version
"$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer localidades > "$TEST_TMP/out"
grep -q "sin cambios" "$TEST_TMP/out" || fail "unchanged message: $(cat "$TEST_TMP/out")"
[ "$(q "SELECT version FROM teselas_layers WHERE id='localidades'")" = 1 ] || fail "unchanged made a version"
"$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer localidades --title Localidades --keep 1 > /dev/null
[ "$(q "SELECT version || title FROM teselas_layers WHERE id='localidades'")" = 2Localidades ] || fail "new options, new version"
[ "$(q "SELECT count(*) FROM sqlite_master WHERE name='lyr_localidades_v1'")" = 0 ] || fail "--keep 1 did not drop v1"
ok

# progress: silent when stderr is not a terminal, a progress line on a terminal (script(1) gives
# the import a pseudo-terminal)
[ ! -s "$TEST_TMP/localidades.err" ] || fail "output on stderr without a terminal: $(cat "$TEST_TMP/localidades.err")"
script -qec "'$TESELAS' import '$D/cdmx-ssp/crime-lat-long-2000.csv' --db '$DB' --layer tty --privacy none --quiet" /dev/null > "$TEST_TMP/tty.out"
grep -q "registros leídos (.* por segundo), [0-9]*%" "$TEST_TMP/tty.out" || fail "no progress line on a terminal: $(cat -v "$TEST_TMP/tty.out")"
ok

"$TESELAS" layers --db "$DB" > "$TEST_TMP/layers"
grep -q "^alcaldias " "$TEST_TMP/layers" || fail "layers listing"
ogrinfo -ro -so "$DB" lyr_alcaldias_v1 > /dev/null 2>&1 || fail "GDAL cannot read an imported layer"
done_checks
