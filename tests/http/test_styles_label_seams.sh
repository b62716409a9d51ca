#!/usr/bin/env bash
# Labels across PNG tile edges: six stitched tiles show every label the static image of the same
# area shows (tests/http/labels/compare_mosaic.py), with a labels-only style — on the demo's
# cluster counts (z12 over León, allow-overlap) and on INEGI's León localities (third-party
# points, their 4-digit locality codes as labels, collisions on).
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
$PY -c "import numpy" 2>/dev/null || { echo "SKIP: python3-numpy is needed"; exit 77; }
HERE="$(cd "$(dirname "$0")" && pwd)"
ARTIFACTS="${TESELAS_ARTIFACTS:-$TEST_TMP/artifacts}/label-seams"   # the images of a failure
mkdir -p "$ARTIFACTS"
DB=$(demo_db 20000)
"$TESELAS" import "$TESELAS_TEST_DATA/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer localidades \
  > /dev/null || fail "import localities"
mkdir -p "$TEST_TMP/styles"
cat > "$TEST_TMP/styles/conteos.json" <<'JSON'
{"version": 8, "name": "conteos", "sources": {"s": {"type": "vector", "url": "teselas://incidentes"}},
 "layers": [{"id": "fondo", "type": "background", "paint": {"background-color": "#ffffff"}},
  {"id": "conteo", "type": "symbol", "source": "s", "source-layer": "incidentes", "filter": ["has", "point_count"],
   "layout": {"text-field": ["to-string", ["get", "point_count"]], "text-size": 10,
              "text-font": ["Noto Sans Bold"], "text-allow-overlap": true},
   "paint": {"text-color": "#000000"}}]}
JSON
cat > "$TEST_TMP/styles/claves.json" <<'JSON'
{"version": 8, "name": "claves", "sources": {"s": {"type": "vector", "url": "teselas://localidades"}},
 "layers": [{"id": "fondo", "type": "background", "paint": {"background-color": "#ffffff"}},
  {"id": "clave", "type": "symbol", "source": "s", "source-layer": "localidades",
   "layout": {"text-field": ["to-string", ["get", "cve_loc"]], "text-size": 10,
              "text-font": ["Noto Sans Regular"]},
   "paint": {"text-color": "#000000"}}]}
JSON
start_server "$DB" --styles "$TEST_TMP/styles" --quiet

# mosaic STYLE Z X0 Y0: 3x2 tiles from (X0, Y0) and the static image of their box, compared
mosaic() {
  local style=$1 z=$2 x0=$3 y0=$4 files=() bbox
  for y in $y0 $((y0 + 1)); do
    for x in $x0 $((x0 + 1)) $((x0 + 2)); do
      http_get "/styles/$style/$z/$x/$y.png"
      expect_status 200 "tile $style/$z/$x/$y"
      cp "$TEST_TMP/body" "$TEST_TMP/t_${style}_${x}_$y.png"
      files+=("$TEST_TMP/t_${style}_${x}_$y.png")
    done
  done
  bbox=$($PY -c "
import math, sys
z, x0, y0 = map(int, sys.argv[1:])
lon = lambda x: x / 2**z * 360 - 180
lat = lambda y: math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2**z))))
# the centre of the six tiles at style zoom z - 1, exactly (a box would give a zoom of
# 10.9999999, whose clusters are those of zoom 10)
print('%.12f,%.12f,%d' % (lon(x0 + 1.5), lat(y0 + 1), z - 1))" "$z" "$x0" "$y0")
  http_get "/styles/$style/static/$bbox/768x512.png"
  expect_status 200 "static $style $bbox"
  cp "$TEST_TMP/body" "$TEST_TMP/static_$style.png"
  $PY "$HERE/labels/compare_mosaic.py" "$TEST_TMP/static_$style.png" 3 2 "${files[@]}" \
    > "$TEST_TMP/cmp_$style" || { cp "$TEST_TMP"/*.png "$ARTIFACTS"/; fail "$style z$z: $(cat "$TEST_TMP/cmp_$style")"; }
  echo "$style z$z: $(cat "$TEST_TMP/cmp_$style")"
  ok
}
mosaic conteos 12 890 1801
mosaic claves 10 221 449
stop_server
done_checks
