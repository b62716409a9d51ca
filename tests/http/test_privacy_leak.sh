#!/usr/bin/env bash
# The leak test of issue 8: a synthetic incident file with exact coordinates and personal fields,
# published under each policy (none with every personal field dropped, generalize on a 250 m grid,
# aggregate on a 500 m grid with k = 5), then every endpoint crawled (tests/privacy/crawl.py:
# metadata, TileJSON, pages, every items page, CSV/GeoJSON/GeoPackage downloads, feature by id,
# the aggregation endpoint, vector tiles z10-18 decoded with @mapbox/vector-tile, PNG tiles and
# static images, error responses carrying dropped values). Asserts that no dropped value appears
# in any response, the access log or the database files, and (generalize, aggregate) that no
# published position lies within 1 m of a source point, nor any exact source coordinate in the
# database bytes (tests/privacy/check_db.py).
source "$(dirname "$0")/lib.sh"
PRIV="$(cd "$(dirname "$0")/../privacy" && pwd)"
[ -f "$PRIV/../browser/node_modules/@mapbox/vector-tile/package.json" ] ||
  fail "npm packages missing: run (cd tests/browser && npm ci)"

CSV="$TEST_TMP/incidentes.csv"
python3 "$PRIV/gen_incidents.py" 1500 8 > "$CSV"
PERSONAL=(nombre_victima telefono curp domicilio)
DROPS=()
for f in "${PERSONAL[@]}"; do DROPS+=(--drop "$f"); done
mkdir -p "$TEST_TMP/styles"
cat > "$TEST_TMP/styles/puntos.json" <<'EOF'
{"version": 8, "name": "puntos",
 "sources": {"s": {"type": "vector", "url": "teselas://incidentes"}},
 "layers": [{"id": "fondo", "type": "background", "paint": {"background-color": "#ffffff"}},
            {"id": "puntos", "type": "circle", "source": "s", "source-layer": "incidentes",
             "paint": {"circle-radius": 2, "circle-color": "#000000"}}]}
EOF
CHECK_DROPS=()
for f in "${PERSONAL[@]}"; do CHECK_DROPS+=(--drop "$f"); done

run_policy() {
  local policy=$1 mode=${1%%:*}
  local db="$TEST_TMP/$mode.db" extra=()
  [ "$mode" = none ] && extra=(--drop edad)  # with exact locations an age is personal too
  "$TESELAS" import "$CSV" --db "$db" --layer incidentes --privacy "$policy" "${DROPS[@]}" \
    "${extra[@]}" --date-field fecha --quiet > "$TEST_TMP/import.out" 2>&1 || fail "import under $policy: $(cat "$TEST_TMP/import.out")"
  ok
  # the published geometries, straight from the database (not through the API under test)
  sqlite3 -cmd ".load mod_spatialite" "$db" \
    "SELECT AsGeoJSON(geom, 9) FROM lyr_incidentes_v1" > "$TEST_TMP/published.txt"
  [ -s "$TEST_TMP/published.txt" ] || fail "$policy: nothing published"
  python3 "$PRIV/check_db.py" --csv "$CSV" --mode "$mode" "${CHECK_DROPS[@]}" \
    "$db" "$db-wal" "$db-shm" || fail "$policy: the database holds withheld data"
  ok
  start_server "$db" --styles "$TEST_TMP/styles"
  SECONDS=0
  python3 "$PRIV/crawl.py" --base "$BASE" --layer incidentes --csv "$CSV" --mode "$mode" \
    --points-style puntos \
    --published "$TEST_TMP/published.txt" "${CHECK_DROPS[@]}" --work "$TEST_TMP" \
    || fail "$policy: a response leaks"
  echo "  ($policy: crawled in ${SECONDS}s)"
  ok
  stop_server || fail "server exited non-zero"
  # the access log: one line per request, no query string, so no filter value
  grep -q '^access GET /collections/incidentes/items ' "$SERVER_LOG" || fail "no access log"
  ! grep -q '?' <(grep '^access' "$SERVER_LOG") || fail "the access log holds a query string"
  python3 "$PRIV/check_db.py" --csv "$CSV" --mode none "${CHECK_DROPS[@]}" "$SERVER_LOG" \
    || fail "$policy: the server log holds a dropped value"
  ok
  # the files again, now that the server has read them (and written its -shm)
  python3 "$PRIV/check_db.py" --csv "$CSV" --mode "$mode" "${CHECK_DROPS[@]}" \
    "$db" "$db-wal" "$db-shm" || fail "$policy: the database holds withheld data"
  ok
}

run_policy "none"
# the checks can see a leak: the layer published with exact points fails both as "generalize"
python3 "$PRIV/check_db.py" --csv "$CSV" --mode generalize "$TEST_TMP/none.db" >/dev/null \
  && fail "check_db.py does not see exact coordinates"
start_server "$TEST_TMP/none.db" --quiet --styles "$TEST_TMP/styles"
python3 "$PRIV/crawl.py" --base "$BASE" --layer incidentes --csv "$CSV" --mode generalize \
  --points-style puntos \
  --published <(sqlite3 -cmd ".load mod_spatialite" "$TEST_TMP/none.db" \
                "SELECT AsGeoJSON(geom, 9) FROM lyr_incidentes_v1 LIMIT 20") \
  --work "$TEST_TMP" --max-tiles 20 > "$TEST_TMP/control.out" \
  && fail "crawl.py does not see exact coordinates"
grep -q 'LEAK: /collections/incidentes/items' "$TEST_TMP/control.out" \
  || fail "crawl.py: $(head -5 "$TEST_TMP/control.out")"
grep -q 'LEAK: /styles/puntos/.*under a pixel' "$TEST_TMP/control.out" \
  || fail "crawl.py does not see exact points in images: $(grep -c LEAK "$TEST_TMP/control.out") leaks"
stop_server || fail "server exited non-zero"
ok
run_policy "generalize:grid=250"
run_policy "aggregate:grid=500,k=5,by=tipo,date=fecha"
done_checks
