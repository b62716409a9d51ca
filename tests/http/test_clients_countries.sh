#!/usr/bin/env bash
# World-scale polygons from a third-party file, Natural Earth's 177 countries (tests/data/
# naturalearth), checked by independent references:
#  - every polygon of every vector tile z0-z4 (341 tiles) is valid for GEOS, as GDAL's MVT driver
#    and QGIS read them (tests/tiles/check_validity.py). At these zooms a country is a few dozen
#    tile units: rounding to the grid and simplification made Western Sahara and Sudan cross
#    themselves, and Antarctica, which reaches the pole, ran along itself at the edge of the
#    Web Mercator square;
#  - /items?bbox= returns exactly the countries GDAL returns for the same box (ogr2ogr -spat, which
#    tests each geometry with GEOS), for boxes where the bounding boxes mislead: Russia and Fiji,
#    split at ±180°, have bounding boxes from -180 to 180 and met every box at their latitudes.
source "$(dirname "$0")/features_lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"

SHP="$TESELAS_TEST_DATA/naturalearth/naturalearth_lowres.shp"
DB="$TEST_TMP/ne.db"
"$TESELAS" import "$SHP" --db "$DB" --layer paises >"$TEST_TMP/import.log" 2>&1 ||
  fail "import: $(tail -5 "$TEST_TMP/import.log")"
start_server "$DB" --quiet --tile-cache-mb 0

req "MVT polygons valid at z0-z4"
python3 "$TILES_DIR/check_validity.py" --base "$BASE" --layers paises \
  --bbox=-179.999,-85.05,179.999,85.05 --zooms 0-4 >"$TEST_TMP/validity.out" || {
  grep -v '^tiles ' "$TEST_TMP/validity.out" | head -20 >&2
  rfail "invalid polygons: $(tail -1 "$TEST_TMP/validity.out")"
}
read -r N_TILES N_POLYS < <(sed -n 's/^tiles \([0-9]*\), polygons \([0-9]*\),.*/\1 \2/p' \
  "$TEST_TMP/validity.out")
[ "$N_TILES" = 341 ] && [ "${N_POLYS:-0}" -gt 1000 ] ||
  rfail "sweep too small: $N_TILES tiles, $N_POLYS polygons"
tail -1 "$TEST_TMP/validity.out"
ok
# nothing was dropped to get there: the countries that were invalid, and the ones split at ±180°,
# are in the z0 tile (only countries under a pixel, like Luxembourg, are left out at z0)
fetch_tile paises 0 0 0
[ "$STATUS" = 200 ] || rfail "z0 tile: HTTP $STATUS"
ogrinfo -ro -q -al "$TILE" 2>/dev/null | sed -n 's/^  name (String) = //p' > "$TEST_TMP/z0"
for c in Antarctica "W. Sahara" Sudan Russia Fiji; do
  grep -qx "$c" "$TEST_TMP/z0" || rfail "$c missing from the z0 tile"
  ok
done
[ "$(wc -l < "$TEST_TMP/z0")" -ge 170 ] || rfail "only $(wc -l < "$TEST_TMP/z0") countries at z0"
ok

req "/req/core/fc-bbox-response: exactly the features that intersect the box"
for box in "-10,35,5,45" "100,50,110,60" "-170,-20,-150,-10" "170,-20,179,-15" "-100,10,-80,25" \
           "0,-85,10,-80" "20,20,40,30" "-75,-60,-60,-50" "178,-20,-178,-15"; do
  IFS=, read -r W S E N <<<"$box"
  if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$W" "$E"; then
    # across the antimeridian: GDAL is asked for both halves
    { ogr2ogr -f CSV /vsistdout/ "$SHP" -spat "$W" "$S" 180 "$N" -select name
      ogr2ogr -f CSV /vsistdout/ "$SHP" -spat -180 "$S" "$E" "$N" -select name; } |
      sed '/^name/d' | sort -u > "$TEST_TMP/want"
  else
    ogr2ogr -f CSV /vsistdout/ "$SHP" -spat "$W" "$S" "$E" "$N" -select name |
      sed '/^name/d' | sort -u > "$TEST_TMP/want"
  fi
  get "/collections/paises/items?bbox=$box&limit=1000&properties=name"
  status_is 200 "bbox=$box"
  python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
print('\n'.join(sorted({f['properties']['name'] for f in d['features']})))
assert d.get('numberMatched', len(d['features'])) == len(d['features'])" "$TEST_TMP/body" \
    > "$TEST_TMP/got" || rfail "bbox=$box: numberMatched differs from the features"
  sed -i '/^$/d' "$TEST_TMP/got" "$TEST_TMP/want"
  diff "$TEST_TMP/want" "$TEST_TMP/got" >"$TEST_TMP/diff" ||
    rfail "bbox=$box differs from GDAL/GEOS (< GDAL, > teselas): $(cat "$TEST_TMP/diff")"
  ok
done
# the case that was reported: Russia does not meet Iberia
get "/collections/paises/items?bbox=-10,35,5,45&limit=1000&properties=name"
json '"Russia" not in [f["properties"]["name"] for f in d["features"]]' "Russia in Iberia"
json '{"Spain","Portugal"} <= {f["properties"]["name"] for f in d["features"]}' "Iberia"

stop_server
done_checks
