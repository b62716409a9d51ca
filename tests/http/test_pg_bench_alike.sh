#!/usr/bin/env bash
# The vector-tile benchmark's "PostGIS generalising alike" peer (bench/tiles/pg_tiles.py setup,
# the function source tl_<layer>) serves the same features as teselas on the same tiles: the
# single points (ids, attributes) and the clusters (point_count, position within 1 unit), on
# 16-px cells below z14 and on 4-px cells in a tile too dense for itself. The points are made
# here so that each of teselas's rules is exercised: one z16 tile of 20,500 points; one of 19,950
# whose buffered box (the tile and its 64 units) holds 20,250, which teselas clusters because it
# counts the features of the buffered tile it would write; a sparse scatter around them. Both
# tiles are decoded by the same third-party decoder (tests/tiles/decode.mjs). Needs Debian's
# python3 with psycopg (scripts/install-deps.sh); skips (exit 77), saying so, without PostgreSQL,
# PostGIS or psycopg.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3
pg_available || skip "PostgreSQL + PostGIS not installed (scripts/install-deps.sh installs them)"
$PY -c "import psycopg" 2>/dev/null || skip "python3-psycopg not installed (scripts/install-deps.sh)"
need_decoders
trap 'pg_stop; cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# the points, and the tiles to compare ("z x y" lines), around tile A of z16
$PY - "$TEST_TMP/puntos.csv" "$TEST_TMP/tiles.txt" <<'EOF'
import math, random, sys
rnd = random.Random(14)
Z = 16
n = 2 ** Z
def tile_xy(lon, lat):
    s = math.sin(math.radians(lat))
    return int((lon + 180) / 360 * n), int((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n)
def lonlat(fx, fy):  # fractional tile coordinates of zoom Z
    return fx / n * 360 - 180, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * fy / n))))
ax, ay = tile_xy(-101.68, 21.12)
pts = []
def fill(count, x0, x1, y0, y1):
    for _ in range(count):
        pts.append(lonlat(rnd.uniform(x0, x1), rnd.uniform(y0, y1)))
fill(20500, ax + 0.02, ax + 0.98, ay + 0.02, ay + 0.98)             # A: dense in itself
fill(19950, ax + 2.03, ax + 2.97, ay + 0.03, ay + 0.97)             # B: 19,950 in the tile ...
fill(300, ax + 3.002, ax + 3.012, ay + 0.1, ay + 0.9)               # ... 300 more in its buffer
for _ in range(3000):                                               # a scatter around them
    pts.append((-101.68 + rnd.gauss(0, 0.03), 21.12 + rnd.gauss(0, 0.03)))
pts += [pts[7]] * 3                                                 # points on one spot
with open(sys.argv[1], "w") as f:
    f.write("id,categoria,valor,lat,lon\n")
    for i, (lon, lat) in enumerate(pts):
        f.write(f"{i + 1},{'abcde'[i % 5]},{i % 97},{lat:.8f},{lon:.8f}\n")
with open(sys.argv[2], "w") as f:
    for z in (10, 12, 13, 14, 15, 16):
        d = 2 ** (Z - z)
        xs = {(ax + k) // d for k in range(-1, 5)}
        ys = {(ay + k) // d for k in range(-1, 2)}
        for x in sorted(xs):
            for y in sorted(ys):
                f.write(f"{z} {x} {y}\n")
EOF
DB=$TEST_TMP/puntos.db
"$TESELAS" import "$TEST_TMP/puntos.csv" --db "$DB" --layer puntos --lat lat --lon lon --quiet \
  >/dev/null 2>"$TEST_TMP/import.err" || fail "import: $(cat "$TEST_TMP/import.err")"
ok
start_server "$DB" --quiet --tile-cache-mb 0
pg_start || fail "PostgreSQL did not start"
pg_load_layers "$DB" puntos || fail "ogr2ogr could not load the layer into PostGIS"
cols=$(pg_layer_fields "$DB" puntos)
maxz=$(sqlite3 "$DB" "SELECT COALESCE(maxzoom, 16) FROM teselas_layers WHERE id = 'puntos'")
$PY "$ROOT/bench/tiles/pg_tiles.py" setup "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres" \
  puntos "$cols" points "$maxz" || fail "pg_tiles.py setup"

n=0; dense=0
while read -r z x y; do
  dir="$TEST_TMP/pg/$z/$x"; mkdir -p "$dir"
  "${PSQL[@]}" -At -c "SELECT encode(tl_puntos($z, $x, $y), 'hex')" | xxd -r -p > "$dir/$y.pbf"
  fetch_tile puntos "$z" "$x" "$y"
  [ "$STATUS" = 200 ] || [ "$STATUS" = 204 ] || fail "teselas puntos/$z/$x/$y: HTTP $STATUS"
  for side in ts pg; do
    f=$TILE; [ $side = pg ] && f=$dir/$y.pbf
    if [ -s "$f" ]; then
      node "$TILES_DIR/decode.mjs" "$f" > "$dir/$y.$side.json" || fail "cannot decode $side $z/$x/$y"
    else
      echo '{"layers": {}}' > "$dir/$y.$side.json"
    fi
  done
  $PY "$TILES_DIR/compare_points.py" "$dir/$y.ts.json" "$dir/$y.pg.json" puntos "$z/$x/$y" ||
    fail "puntos/$z/$x/$y: teselas and PostGIS generalising alike differ"
  # the dense tiles of z16 and z14 are clustered on both sides
  if [ "$z" -ge 14 ] && grep -q '"cluster"' "$dir/$y.ts.json"; then dense=$((dense + 1)); fi
  n=$((n + 1))
  ok
done < "$TEST_TMP/tiles.txt"
[ $n -ge 25 ] || fail "only $n tiles compared"
# z16: A and B (B only by its buffer); z15 and z14: the tiles that hold them
[ $dense -ge 4 ] || fail "only $dense dense tiles at z14-z16: the data do not exercise the 20,000 rule"
echo "compared $n tiles ($dense clustered at z14-z16) with PostGIS $("${PSQL[@]}" -At -c 'SELECT postgis_lib_version()')"
stop_server
done_checks
