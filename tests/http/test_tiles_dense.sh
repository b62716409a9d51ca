#!/usr/bin/env bash
# A dense point layer (200,000 incidents): every tile over the city at z8, z10 and z12 is at most
# 500 KB uncompressed and made of point_count clusters that equal the source (tests/tiles/
# check_clusters.py rebuilds them from the source points: same cells, counts, positions and single
# points, so the point counts add up to the points of the cells the tile shows); z14 tiles are
# either exact or finely clustered, and small too. Clusters are deterministic: the same bytes on a
# repeated request without cache, and from a second server that builds everything afresh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"
need_decoders

DB=$(demo_db 200000)
[ "$(sqlite3 "$DB" "SELECT feature_count FROM teselas_layers WHERE id = 'incidentes'")" = 200000 ] ||
  fail "the demo did not make 200,000 incidents"
start_server "$DB" --quiet --tile-cache-mb 0

# every tile of the incident layer's bounds at z (x0 x1 y0 y1)
tiles_over_city() {
  python3 - "$1" $(sqlite3 "$DB" "SELECT minx, miny, maxx, maxy FROM teselas_layers WHERE id = 'incidentes'" | tr '|' ' ') <<'EOF'
import math, sys
z = int(sys.argv[1]); minx, miny, maxx, maxy = map(float, sys.argv[2:])
def t(lon, lat):
    n = 2 ** z; s = math.sin(math.radians(lat))
    return int((lon + 180) / 360 * n), int((0.5 - 0.25 * math.log((1 + s) / (1 - s)) / math.pi) * n)
(x0, y0), (x1, y1) = t(minx, maxy), t(maxx, miny)
for x in range(x0, x1 + 1):
    for y in range(y0, y1 + 1):
        print(x, y)
EOF
}

n_tiles=0
for z in 8 10 12; do
  while read -r X Y; do
    fetch_tile incidentes $z "$X" "$Y"
    [ "$STATUS" = 200 ] || [ "$STATUS" = 204 ] || fail "incidentes/$z/$X/$Y: HTTP $STATUS"
    [ "$STATUS" = 204 ] && continue
    python3 "$TILES_DIR/check_clusters.py" --db "$DB" --tile "$TILE" --layer incidentes \
      --max-bytes 512000 || fail "clusters of incidentes/$z/$X/$Y"
    cp "$TILE" "$TILE.first"
    n_tiles=$((n_tiles + 1))
    ok
  done < <(tiles_over_city $z)
done
[ $n_tiles -ge 15 ] || fail "only $n_tiles tiles over the city"

# the densest z14 tiles (city centre) and their neighbours: exact or 4-px clusters, <= 500 KB
read -r X Y < <(tile_of 14 -101.68 21.12)
for dx in -1 0 1; do
  fetch_tile incidentes 14 $((X + dx)) "$Y"
  [ "$STATUS" = 200 ] || fail "z14 tile: HTTP $STATUS"
  python3 "$TILES_DIR/check_clusters.py" --db "$DB" --tile "$TILE" --layer incidentes \
    --max-bytes 512000 || fail "incidentes/14/$((X + dx))/$Y"
  ok
done

# deterministic: a repeated request (no tile cache) gives the same bytes
for f in $(find "$TEST_TMP/t" -name '*.pbf.first' | head -20); do
  t=${f%.first}; z=$(basename "$(dirname "$(dirname "$t")")"); x=$(basename "$(dirname "$t")")
  y=$(basename "$t" .pbf)
  curl -s -o "$TEST_TMP/again.pbf" "$BASE/tiles/incidentes/$z/$x/$y.pbf"
  cmp -s "$f" "$TEST_TMP/again.pbf" || fail "incidentes/$z/$x/$y changed on a repeated request"
  ok
done
# ... and so does a fresh server (its cluster structures rebuilt), asked in another order
stop_server
start_server "$DB" --quiet --tile-cache-mb 0
for f in $(find "$TEST_TMP/t" -name '*.pbf.first' | sort -r | head -20); do
  t=${f%.first}; z=$(basename "$(dirname "$(dirname "$t")")"); x=$(basename "$(dirname "$t")")
  y=$(basename "$t" .pbf)
  curl -s -o "$TEST_TMP/again.pbf" "$BASE/tiles/incidentes/$z/$x/$y.pbf"
  cmp -s "$f" "$TEST_TMP/again.pbf" || fail "incidentes/$z/$x/$y differs after a restart"
  ok
done
stop_server
done_checks
