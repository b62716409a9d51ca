#!/usr/bin/env bash
# Cross-check against PostGIS: for a sample of tiles at zooms where teselas does not generalise
# (points from z14, where clustering stops; polygons and lines at their maxzoom 16 and above),
# the set of feature ids per layer equals what PostGIS's ST_AsMVT(ST_AsMVTGeom(ST_Transform(geom,
# 3857), ST_TileEnvelope(z, x, y), 4096, 64, true)) returns for the same data — the query of
# Martin and pg_tileserv. Both tiles are decoded by the same third-party decoder (decode.mjs).
# PostgreSQL runs privately on a free loopback port (tests/postgis/lib.sh). Skips (exit 77), saying so, when
# PostgreSQL or PostGIS is not installed (scripts/install-deps.sh installs both).
#
# Intentional differences: none are needed on the demo data at these zooms. A polygon that
# touches the buffered tile by a sliver thinner than half a tile unit collapses in both
# (ST_AsMVTGeom drops it; teselas drops rings of zero area after snapping).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
pg_available || skip "PostgreSQL + PostGIS not installed (scripts/install-deps.sh installs them)"
need_decoders
trap 'pg_stop; cleanup' EXIT
trap 'exit 130' INT   # so that an interrupted run still stops its PostgreSQL (EXIT trap)
trap 'exit 143' TERM

DB=$(demo_db 20000)
pg_start || fail "PostgreSQL did not start"
pg_load_layers "$DB" || fail "ogr2ogr could not load the layers into PostGIS"
for id in limite-municipal colonias parques rios-canales cuerpos-agua incidentes; do
  n_pg=$("${PSQL[@]}" -At -c "SELECT count(*) FROM \"$id\"")
  n_ts=$(sqlite3 "$DB" "SELECT feature_count FROM teselas_layers WHERE id = '$id'")
  [ "$n_pg" = "$n_ts" ] || fail "$id: $n_pg rows in PostGIS, $n_ts in teselas"
done
ok
start_server "$DB" --quiet

# A deterministic sample of tile centres: every k-th incident, park centroid and river vertex.
q() { sqlite3 -cmd ".load mod_spatialite" "$DB" "$1"; }
inc=$(sqlite3 "$DB" "SELECT table_name FROM teselas_layers WHERE id = 'incidentes'")
POINTS=$(q "SELECT X(geom), Y(geom) FROM $inc WHERE fid % 1999 = 7 LIMIT 10")
PARKS=$(q "SELECT X(ST_Centroid(geom)), Y(ST_Centroid(geom)) FROM lyr_parques_v1 WHERE fid % 29 = 3 LIMIT 10")
RIVERS=$(q "SELECT X(ST_PointN(ST_GeometryN(geom, 1), 5)), Y(ST_PointN(ST_GeometryN(geom, 1), 5))
            FROM lyr_rios_canales_v1 LIMIT 5")
SAMPLE=()
add() { # add Z "lon|lat" lines LAYERS
  local z=$1 ll=$2 layers=$3 lon lat X Y
  while IFS='|' read -r lon lat; do
    [ -n "$lon" ] || continue
    read -r X Y < <(tile_of "$z" "$lon" "$lat")
    SAMPLE+=("$z $X $Y $layers")
  done <<< "$ll"
}
POLY=limite-municipal,colonias,parques,rios-canales,cuerpos-agua
add 14 "$POINTS" incidentes
add 15 "$(echo "$POINTS" | head -4)" incidentes
add 16 "$(echo "$POINTS" | head -4)" "$POLY,incidentes"
add 18 "$(echo "$POINTS" | head -2)" incidentes
add 16 "$PARKS" "$POLY"
add 17 "$(echo "$PARKS" | head -3)" "$POLY"
add 16 "$RIVERS" rios-canales,colonias

n=0
for s in "${SAMPLE[@]}"; do
  read -r z x y layers <<< "$s"
  IFS=, read -r -a ids <<< "$layers"
  dir="$TEST_TMP/pg/$z/$x"; mkdir -p "$dir"
  "${PSQL[@]}" -At -c "$(pg_tile_sql "$z" "$x" "$y" 64 "${ids[@]}")" | xxd -r -p > "$dir/$y.pg.pbf"
  fetch_tile "$layers" "$z" "$x" "$y"
  [ "$STATUS" = 200 ] || [ "$STATUS" = 204 ] || fail "teselas $layers/$z/$x/$y: HTTP $STATUS"
  node "$TILES_DIR/decode.mjs" "$dir/$y.pg.pbf" --no-geometry > "$dir/$y.pg.json" ||
    fail "cannot decode the PostGIS tile"
  if [ -s "$TILE" ]; then
    node "$TILES_DIR/decode.mjs" "$TILE" --no-geometry > "$dir/$y.ts.json"
  else
    echo '{"layers": {}}' > "$dir/$y.ts.json"
  fi
  python3 - "$dir/$y.ts.json" "$dir/$y.pg.json" "$z/$x/$y" "$layers" <<'EOF' || fail "$layers/$z/$x/$y differs from PostGIS"
import json, sys
ts, pg = (json.load(open(p))["layers"] for p in sys.argv[1:3])
bad = []
for layer in sys.argv[4].split(","):
    a = {f["id"] for f in ts.get(layer, {}).get("features", [])}
    b = {f["id"] for f in pg.get(layer, {}).get("features", [])}
    if a != b:
        bad.append(f"{layer}: only teselas {sorted(a - b)[:10]}, only PostGIS {sorted(b - a)[:10]}")
    print(f"  {sys.argv[3]} {layer}: {len(a)} features, PostGIS {len(b)}")
if bad:
    print("FAIL", sys.argv[3], *bad, sep="\n  ", file=sys.stderr)
    sys.exit(1)
EOF
  n=$((n + 1))
  ok
done
[ $n -ge 30 ] || fail "only $n tiles compared"
echo "compared $n tiles with PostGIS $("${PSQL[@]}" -At -c 'SELECT postgis_lib_version()')"
stop_server
done_checks
