#!/usr/bin/env bash
# Broken files, made from real data: a truncated Shapefile, GeoJSON with a syntax error at line 4,
# a CSV with swapped and unsigned coordinates, a KML with an empty placemark, a projected file
# without CRS, a file with no valid feature. Each failure exits 1 with one line naming the cause,
# prints a report, and leaves the database byte-for-byte as it was.
source "$(dirname "$0")/lib.sh"
D="$TESELAS_TEST_DATA"
DB="$TEST_TMP/broken.db"
W="$TEST_TMP/w"
mkdir -p "$W"

dump() { sqlite3 "$DB" .dump | sha256sum; }
# rejected ID FILE 'message substring' [flags]: exit 1, the message on stderr, DB unchanged
rejected() {
  local id=$1 file=$2 msg=$3; shift 3
  local before; before=$(dump)
  set +e
  "$TESELAS" import "$file" --db "$DB" --layer "$id" --report "$W/$id.json" "$@" > "$W/$id.txt" 2> "$W/$id.err"
  local rc=$?
  set -e
  [ $rc = 1 ] || fail "$id: exit $rc, expected 1: $(cat "$W/$id.err")"
  [ "$(wc -l < "$W/$id.err")" = 1 ] || fail "$id: the error is not one line: $(cat "$W/$id.err")"
  grep -qF -- "$msg" "$W/$id.err" || fail "$id: message lacks '$msg': $(cat "$W/$id.err")"
  grep -q "RECHAZADA, la capa publicada no cambió" "$W/$id.txt" || fail "$id: no rejection in the report"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d['status'] != 'rejected')" "$W/$id.json" \
    || fail "$id: JSON report status"
  [ "$(dump)" = "$before" ] || fail "$id: the database changed after a failed import"
  ok
}
report() {
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" \
    || fail "report check failed: $2 -- $(head -c 800 "$1")"
  ok
}

# a database with published layers to protect
"$TESELAS" import "$D/inegi/AGEM_11_lcc_5mun/AGEM_11_lcc_5mun.shp" --db "$DB" --layer municipios > /dev/null
"$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer localidades > /dev/null

# truncated Shapefile (the .shp cut at 100 kB; the index still promises all five records)
cp "$D"/inegi/AGEM_11_lcc_5mun/AGEM_11_lcc_5mun.* "$W/"
head -c 100000 "$D/inegi/AGEM_11_lcc_5mun/AGEM_11_lcc_5mun.shp" > "$W/AGEM_11_lcc_5mun.shp"
rejected municipios "$W/AGEM_11_lcc_5mun.shp" "dañado o incompleto"

# GeoJSON with a syntax error (a missing comma) at line 4: the message names the line
python3 - "$D/inegi/AGEM_11020_old.geojson" "$W/syntax.geojson" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = d["features"][0]
lines = ['{"type": "FeatureCollection", "features": [',
         json.dumps({"type": "Feature", "properties": {"n": 1}, "geometry": {"type": "Point", "coordinates": [-101.68, 21.12]}}) + ",",
         json.dumps({"type": "Feature", "properties": {"n": 2}, "geometry": {"type": "Point", "coordinates": [-101.65, 21.05]}}) + ",",
         json.dumps(f).replace('"Feature", "geometry"', '"Feature" "geometry"', 1),
         "]}"]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
rejected limite "$W/syntax.geojson" "error de sintaxis en la línea 4"

# projected coordinates and no .prj
cp "$D"/inegi/AGEM_11_lcc_5mun/AGEM_11_lcc_5mun.* "$W/" && rm "$W/AGEM_11_lcc_5mun.prj" "$W/AGEM_11_lcc_5mun.cpg"
rejected municipios "$W/AGEM_11_lcc_5mun.shp" "no declara su sistema de coordenadas y las coordenadas parecen proyectadas"
# ... which --source-srs fixes
"$TESELAS" import "$W/AGEM_11_lcc_5mun.shp" --db "$DB" --layer mun-srs --source-srs EPSG:6372 --encoding ISO-8859-1 > /dev/null || fail "--source-srs"
[ "$(sqlite3 "$DB" "SELECT nom_agem FROM lyr_mun_srs_v1 WHERE cvegeo='11020'")" = "León" ] || fail "--encoding for a DBF"
ok

# nothing usable: every row without coordinates
printf 'nombre,latitud,longitud\na,NA,NA\nb,,\n' > "$W/vacio.csv"
rejected localidades "$W/vacio.csv" "ningún registro válido: 2 leídos, 2 rechazados"
printf 'nombre,valor\na,1\n' > "$W/sincoords.csv"
rejected localidades "$W/sincoords.csv" "no se encontraron columnas de coordenadas"
rejected localidades "$W/no-such-file.csv" "no existe el archivo"
head -c 3000 /dev/urandom > "$W/basura.geojson"
rejected localidades "$W/basura.geojson" "no se pudo leer"

# a CSV with swapped (every 20th row) and unsigned (every 31st) coordinates: reported...
awk -F, 'BEGIN{OFS=","} NR>1 && NR%20==0 {t=$7; $7=$8; $8=t} NR>1 && NR%31==0 {sub(/^"-/,"\"",$8)} {print}' \
  "$D/inegi/AGLOC_11020_localidades.csv" > "$W/invertidas.csv"
"$TESELAS" import "$W/invertidas.csv" --db "$DB" --layer invertidas --report "$W/inv.json" > "$W/inv.txt"
report "$W/inv.json" 'd["counts"]["read"] == 161 and d["counts"]["imported"] == 153 and d["issues"]["swapped_lat_lon"] == 8 and d["issues"]["out_of_range"] == 8 and d["issues"]["positive_longitude"] == 5 and "outside_area" not in d["issues"]'
report "$W/inv.json" 'd["examples"][0]["record"] == 19 and "use --fix-swapped" in [e for e in d["examples"] if e["code"] == "swapped_lat_lon"][0]["detail"]'
grep -q "latitud y longitud parecen invertidas: 8" "$W/inv.txt" || fail "swapped text"
# ... or fixed with --fix-swapped
"$TESELAS" import "$W/invertidas.csv" --db "$DB" --layer invertidas --fix-swapped --report "$W/fix.json" > /dev/null
report "$W/fix.json" 'd["counts"]["imported"] == 161 and d["counts"]["swapped_fixed"] == 8 and d["counts"]["longitude_sign_fixed"] == 5'
[ "$(sqlite3 -cmd '.load mod_spatialite' "$DB" "SELECT count(*) FROM lyr_invertidas_v2 WHERE MbrMinX(geom) BETWEEN -102 AND -101 AND MbrMinY(geom) BETWEEN 20 AND 22")" = 161 ] \
  || fail "fixed coordinates"
# --expect-bbox reports what lies outside a box (León's urban area here)
"$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer lejos --expect-bbox=-101.75,21.05,-101.6,21.2 --report "$W/bbox.json" > /dev/null
report "$W/bbox.json" 'd["issues"]["outside_area"] > 0 and d["counts"]["imported"] == 161'

# a KML with an empty placemark: that record is rejected, the rest published
cat > "$W/pozos.kml" <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Pozos</name>
<Placemark><name>Pozo 1</name><Point><coordinates>-101.68,21.12,0</coordinates></Point></Placemark>
<Placemark><name>Pozo sin ubicación</name></Placemark>
<Placemark><name>Pozo 3</name><Point><coordinates>-101.65,21.05</coordinates></Point></Placemark>
</Document></kml>
KML
"$TESELAS" import "$W/pozos.kml" --db "$DB" --layer pozos --report "$W/kml.json" > "$W/kml.txt"
report "$W/kml.json" 'd["counts"]["imported"] == 2 and d["issues"]["no_geometry"] == 1 and d["examples"][0]["record"] == 2'
grep -q "registro 2: el registro no tiene geometría" "$W/kml.txt" || fail "empty placemark text"
# a KML whose only placemark is empty publishes nothing
cat > "$W/vacio.kml" <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>nada</name></Placemark></Document></kml>
KML
rejected pozos "$W/vacio.kml" "ningún registro válido"

# duplicate ids and values that do not fit their declared type are counted, not fatal
printf 'id,latitud,longitud,poblacion\n1,21.10,-101.60,12\n2,21.11,-101.61,mil\n1,21.12,-101.62,30\n3,21.13,-101.63,\n' > "$W/dup.csv"
"$TESELAS" import "$W/dup.csv" --db "$DB" --layer dup --types poblacion=integer --report "$W/dup.json" > "$W/dup.txt"
report "$W/dup.json" 'd["duplicate_ids"] == {"field": "id", "count": 1, "example": "1"} and d["counts"]["imported"] == 4'
report "$W/dup.json" '[f for f in d["fields"] if f["name"] == "poblacion"][0] == {"name": "poblacion", "source_name": "poblacion", "type": "integer", "source_type": "text", "filled": 2, "filled_pct": 50.0, "bad_values": 1, "bad_example": "mil", "bad_record": 2}'
grep -q "identificadores repetidos en «id»: 1" "$W/dup.txt" || fail "duplicate text"
grep -q "campo 'poblacion': 'mil' no es integer" "$W/dup.txt" || fail "bad value text"

# the protected layers are still the first versions
[ "$(sqlite3 "$DB" "SELECT group_concat(id || ':' || version) FROM teselas_layers WHERE id IN ('municipios','localidades') ORDER BY id")" = "localidades:1,municipios:1" ] \
  || fail "published versions changed"
[ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] || fail "integrity"
done_checks
