# tests/tiles/lib.sh — helpers of the vector-tile integration tests (tests/http/test_tiles*.sh).
# Source it after tests/http/lib.sh. The node decoders come from tests/browser/node_modules
# (`cd tests/browser && npm ci`, which scripts/test.sh runs).
TILES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ALL_LAYERS=limite-municipal,colonias,parques,rios-canales,cuerpos-agua,incidentes

need_decoders() {
  [ -f "$TILES_DIR/../browser/node_modules/@mapbox/vector-tile/package.json" ] ||
    fail "npm packages missing: run (cd tests/browser && npm ci)"
  command -v ogrinfo >/dev/null || fail "ogrinfo (gdal-bin) missing"
  sqlite3 -cmd ".load mod_spatialite" :memory: "SELECT 1" >/dev/null 2>&1 ||
    fail "sqlite3 cannot load mod_spatialite (libsqlite3-mod-spatialite)"
}

# tile_of Z LON LAT -> "X Y" of the tile holding that point.
tile_of() {
  python3 -c "
import math,sys
z,lon,lat=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3])
n=2**z; s=math.sin(math.radians(lat))
print(int((lon+180)/360*n), int((0.5-0.25*math.log((1+s)/(1-s))/math.pi)*n))" "$@"
}

# fetch_tile LAYERS Z X Y [curl args...]: GET /tiles/LAYERS/Z/X/Y.pbf into
# $TEST_TMP/t/LAYERS/Z/X/Y.pbf (named so that GDAL georeferences it); prints the path, sets STATUS.
fetch_tile() {
  local layers=$1 z=$2 x=$3 y=$4; shift 4
  local dir="$TEST_TMP/t/${layers//,/+}/$z/$x"
  mkdir -p "$dir"
  STATUS=$(curl -s -o "$dir/$y.pbf" -D "$TEST_TMP/headers" -w '%{http_code}' "$@" \
    "$BASE/tiles/$layers/$z/$x/$y.pbf")
  TILE="$dir/$y.pbf"
}

# check_tile DB LAYERS Z X Y: fetch the tile and run check_tile.py on it (see its header for every
# assertion); the decoded tile is left in $TILE.json.
check_tile() {
  local db=$1 layers=$2 z=$3 x=$4 y=$5
  fetch_tile "$layers" "$z" "$x" "$y"
  [ "$STATUS" = 200 ] || fail "tile $layers/$z/$x/$y: HTTP $STATUS"
  python3 "$TILES_DIR/check_tile.py" --db "$db" --tile "$TILE" --layers "$layers" \
    --json "$TILE.json" >"$TEST_TMP/check.out" 2>"$TEST_TMP/check.err" || {
    cat "$TEST_TMP/check.out" "$TEST_TMP/check.err" >&2
    fail "tile $layers/$z/$x/$y does not match its source"
  }
  cat "$TEST_TMP/check.out"
  ok
}

# tile_json EXPR: a python expression over `d`, the decoded $TILE.json, must hold.
tile_json() {
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" \
    "$TILE.json" || fail "decoded tile check failed: $1"
  ok
}

# tile_addresses W S E N Z0 Z1: "z x y" of every tile of the box, by the Web Mercator formulas
tile_addresses() {
  python3 - "$@" <<'PY'
import math, sys
w, s, e, n = map(float, sys.argv[1:5]); z0, z1 = int(sys.argv[5]), int(sys.argv[6])
def col(lon, z): return min(2**z - 1, max(0, math.floor((lon + 180) / 360 * 2**z)))
def row(lat, z):
    lat = max(-85.0511287798066, min(85.0511287798066, lat))
    return min(2**z - 1, max(0, math.floor((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**z)))
for z in range(z0, z1 + 1):
    for x in range(col(w, z), col(e, z) + 1):
        for y in range(row(n, z), row(s, z) + 1):
            print(z, x, y)
PY
}
