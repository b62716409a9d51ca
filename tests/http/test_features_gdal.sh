#!/usr/bin/env bash
# GDAL's OGC API - Features client, unmodified, against the real server: ogrinfo lists every
# collection; ogr2ogr copies whole layers (points, and polygons with holes) into GeoPackages whose
# attributes and geometries equal the source, feature by feature (SpatiaLite compares them).
# Also the server's own GeoPackage download, read back by GDAL.
source "$(dirname "$0")/features_lib.sh"

DB=$(demo_db 3000)
start_server "$DB"

req "GDAL OAPIF: ogrinfo lists the collections"
ogrinfo -ro -q "OAPIF:$BASE/" > "$TEST_TMP/ogrinfo" 2>&1 || rfail "ogrinfo: $(cat "$TEST_TMP/ogrinfo")"
for id in limite-municipal colonias parques rios-canales cuerpos-agua incidentes; do
  grep -q ": $id " "$TEST_TMP/ogrinfo" || rfail "ogrinfo does not list $id: $(cat "$TEST_TMP/ogrinfo")"
  ok
done
ogrinfo -ro -so "OAPIF:$BASE/" incidentes > "$TEST_TMP/so" 2>&1 || rfail "ogrinfo -so"
grep -q "Feature Count: 3000" "$TEST_TMP/so" || rfail "feature count from numberMatched: $(cat "$TEST_TMP/so")"
grep -q "fecha: Date" "$TEST_TMP/so" || rfail "fecha is a date for GDAL: $(cat "$TEST_TMP/so")"
grep -q "hora: Integer" "$TEST_TMP/so" || rfail "hora is an integer for GDAL"
ok

# copy LAYER WHERE: ogr2ogr from OAPIF into a GeoPackage, then compare with the source table.
copy_and_compare() {
  local id=$1 cols=$2 out="$TEST_TMP/$1.gpkg"
  ogr2ogr -f GPKG "$out" "OAPIF:$BASE/" "$id" 2>"$TEST_TMP/ogr2ogr.err" \
    || rfail "ogr2ogr $id: $(cat "$TEST_TMP/ogr2ogr.err")"
  local table n_src n_out n_equal
  table=$(sqlite3 "$DB" "SELECT table_name FROM teselas_layers WHERE id = '$id'")
  n_src=$(sqlite3 "$DB" "SELECT count(*) FROM \"$table\"")
  n_out=$(sqlite3 "$out" "SELECT count(*) FROM \"$id\"")
  [ "$n_src" = "$n_out" ] || rfail "$id: $n_out features copied, $n_src in the source"
  # Equal attributes (IS: NULL equals NULL) and geometries within the 7 decimals of GeoJSON;
  # ring orientation may differ (RFC 7946 right-hand rule), so compare as shapes.
  local cond="1" c
  for c in $cols; do cond="$cond AND s.\"$c\" IS d.\"$c\""; done
  n_equal=$(sql "$DB" "ATTACH '$out' AS o;
    SELECT count(*) FROM \"$table\" s JOIN o.\"$id\" d ON d.fid = s.fid
    WHERE $cond AND ST_Equals(SnapToGrid(s.geom, 1e-7), SnapToGrid(GeomFromGPB(d.geom), 1e-7))")
  [ "$n_equal" = "$n_src" ] || rfail "$id: only $n_equal of $n_src features equal the source"
  ok
}

req "GDAL OAPIF: ogr2ogr -f GPKG copies every feature with equal attributes and geometries"
copy_and_compare incidentes "tipo fecha hora"
copy_and_compare parques "nombre estado superficie_m2 juegos_infantiles fecha_rehabilitacion"
copy_and_compare colonias "nombre clave poblacion tipo"
copy_and_compare rios-canales "nombre tipo perenne"
# a sample of values read back through GDAL itself
ogrinfo -ro -q "$TEST_TMP/incidentes.gpkg" -fid 7 incidentes > "$TEST_TMP/f7"
src=$(sqlite3 "$DB" "SELECT tipo || '|' || fecha || '|' || hora FROM lyr_incidentes_v1 WHERE fid = 7")
got=$(python3 - "$TEST_TMP/f7" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
v = {k: x.strip() for k, x in re.findall(r"^\s+(\w+) \(\w+\) = (.*)$", t, re.M)}
print("%s|%s|%s" % (v["tipo"], v["fecha"].replace("/", "-"), v["hora"]))
EOF
)
[ "$src" = "$got" ] || rfail "feature 7 via GDAL: $got, source $src"
ok

req "GDAL OAPIF: a spatial filter becomes a bbox that survives paging"
ogr2ogr -f GPKG "$TEST_TMP/box.gpkg" "OAPIF:$BASE/" incidentes -spat -101.70 21.10 -101.65 21.15 \
  2>/dev/null || rfail "ogr2ogr -spat"
want=$(sql "$DB" "SELECT count(*) FROM lyr_incidentes_v1 WHERE X(geom) BETWEEN -101.70 AND -101.65 AND Y(geom) BETWEEN 21.10 AND 21.15")
got=$(sqlite3 "$TEST_TMP/box.gpkg" "SELECT count(*) FROM incidentes")
[ "$want" = "$got" ] || rfail "-spat copied $got features, $want in the box"
ok

req "GDAL OAPIF: a dense box, whose pages leave numberMatched out, arrives whole in small pages"
# More than 1,000 matches: no page says how many there are, so GDAL follows the next links, 100
# features at a time, across the entries the index puts inside the box and those on its edge.
CITY="-101.80 21.00 -101.55 21.25"
get "/collections/incidentes/items?bbox=${CITY// /,}&limit=100"
json '"numberMatched" not in d' "the dense box's page leaves numberMatched out"
# shellcheck disable=SC2086
ogr2ogr -f GPKG "$TEST_TMP/dense.gpkg" "OAPIF:$BASE/" incidentes -spat $CITY -oo PAGE_SIZE=100 \
  2>/dev/null || rfail "ogr2ogr -spat (dense)"
want=$(sql "$DB" "SELECT count(*) FROM lyr_incidentes_v1 WHERE X(geom) BETWEEN -101.80 AND -101.55 AND Y(geom) BETWEEN 21.00 AND 21.25")
got=$(sqlite3 "$TEST_TMP/dense.gpkg" "SELECT count(*) || ' ' || count(DISTINCT fid) FROM incidentes")
[ "$want" -gt 1000 ] || rfail "the city box holds $want incidents: not dense enough for this test"
[ "$got" = "$want $want" ] || rfail "dense -spat copied $got (rows, distinct ids), $want in the box"
ok

req "GeoPackage download (GDAL's GPKG driver): every feature, readable by GDAL"
curl -sf -o "$TEST_TMP/dl.gpkg" "$BASE/collections/parques/download.gpkg" || rfail "download.gpkg"
ogrinfo -ro -so "$TEST_TMP/dl.gpkg" parques > "$TEST_TMP/dl" || rfail "GDAL cannot read the download"
grep -q "Feature Count: 320" "$TEST_TMP/dl" || rfail "download.gpkg count: $(cat "$TEST_TMP/dl")"
n_equal=$(sql "$DB" "ATTACH '$TEST_TMP/dl.gpkg' AS o;
  SELECT count(*) FROM lyr_parques_v1 s JOIN o.parques d ON d.fid = s.fid
  WHERE s.nombre IS d.nombre AND s.juegos_infantiles IS d.juegos_infantiles
    AND ST_Equals(s.geom, GeomFromGPB(d.geom))")
[ "$n_equal" = 320 ] || rfail "download.gpkg: $n_equal of 320 equal"
ok
# one version, one file: its last_change is the version's import time, not the clock's, so a
# download a second later is the same bytes (and so are the PostgreSQL backend's)
want=$(sql "$DB" "SELECT imported_at FROM teselas_history WHERE layer_id = 'parques'
  AND version = (SELECT version FROM teselas_layers WHERE id = 'parques')")
got=$(sql "$TEST_TMP/dl.gpkg" "SELECT last_change FROM gpkg_contents WHERE table_name = 'parques'")
[ "$got" = "${want%Z}.000Z" ] || rfail "last_change $got, not the version's time $want"
ok
sleep 1.1
curl -sf -o "$TEST_TMP/dl2.gpkg" "$BASE/collections/parques/download.gpkg" || rfail "download.gpkg"
cmp -s "$TEST_TMP/dl.gpkg" "$TEST_TMP/dl2.gpkg" || rfail "two downloads of one version differ"
ok
ls /tmp/teselas-gpkg-* >/dev/null 2>&1 && rfail "the temporary GeoPackage was left behind"
ok

stop_server || fail "server exited non-zero"
done_reqs
