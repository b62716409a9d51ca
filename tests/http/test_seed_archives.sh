#!/usr/bin/env bash
# `teselas seed` archives read by third-party readers and compared with the running server:
#   - PMTiles read by the npm `pmtiles` package (tests/tiles/check_archive.mjs): header, metadata,
#     and at every address of the seed (computed here, independently, from the box and zooms)
#     the archive's tile equals the server's answer byte for byte, or is absent where the server
#     answers 204; the archive's tile count equals the server's non-204 count;
#   - vector MBTiles opened by GDAL's MBTiles driver (ogrinfo): layers, and per-layer feature
#     counts at one zoom equal to the server's tiles (summed from the archive checked above);
#   - PNG MBTiles opened by gdalinfo: bounds of the tiles of the box, zoom levels as overviews;
#   - PNG PMTiles equal to /styles/{style}/{z}/{x}/{y}.png;
#   - on the demo database and on one made only from third-party files (Natural Earth countries,
#     SSP-CDMX crimes);
#   - `teselas-seed` (the command without GDAL loaded, nor cairo until it draws) writes the same
#     bytes as `teselas seed`, vector and PNG;
#   - a seed killed with -9 leaves nothing under the final name, SIGTERM removes the partial file
#     (a full seed and an incremental one, whose earlier archive stays as it was),
#     and bad requests (unknown layer, zooms, a box outside the data, an unwritable path) fail
#     cleanly with a message and no file.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"
need_decoders
CHECK="$(dirname "$0")/../tiles/check_archive.mjs"
[ -f "$(dirname "$0")/../browser/node_modules/pmtiles/package.json" ] ||
  fail "npm packages missing: run (cd tests/browser && npm ci)"
command -v gdalinfo >/dev/null || fail "gdalinfo (gdal-bin) missing"

# bounds LAYERS: the layers' bounds as the server's TileJSON gives them, "W S E N"
bounds() {
  curl -sf "$BASE/tiles/$1.json" | python3 -c "import json,sys; print(*json.load(sys.stdin)['bounds'])"
}

# check_pmtiles ARCHIVE URL_TEMPLATE ADDRESSES: the npm reader against the server
check_pmtiles() {
  node "$CHECK" "$1" "$2" "$3" > "$TEST_TMP/check.json" || fail "check_archive.mjs on $1"
  python3 - "$TEST_TMP/check.json" <<'PY' || fail "archive $1 differs from the server: $(head -c 600 "$TEST_TMP/check.json")"
import json, sys
d = json.load(open(sys.argv[1]))
h = d["header"]
assert d["mismatches"] == [], d["mismatches"][:5]
assert d["n_server"] > 0
assert d["n_archive"] == d["n_server"] == h["numAddressedTiles"], (d["n_archive"], d["n_server"], h)
assert h["clustered"] and h["internalCompression"] == 2
PY
  ok
}

seed() { "$TESELAS" seed "$@" --quiet 2> "$TEST_TMP/seed.err" || fail "seed $*: $(cat "$TEST_TMP/seed.err")"; }

DB=$(demo_db 5000)
start_server "$DB" --quiet

# --- vector PMTiles of three layers, z0-15, in an explicit box; then z0-10 of a small layer over
# its own bounds (no --bbox) ---
BOX=-101.80,21.02,-101.55,21.22
LAYERS=parques,incidentes,rios-canales
seed --db "$DB" --layers "$LAYERS" --zoom 0-15 --bbox "$BOX" --out "$TEST_TMP/v.pmtiles" --jobs 2
tile_addresses ${BOX//,/ } 0 15 > "$TEST_TMP/addr"
[ "$(wc -l < "$TEST_TMP/addr")" -ge 300 ] || fail "too few addresses: $(wc -l < "$TEST_TMP/addr")"
check_pmtiles "$TEST_TMP/v.pmtiles" "$BASE/tiles/$LAYERS/{z}/{x}/{y}.pbf" "$TEST_TMP/addr"
SEED_BIN="$(dirname "${TESELAS_BACKEND_REAL:-$TESELAS}")/teselas-seed"  # the real binary's, on either backend
[ -x "$SEED_BIN" ] || fail "teselas-seed missing beside $TESELAS"
"$SEED_BIN" --db "$DB" --layers "$LAYERS" --zoom 0-15 --bbox "$BOX" --out "$TEST_TMP/v2.pmtiles" \
  --jobs 2 --quiet 2> "$TEST_TMP/seed.err" || fail "teselas-seed: $(cat "$TEST_TMP/seed.err")"
cmp -s "$TEST_TMP/v.pmtiles" "$TEST_TMP/v2.pmtiles" || fail "teselas-seed and teselas seed differ"
seed_libs=$(ldd "$SEED_BIN") || fail "ldd $SEED_BIN"
[[ "$seed_libs" != *libgdal* ]] || fail "teselas-seed loads GDAL"
ok
python3 - "$TEST_TMP/check.json" <<'PY' || fail "PMTiles header or metadata: $(head -c 1500 "$TEST_TMP/check.json")"
import json, sys
d = json.load(open(sys.argv[1])); h = d["header"]; m = d["metadata"]
assert h["tileType"] == 1 and h["tileCompression"] == 2 and h["minZoom"] == 0 and h["maxZoom"] == 15
assert abs(h["minLon"] + 101.80) < 1e-6 and abs(h["maxLat"] - 21.22) < 1e-6
assert [v["id"] for v in m["vector_layers"]] == ["parques", "incidentes", "rios-canales", "parques:labels"]
assert m["format"] == "pbf" and m["minzoom"] == 0 and m["maxzoom"] == 15
assert "nombre" in m["vector_layers"][0]["fields"]
assert m["attribution"] and m["name"]
PY
ok
cp "$TEST_TMP/check.json" "$TEST_TMP/check_v.json"

seed --db "$DB" --layers cuerpos-agua --zoom 0-10 --out "$TEST_TMP/agua.pmtiles"
tile_addresses $(bounds cuerpos-agua) 0 10 > "$TEST_TMP/addr_agua"
check_pmtiles "$TEST_TMP/agua.pmtiles" "$BASE/tiles/cuerpos-agua/{z}/{x}/{y}.pbf" "$TEST_TMP/addr_agua"

# --- vector MBTiles: GDAL's driver sees the layers and, at z12, the features the server's tiles hold ---
seed --db "$DB" --layers "$LAYERS" --zoom 0-14 --bbox "$BOX" --out "$TEST_TMP/v.mbtiles" --jobs 1
ogrinfo -ro "$TEST_TMP/v.mbtiles" > "$TEST_TMP/ogr.txt" 2>&1 || fail "ogrinfo: $(cat "$TEST_TMP/ogr.txt")"
for l in parques incidentes rios-canales; do
  grep -Eq "^[0-9]+: $l( |$)" "$TEST_TMP/ogr.txt" || fail "ogrinfo does not list $l: $(cat "$TEST_TMP/ogr.txt")"
  got=$(ogrinfo -ro -so -oo ZOOM_LEVEL=12 "$TEST_TMP/v.mbtiles" "$l" | sed -n 's/^Feature Count: //p')
  want=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['features']['$l'].get('12', 0))" "$TEST_TMP/check_v.json")
  [ "$got" = "$want" ] && [ "$want" -gt 0 ] || fail "$l at z12: GDAL counts $got features, the server's tiles $want"
  ok
done

# --- PNG: MBTiles for gdalinfo, PMTiles against /styles/todas/z/x/y.png ---
PBOX=-101.72,21.08,-101.62,21.16
seed --db "$DB" --style todas --format png --zoom 10-13 --bbox "$PBOX" --out "$TEST_TMP/p.mbtiles"
gdalinfo "$TEST_TMP/p.mbtiles" > "$TEST_TMP/gdalinfo.txt" 2>&1 || fail "gdalinfo: $(cat "$TEST_TMP/gdalinfo.txt")"
python3 - "$TEST_TMP/gdalinfo.txt" ${PBOX//,/ } <<'PY' || fail "gdalinfo: $(grep -E 'Size is|Upper Left|Lower Right|Overviews|ZOOM|zoom' "$TEST_TMP/gdalinfo.txt")"
import math, re, sys
# GDAL clips the raster to the `bounds` metadata at the resolution of the highest zoom (z13:
# 256-px tiles), and offers the lower zooms as overviews
t = open(sys.argv[1]).read(); w, s, e, n = map(float, sys.argv[2:6]); z = 13
R = 6378137 * math.pi
def mx(lon): return lon / 180 * R
def my(lat): return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * 6378137
ul = [float(v) for v in re.search(r"Upper Left\s*\(\s*([-\d.]+),\s*([-\d.]+)\)", t).groups()]
lr = [float(v) for v in re.search(r"Lower Right\s*\(\s*([-\d.]+),\s*([-\d.]+)\)", t).groups()]
px = 2 * R / 2**z / 256
assert all(abs(a - b) < px for a, b in zip(ul + lr, [mx(w), my(n), mx(e), my(s)])), (ul, lr)
width, height = map(int, re.search(r"Size is (\d+), (\d+)", t).groups())
assert abs(width - (mx(e) - mx(w)) / px) <= 1 and abs(height - (my(n) - my(s)) / px) <= 1, (width, height)
assert "ZOOM_LEVEL=13" in t and "minzoom=10" in t and "maxzoom=13" in t and "format=png" in t
ov = [tuple(map(int, v.split("x"))) for v in re.search(r"Overviews: (.*)", t).group(1).split(", ")]
assert len(ov) >= 2 and all(abs(o[0] - width / 2**(i + 1)) <= 1 for i, o in enumerate(ov)), ov
PY
ok
seed --db "$DB" --style todas --format png --zoom 10-12 --bbox "$PBOX" --out "$TEST_TMP/p.pmtiles"
tile_addresses ${PBOX//,/ } 10 12 > "$TEST_TMP/addr_png"
check_pmtiles "$TEST_TMP/p.pmtiles" "$BASE/styles/todas/{z}/{x}/{y}.png" "$TEST_TMP/addr_png"
# teselas-seed draws through the renderer it opens on first use (teselas-seed-draw.so): the same
# bytes, and cairo is not among the libraries the binary maps at start
"$SEED_BIN" --db "$DB" --style todas --format png --zoom 10-12 --bbox "$PBOX" --out "$TEST_TMP/p2.pmtiles" \
  --jobs 2 --quiet 2> "$TEST_TMP/seed.err" || fail "teselas-seed --format png: $(cat "$TEST_TMP/seed.err")"
cmp -s "$TEST_TMP/p.pmtiles" "$TEST_TMP/p2.pmtiles" || fail "teselas-seed and teselas seed draw different PNG archives"
[[ "$seed_libs" != *libcairo* ]] || fail "teselas-seed links cairo"
ok
# without the module beside it, teselas-seed still seeds vector tiles, and refuses a PNG seed
# naming the module, leaving no file
mkdir -p "$TEST_TMP/alone"
cp "$SEED_BIN" "$TEST_TMP/alone/"
"$TEST_TMP/alone/teselas-seed" --db "$DB" --layers parques --zoom 10-11 --out "$TEST_TMP/alone/v.pmtiles" \
  --quiet 2> "$TEST_TMP/seed.err" || fail "teselas-seed without its renderer, vector: $(cat "$TEST_TMP/seed.err")"
if "$TEST_TMP/alone/teselas-seed" --db "$DB" --style todas --format png --zoom 10-10 --bbox "$PBOX" \
     --out "$TEST_TMP/alone/p.pmtiles" --quiet 2> "$TEST_TMP/seed.err"; then
  fail "a PNG seed without teselas-seed-draw.so succeeded"
fi
grep -q "cannot load the PNG renderer (teselas-seed-draw.so" "$TEST_TMP/seed.err" || fail "PNG seed without its renderer: $(cat "$TEST_TMP/seed.err")"
[ -z "$(ls "$TEST_TMP/alone" | grep '^p\.pmtiles')" ] || fail "a refused PNG seed left $(ls "$TEST_TMP/alone")"
ok

# --- killed seeds and bad requests ---
# underway OUT PID: waits until the seed writes its partial file (tiles are being made then) and
# stops it there (SIGSTOP): a seed of these zooms takes about a second, and a fast machine could
# finish it before the signal
underway() {
  for _ in $(seq 1 1000); do
    ls "$1".partial-* >/dev/null 2>&1 && { kill -STOP "$2"; return; }
    sleep 0.02
  done
  fail "no partial file for $1"
}
OUT="$TEST_TMP/killed.pmtiles"
"$TESELAS" seed --db "$DB" --layers incidentes,colonias --zoom 0-18 --out "$OUT" --jobs 1 --quiet &
PID=$!
underway "$OUT" $PID
kill -9 $PID; wait $PID 2>/dev/null || true
[ ! -e "$OUT" ] || fail "a seed killed with -9 left $OUT"
ok
OUT="$TEST_TMP/term.mbtiles"
"$TESELAS" seed --db "$DB" --layers incidentes,colonias --zoom 0-18 --out "$OUT" --jobs 1 --quiet &
PID=$!
underway "$OUT" $PID
kill -TERM $PID
kill -CONT $PID
rc=0; wait $PID || rc=$?
[ "$rc" = 1 ] && [ ! -e "$OUT" ] && ! ls "$OUT".partial-* >/dev/null 2>&1 ||
  fail "SIGTERM: exit $rc, left $(ls "$TEST_TMP")"
ok
# an incremental seed killed the same two ways: every incident moved 100 m, so it makes about as
# many tiles as a full seed; the earlier archive stays as it was, nothing under the final name
OLD="$TEST_TMP/before.pmtiles"
"$TESELAS" seed --db "$DB" --layers incidentes,colonias --zoom 0-18 --out "$OLD" --jobs 1 --quiet ||
  fail "seed of the earlier archive"
OLD_SUM=$(sha256sum < "$OLD")
mkdir -p "$TEST_TMP/src-moved"
cp "$(dirname "$DB")"/leon-sources/* "$TEST_TMP/src-moved/"
python3 - "$(dirname "$DB")/leon-sources/incidentes.csv" "$TEST_TMP/src-moved/incidentes.csv" <<'PY' || fail "moving the incidents"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert rows, "no incidents"
for r in rows:
    r["longitud"] = repr(float(r["longitud"]) + 0.001)
w = csv.DictWriter(open(sys.argv[2], "w", newline="", encoding="utf-8"), fieldnames=list(rows[0]))
w.writeheader(); w.writerows(rows)
PY
"$TESELAS" publish "$(dirname "$0")/../../layers/leon" --db "$DB" --sources "$TEST_TMP/src-moved" --quiet \
  > "$TEST_TMP/pub.log" 2>&1 || fail "publish the moved incidents: $(tail -5 "$TEST_TMP/pub.log")"
for sig in KILL TERM; do
  OUT="$TEST_TMP/after-$sig.pmtiles"
  "$TESELAS" seed --db "$DB" --since "$OLD" --out "$OUT" --changes "$TEST_TMP/urls-$sig.txt" --jobs 1 --quiet &
  PID=$!
  underway "$OUT" $PID
  kill -$sig $PID
  kill -CONT $PID 2>/dev/null || true
  rc=0; wait $PID 2>/dev/null || rc=$?
  [ ! -e "$OUT" ] && ! ls "$OUT".partial-* >/dev/null 2>&1 || [ $sig = KILL ] ||
    fail "incremental seed, SIG$sig: exit $rc, left $(ls "$TEST_TMP")"
  [ ! -e "$OUT" ] || fail "an incremental seed killed with SIG$sig left $OUT"
  [ $sig = KILL ] || [ "$rc" = 1 ] || fail "incremental seed, SIGTERM: exit $rc"
  [ "$(sha256sum < "$OLD")" = "$OLD_SUM" ] || fail "SIG$sig: the earlier archive changed"
  ok
done
bad() { # bad EXIT MESSAGE-PATTERN ARGS...
  local want=$1 pat=$2; shift 2
  local rc=0
  "$TESELAS" seed --db "$DB" "$@" 2> "$TEST_TMP/bad.err" || rc=$?
  [ "$rc" = "$want" ] && grep -q "$pat" "$TEST_TMP/bad.err" || fail "seed $*: exit $rc, $(cat "$TEST_TMP/bad.err")"
  ok
}
bad 1 "no layer 'nada'" --layers parques,nada --zoom 0-3 --out "$TEST_TMP/x.pmtiles"
bad 2 "zoom" --layers parques --zoom 5-2 --out "$TEST_TMP/x.pmtiles"
bad 1 "outside the layers" --layers parques --zoom 0-3 --bbox 10,10,11,11 --out "$TEST_TMP/x.pmtiles"
bad 1 "cannot write in" --layers parques --zoom 0-3 --out "$TEST_TMP/no/such/dir/x.pmtiles"
bad 1 "must end in" --layers parques --zoom 0-3 --out "$TEST_TMP/x.zip"
bad 1 "no style" --style nada --format png --zoom 0-3 --out "$TEST_TMP/x.pmtiles"
[ ! -e "$TEST_TMP/x.pmtiles" ] || fail "a refused seed left a file"
ok
stop_server

# --- a database made only from third-party files ---
TP="$TEST_TMP/thirdparty.db"
"$TESELAS" import "$TESELAS_TEST_DATA/naturalearth/naturalearth_lowres.shp" --db "$TP" \
  --layer paises --quiet > "$TEST_TMP/imp.log" 2>&1 || fail "import countries: $(tail -5 "$TEST_TMP/imp.log")"
"$TESELAS" import "$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2000.csv" --db "$TP" --layer delitos \
  --lat lat --lon long --privacy none --quiet > "$TEST_TMP/imp.log" 2>&1 ||
  fail "import crimes: $(tail -5 "$TEST_TMP/imp.log")"
start_server "$TP" --quiet
seed --db "$TP" --layers paises --zoom 0-4 --out "$TEST_TMP/paises.pmtiles"
tile_addresses $(bounds paises) 0 4 > "$TEST_TMP/addr_tp"
check_pmtiles "$TEST_TMP/paises.pmtiles" "$BASE/tiles/paises/{z}/{x}/{y}.pbf" "$TEST_TMP/addr_tp"
seed --db "$TP" --layers delitos,paises --zoom 0-14 --bbox -99.30,19.25,-99.00,19.55 --out "$TEST_TMP/cdmx.pmtiles"
tile_addresses -99.30 19.25 -99.00 19.55 0 14 > "$TEST_TMP/addr_cdmx"
check_pmtiles "$TEST_TMP/cdmx.pmtiles" "$BASE/tiles/delitos,paises/{z}/{x}/{y}.pbf" "$TEST_TMP/addr_cdmx"
seed --db "$TP" --layers delitos --zoom 0-12 --out "$TEST_TMP/cdmx.mbtiles"
ogrinfo -ro -so -oo ZOOM_LEVEL=12 "$TEST_TMP/cdmx.mbtiles" delitos | grep -q "Feature Count: [1-9]" ||
  fail "GDAL reads no crimes from the third-party MBTiles"
ok
stop_server

echo "ok: $N_CHECKS checks"
