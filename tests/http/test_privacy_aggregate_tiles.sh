#!/usr/bin/env bash
# An aggregate layer's cells are drawn at every zoom its TileJSON advertises: vector tiles, PNG
# tiles and the catalog's thumbnail. Each cell is a published figure; the small-feature rule once
# dropped every 500 m cell where it is under a pixel of a 256-px tile (below z9 over Mexico City),
# so the zooms from the layer's minzoom to z8 answered 204, and the PNG tiles and the thumbnail
# were blank. tests/tiles/check_aggregate.py checks each zoom's cells (decoded by npm
# @mapbox/vector-tile) against counts it makes from the CSV with gdaltransform, and the images'
# pixels against the cells' boxes. Third-party data: SSP-CDMX crimes (GPL-3.0), the 2,153 located
# records of tests/data/cdmx-ssp with k=2 (362 cells, from z7), and, when the shared data are
# here, the whole file of 131,141 with k=5 as a new user imported it (2,392 cells, from z6).
# Over PostgreSQL (http_test_privacy_aggregate_tiles_pg) the same checks, and then every tile
# byte for byte equal to the one the SpatiaLite file serves.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"
need_decoders
command -v gdaltransform >/dev/null || skip "gdaltransform is not installed"

DB="$TEST_TMP/cdmx.db"
EXTRACT="$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2200.csv"
FULL="${TESELAS_SHARED_DATA:-}/cdmx-ssp-delitos/crime-lat-long.csv"
"$TESELAS" import "$EXTRACT" --db "$DB" --layer delitos --title "Delitos" --lat lat --lon long \
  --privacy 'aggregate:grid=500,k=2,by=crime,date=date' --quiet >/dev/null || fail "import delitos"
CASES=("delitos $EXTRACT 2 Delitos")
if [ -n "${TESELAS_SHARED_DATA:-}" ] && [ -f "$FULL" ]; then
  "$TESELAS" import "$FULL" --db "$DB" --layer delitos-todos --title "Delitos 2013-2016" \
    --lat lat --lon long --privacy 'aggregate:grid=500,k=5,by=crime,date=date' --quiet >/dev/null ||
    fail "import delitos-todos"
  CASES+=("delitos-todos $FULL 5 Delitos 2013-2016")
else
  echo "note: the whole SSP-CDMX file is not in TESELAS_SHARED_DATA; its case is left out"
fi
ok

start_server "$DB" --quiet
for c in "${CASES[@]}"; do
  read -r layer src k title <<< "$c"
  # the zooms checked include some where a 500 m cell is under a pixel of a 256-px tile
  http_get "/tiles/$layer.json"
  expect_status 200 "TileJSON of $layer"
  expect_json 'd["minzoom"] <= 8'
  python3 "$TILES_DIR/check_aggregate.py" --base "$BASE" --layer "$layer" --title "$title" \
    --csv "$src" --grid 500 --k "$k" --save "$TEST_TMP/tiles/$layer" ||
    fail "the cells of $layer are not all drawn at every advertised zoom"
  ok
done
stop_server || fail "server exited non-zero"

# Over PostgreSQL: the SpatiaLite file's tiles, served by the real binary, are the same bytes.
if [ -n "${TESELAS_BACKEND_REAL:-}" ]; then
  TESELAS=$TESELAS_BACKEND_REAL start_server "$DB" --quiet
  n=0
  while read -r f; do
    rel=${f#"$TEST_TMP/tiles/"}
    curl -sf -o "$TEST_TMP/file.pbf" "$BASE/tiles/${rel%.pbf}.pbf" || fail "file: tile $rel"
    cmp -s "$f" "$TEST_TMP/file.pbf" || fail "tile $rel differs between PostgreSQL and SpatiaLite"
    n=$((n + 1))
  done < <(find "$TEST_TMP/tiles" -name '*.pbf' | sort)
  [ "$n" -ge 10 ] || fail "only $n tiles compared between the backends"
  echo "PostgreSQL and SpatiaLite: $n tiles alike"
  ok
  stop_server || fail "server exited non-zero"
fi
done_checks
