#!/usr/bin/env bash
# The renderer judged against an independent one: Mapnik (python3-mapnik) draws the same small
# area from the same SpatiaLite tables with an equivalent style (tests/mapnik/), and the two
# images must agree within a tolerance. Images go to $TESELAS_ARTIFACTS/mapnik.
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
PY=/usr/bin/python3
$PY -c "import mapnik, numpy" 2>/dev/null || fail "python3-mapnik and python3-numpy are needed (scripts/install-deps.sh)"
OUT="${TESELAS_ARTIFACTS:-$TEST_TMP/artifacts}/mapnik"
mkdir -p "$OUT"
$PY "$HERE/golden/render/make_data.py" "$TEST_TMP/data"
DB="$TEST_TMP/x.db"
for l in g-poligonos g-lineas g-puntos; do
  "$TESELAS" import "$TEST_TMP/data/$l.geojson" --db "$DB" --layer "$l" --privacy none >/dev/null 2>&1 || fail "import $l"
done
start_server "$DB" --styles "$HERE/mapnik/styles" --quiet
http_get "/styles/x-check/static/-101.69,21.11,-101.67,21.13/256x256.png"
expect_status 200 "x-check image"
cp "$TEST_TMP/body" "$OUT/teselas.png"
$PY "$HERE/mapnik/test_crosscheck.py" "$OUT/teselas.png" "$DB" "$OUT" || fail "teselas and Mapnik disagree (see $OUT)"
ok
done_checks
