#!/usr/bin/env bash
# The vector tile decoder (mvt/decode.c, which reads basemap archives) against an independent
# decoder, npm @mapbox/vector-tile (what MapLibre uses), on the same files:
# - tiles written by an independent encoder, GDAL's MVT driver (`ogr2ogr -f MVT`): Natural
#   Earth's countries (polygons with islands and holes, z0-2) and INEGI's León localidades
#   (points with integer, real and text attributes, z8-12);
# - tiles written by our encoder, served by the real server from a database of the same
#   third-party files (several layers in one tile, gzip'd);
# layer names, versions, extents, feature order, ids, types, every property and every
# coordinate must agree (tests/mvt/compare_dumps.py), and the decoder's polygons must start at
# the exterior rings the surveyor's formula finds. Truncated copies of the tiles are refused
# with a message, never a crash.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/archive_lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
MVT="$HERE/../mvt"
[ -n "${MVT_DUMP:-}" ] && [ -x "$MVT_DUMP" ] || skip "mvt_dump is not built (MVT_DUMP)"
[ -f "$HERE/../browser/node_modules/@mapbox/vector-tile/package.json" ] ||
  skip "npm packages missing: run (cd tests/browser && npm ci)"
command -v ogr2ogr >/dev/null || skip "ogr2ogr (gdal-bin) is not installed"
DATA=${TESELAS_TEST_DATA:?}

compare() { # compare LIST: both decoders on every file of LIST, the summary in $TEST_TMP/body
  node "$MVT/dump_ref.mjs" $(cat "$1") >"$TEST_TMP/ref.jsonl" || fail "@mapbox/vector-tile failed"
  python3 "$MVT/compare_dumps.py" "$MVT_DUMP" "$1" "$TEST_TMP/ref.jsonl" >"$TEST_TMP/body" ||
    fail "the comparison did not run"
}

# --- GDAL's MVT writer ---
ogr2ogr -f MVT "$TEST_TMP/gdal-paises" "$DATA/naturalearth/naturalearth_lowres.shp" \
  -dsco FORMAT=DIRECTORY -dsco COMPRESS=NO -dsco MINZOOM=0 -dsco MAXZOOM=2 -nln paises \
  >"$TEST_TMP/gdal.log" 2>&1 || fail "ogr2ogr of Natural Earth: $(tail -3 "$TEST_TMP/gdal.log")"
ogr2ogr -f MVT "$TEST_TMP/gdal-loc" "$DATA/inegi/AGLOC_11020_localidades.csv" \
  -oo X_POSSIBLE_NAMES=longitud -oo Y_POSSIBLE_NAMES=latitud -oo AUTODETECT_TYPE=YES \
  -a_srs EPSG:4326 -dsco FORMAT=DIRECTORY -dsco COMPRESS=NO -dsco MINZOOM=8 -dsco MAXZOOM=12 \
  -nln localidades >"$TEST_TMP/gdal.log" 2>&1 ||
  fail "ogr2ogr of INEGI localidades: $(tail -3 "$TEST_TMP/gdal.log")"
find "$TEST_TMP/gdal-paises" "$TEST_TMP/gdal-loc" -name '*.pbf' | sort >"$TEST_TMP/gdal.txt"
compare "$TEST_TMP/gdal.txt"
expect_json "d['errors'] == [] and d['mismatches'] == []"
expect_json "d['files'] > 100 and d['layers'] == ['localidades', 'paises']"
expect_json "d['features'] > 300 and d['polygons'] > 200 and d['points'] > 10000"
N_GDAL=$(python3 -c "import json; d=json.load(open('$TEST_TMP/body')); print(d['files'], d['features'], d['points'])")

# --- our encoder, through the server ---
third_party_archive
start_server "$TP_DB" --quiet
mkdir -p "$TEST_TMP/ours"
: >"$TEST_TMP/ours.txt"
fetch() { # fetch Z X Y
  local f="$TEST_TMP/ours/$1-$2-$3.pbf" s
  s=$(curl -s -o "$f" -w '%{http_code}' -H 'Accept-Encoding: gzip' \
    "$BASE/tiles/paises,localidades/$1/$2/$3.pbf")
  [ "$s" = 200 ] && echo "$f" >>"$TEST_TMP/ours.txt" || rm -f "$f"
}
for z in 0 1 2 3; do
  n=$((1 << z))
  for ((x = 0; x < n; x++)); do for ((y = 0; y < n; y++)); do fetch $z $x $y; done; done
done
for z in 8 10 12; do
  read -r X Y < <(python3 -c "
import math; z=$z; lon,lat=-101.68,21.12; n=2**z
print(int((lon+180)/360*n), int((1-math.asinh(math.tan(math.radians(lat)))/math.pi)/2*n))")
  for dx in -1 0 1; do for dy in -1 0 1; do fetch $z $((X + dx)) $((Y + dy)); done; done
done
compare "$TEST_TMP/ours.txt"
expect_json "d['errors'] == [] and d['mismatches'] == []"
expect_json "d['files'] >= 80 and d['layers'] == ['localidades', 'paises', 'paises:labels'] and d['polygons'] > 200"

# --- truncated tiles: refused with a message, never a crash ---
n_refused=0
for f in $(head -40 "$TEST_TMP/gdal.txt"); do
  size=$(stat -c %s "$f")
  [ "$size" -gt 20 ] || continue
  head -c $((size / 2)) "$f" >"$TEST_TMP/cut.pbf"
  set +e
  "$MVT_DUMP" "$TEST_TMP/cut.pbf" >"$TEST_TMP/cut.json" 2>&1
  rc=$?
  set -e
  [ $rc -le 1 ] || fail "the decoder crashed on half of $f (exit $rc)"
  [ $rc -eq 0 ] || { grep -q '"error"' "$TEST_TMP/cut.json" || fail "no message for half of $f"; }
  n_refused=$((n_refused + (rc == 1)))
done
[ "$n_refused" -gt 20 ] || fail "only $n_refused of the truncated tiles were refused"
ok
echo "GDAL tiles (files features points): $N_GDAL; truncated tiles refused: $n_refused"
done_checks
