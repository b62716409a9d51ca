#!/usr/bin/env bash
# MBTiles archives and PNG archives served by `serve --archive`, on archives that `teselas seed`
# wrote from a database made only from third-party files (Natural Earth, INEGI):
# - a vector MBTiles answers /tiles/NAME/z/x/y.pbf at every address of its zooms with the file's
#   tile as Python's sqlite3 reads it (inflated, or gzip'd as stored for a client that accepts
#   gzip), 204 where it has none, 404 JSON outside its zooms; ETags and 304; TileJSON from its
#   metadata (vector_layers of its `json` row, zooms, bounds); GDAL's MBTiles driver reads the
#   same layers and, at z3, as many features as the served tiles hold;
# - PNG archives (MBTiles and PMTiles of `seed --format png`) answer /tiles/NAME/z/x/y.png byte
#   for byte (the npm `pmtiles` reader for the PMTiles), TileJSON says png, and .pbf is a 404;
# - /archives/NAME.mbtiles is the file; an MBTiles whose metadata is broken stops the start.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/archive_lib.sh"
get() { rm -f "$TEST_TMP/body"; http_get "$@"; }
HERE=$(dirname "$0")

third_party_archive
VMB="$TEST_TMP/vector.mbtiles" PMB="$TEST_TMP/raster.mbtiles" PPM="$TEST_TMP/raster.pmtiles"
"$TESELAS" seed --db "$TP_DB" --layers paises,localidades --zoom 0-5 --out "$VMB" --quiet \
  >"$TEST_TMP/seed.log" 2>&1 || fail "seed of the MBTiles: $(tail -3 "$TEST_TMP/seed.log")"
for f in "$PMB" "$PPM"; do
  "$TESELAS" seed --db "$TP_DB" --style paises --format png --zoom 0-3 --out "$f" --quiet \
    >"$TEST_TMP/seed.log" 2>&1 || fail "seed of $f: $(tail -3 "$TEST_TMP/seed.log")"
done
start_server "$TP_DB" --archive vmb="$VMB" --archive pmb="$PMB" --archive ppm="$PPM" --quiet

# --- the vector MBTiles, at every address, against Python's sqlite3 ---
python3 "$HERE/mbtiles_served_check.py" "$VMB" "$BASE" vmb pbf >"$TEST_TMP/body" \
  || fail "the check of the vector MBTiles did not run"
expect_json "d['addresses'] == 1365 and d['tiles'] > 100 and d['mismatches'] == []"
expect_json "d['gzip_passed'] == d['tiles']"
expect_json "d['outside'] == {'status': 404, 'json': True}"
expect_json "d['etags'] > 50"

get /tiles/vmb/3/4/3.pbf
expect_status 200 "a vector tile of the MBTiles"
expect_header Content-Type application/vnd.mapbox-vector-tile
TAG=$(etag)
[[ "$TAG" == \"mb-*\" ]] || fail "no strong ETag: '$TAG'"
expect_304 /tiles/vmb/3/4/3.pbf "$TAG" "$(stat -c %s "$TEST_TMP/body")"
get "/tiles/vmb/3/4/3.pbf?tipo=x"
expect_status 400 "a filter on an archive"
get /tiles/vmb/3/9/3.pbf
expect_status 400 "x outside the zoom"
get /tiles/vmb/3/4/3.png
expect_status 404 "a vector archive's tile as PNG"

# --- TileJSON from the metadata, against the file ---
get /tiles/vmb.json
expect_status 200 "TileJSON of the MBTiles"
python3 - "$VMB" "$TEST_TMP/body" <<'PY' || fail "TileJSON does not say what the file's metadata says"
import json, sqlite3, sys
m = dict(sqlite3.connect(sys.argv[1]).execute("SELECT name, value FROM metadata"))
d = json.load(open(sys.argv[2]))
assert d["tilejson"] == "3.0.0" and d["format"] == "pbf", d
assert d["tiles"][0].endswith("/tiles/vmb/{z}/{x}/{y}.pbf"), d["tiles"]
assert (d["minzoom"], d["maxzoom"]) == (int(m["minzoom"]), int(m["maxzoom"])), d
assert all(abs(a - float(b)) < 1e-6 for a, b in zip(d["bounds"], m["bounds"].split(","))), d
assert d["vector_layers"] == json.loads(m["json"])["vector_layers"], d["vector_layers"]
assert {v["id"] for v in d["vector_layers"]} == {"paises", "localidades", "paises:labels"}
PY
ok

# --- each archive is a style: listed, its style.json, its map page ---
get /styles
expect_json "[s['id'] for s in d if s.get('archive')] == ['vmb', 'pmb', 'ppm']"
expect_json "[s for s in d if s['id'] == 'pmb'][0]['tiles'].endswith('/tiles/pmb/{z}/{x}/{y}.png')"
get /styles/vmb/style.json
expect_status 200 "the style of a vector archive"
expect_json "d['version'] == 8 and d['sources']['vmb']['url'].endswith('/tiles/vmb.json') and d['sources']['vmb']['type'] == 'vector'"
expect_json "sorted({l['source-layer'] for l in d['layers']}) == ['localidades', 'paises'] and len(d['layers']) == 6"
get /styles/pmb/style.json
expect_json "d['sources']['pmb']['type'] == 'raster' and [l['type'] for l in d['layers']] == ['raster']"
get /maps/vmb
expect_status 200 "the map page of an archive"
get /styles/vmb/1/0/0.png
expect_status 404 "server PNG of an archive's style"

# --- a basemap: a named style whose source is mbtiles://{NAME}, under a layer of the database ---
mkdir -p "$TEST_TMP/styles"
cat >"$TEST_TMP/styles/basemap.json" <<'JSON'
{"version": 8, "name": "Localidades sobre el mapa base",
 "sources": {"base": {"type": "vector", "url": "mbtiles://{vmb}"},
             "datos": {"type": "vector", "url": "teselas://localidades"},
             "falta": {"type": "vector", "url": "mbtiles://nohay"}},
 "layers": [{"id": "fondo", "type": "background", "paint": {"background-color": "#e8eef4"}},
            {"id": "base-paises", "type": "fill", "source": "base", "source-layer": "paises",
             "paint": {"fill-color": "#d9c9a3"}},
            {"id": "falta-x", "type": "fill", "source": "falta", "source-layer": "x",
             "paint": {"fill-color": "#000000"}},
            {"id": "localidades", "type": "circle", "source": "datos", "source-layer": "localidades",
             "paint": {"circle-color": "#cc0000", "circle-radius": 4}}]}
JSON
stop_server
start_server "$TP_DB" --styles "$TEST_TMP/styles" --archive vmb="$VMB" --archive pmb="$PMB" \
  --archive ppm="$PPM" --quiet
get /styles/basemap/style.json
expect_status 200 "a style with a basemap"
expect_json "d['sources']['base']['url'] == '$BASE/tiles/vmb.json' and 'falta' not in d['sources']"
expect_json "[l['id'] for l in d['layers']] == ['fondo', 'base-paises', 'localidades']"
expect_json "d['sources']['datos']['url'].startswith('$BASE/tiles/localidades.json')"

# --- GDAL's MBTiles driver: the same layers, and at z3 the features the served tiles hold ---
if command -v ogrinfo >/dev/null; then
  ogrinfo -ro -so -al -oo ZOOM_LEVEL=3 "$VMB" >"$TEST_TMP/gdal.txt" 2>&1 \
    || fail "ogrinfo: $(tail -3 "$TEST_TMP/gdal.txt")"
  for x in 0 1 2 3 4 5 6 7; do
    mkdir -p "$TEST_TMP/z3/3/$x"
    for y in 0 1 2 3 4 5 6 7; do
      s=$(curl -s -o "$TEST_TMP/z3/3/$x/$y.pbf" -w '%{http_code}' "$BASE/tiles/vmb/3/$x/$y.pbf")
      [ "$s" = 200 ] || rm -f "$TEST_TMP/z3/3/$x/$y.pbf"
    done
  done
  python3 - "$TEST_TMP/gdal.txt" "$TEST_TMP/z3" <<'PY' || fail "GDAL reads other features in the file than in the served tiles"
import glob, re, subprocess, sys
def counts(text):
    c = {}
    for layer, n in re.findall(r"Layer name: (\S+).*?Feature Count: (\d+)", text, re.S):
        c[layer] = c.get(layer, 0) + int(n)
    return c
whole = counts(open(sys.argv[1]).read())
served = {}
for f in glob.glob(sys.argv[2] + "/3/*/*.pbf"):
    out = subprocess.run(["ogrinfo", "-ro", "-so", "-al", f], capture_output=True, text=True).stdout
    for k, v in counts(out).items():
        served[k] = served.get(k, 0) + v
whole = {k: v for k, v in whole.items() if v}
# the localidades start at a higher zoom; the countries' label points are in the file too
assert set(whole) == {"paises", "paises:labels"}, whole
assert whole == served, (whole, served)
PY
  ok
else
  echo "note: ogrinfo is not installed: GDAL's view of the MBTiles not checked"
fi

# --- PNG archives: MBTiles against Python, PMTiles against the npm reader ---
python3 "$HERE/mbtiles_served_check.py" "$PMB" "$BASE" pmb png >"$TEST_TMP/body" \
  || fail "the check of the PNG MBTiles did not run"
expect_json "d['addresses'] == 85 and d['tiles'] > 20 and d['mismatches'] == []"
expect_json "d['outside'] == {'status': 404, 'json': True}"
get /tiles/pmb/2/1/1.png
expect_status 200 "a PNG tile of the MBTiles"
expect_header Content-Type image/png
[ "$(head -c 4 "$TEST_TMP/body" | od -An -tx1 | tr -d ' \n')" = 89504e47 ] || fail "not a PNG"
ok
get /tiles/pmb/2/1/1.pbf
expect_status 404 "a PNG archive's tile as a vector tile"
for a in pmb ppm; do
  get /tiles/$a.json
  expect_status 200 "TileJSON of a PNG archive"
  expect_json "d['format'] == 'png' and d['tiles'][0].endswith('/tiles/$a/{z}/{x}/{y}.png') and 'vector_layers' not in d"
  expect_json "(d['minzoom'], d['maxzoom']) == (0, 3)"
done
if command -v node >/dev/null; then
  rc=0
  node "$HERE/../tiles/check_archive_served.mjs" "$PPM" "$BASE" ppm png >"$TEST_TMP/body" \
    2>"$TEST_TMP/node.err" || rc=$?
  if [ "$rc" = 0 ]; then
    expect_json "d['addresses'] == 85 and d['tiles'] > 20 and d['mismatches'] == []"
    expect_json "d['header']['tileType'] == 2"
  elif [ "$rc" = 77 ]; then
    echo "note: $(cat "$TEST_TMP/body")"
  else
    fail "the npm reader failed: $(tail -5 "$TEST_TMP/node.err")"
  fi
fi
if command -v gdalinfo >/dev/null; then
  gdalinfo "$PMB" >"$TEST_TMP/gdalinfo.txt" 2>&1 || fail "gdalinfo cannot open the PNG MBTiles"
  grep -q "Driver: MBTiles" "$TEST_TMP/gdalinfo.txt" || fail "gdalinfo: $(head -3 "$TEST_TMP/gdalinfo.txt")"
  ok
fi

# --- the files themselves ---
get /archives/vmb.mbtiles
expect_status 200 "the MBTiles file"
cmp -s "$TEST_TMP/body" "$VMB" || fail "/archives/vmb.mbtiles is not the file"
ok
expect_header Accept-Ranges bytes
get /archives/vmb.mbtiles -r 0-14
expect_status 206 "a range of the MBTiles"
[ "$(cat "$TEST_TMP/body")" = "SQLite format 3" ] || fail "the first bytes are not SQLite's"
ok
get /archives/vmb.pmtiles
expect_status 404 "an MBTiles asked as PMTiles"
get /archives/ppm.mbtiles
expect_status 404 "a PMTiles asked as MBTiles"
stop_server

# --- MBTiles the server refuses at start, each with the file and the fault ---
start_fails() {
  local f=$1 rc=0
  shift
  timeout 60 "$TESELAS" serve --db "$TP_DB" --port 0 --archive "x=$f" >"$TEST_TMP/out" 2>&1 || rc=$?
  [ "$rc" = 1 ] || fail "--archive x=$f: exit $rc: $(head -3 "$TEST_TMP/out")"
  for t in "archive 'x'" "$f" "$@"; do
    grep -qF -- "$t" "$TEST_TMP/out" || fail "'$t' not in: $(head -3 "$TEST_TMP/out")"
  done
  ok
}
# bad NAME SQL: a copy of the vector MBTiles changed by SQL, as $TEST_TMP/NAME.mbtiles
bad() {
  cp "$VMB" "$TEST_TMP/$1.mbtiles"
  python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' \
    "$TEST_TMP/$1.mbtiles" "$2"
}
bad noformat "DELETE FROM metadata WHERE name='format'"
start_fails "$TEST_TMP/noformat.mbtiles" "metadata 'format'"
bad jpg "UPDATE metadata SET value='jpg' WHERE name='format'"
start_fails "$TEST_TMP/jpg.mbtiles" "metadata 'format'"
bad bounds "UPDATE metadata SET value='-200,a,3' WHERE name='bounds'"
start_fails "$TEST_TMP/bounds.mbtiles" "metadata 'bounds'"
bad zooms "UPDATE metadata SET value='9' WHERE name='minzoom'"
start_fails "$TEST_TMP/zooms.mbtiles" "metadata 'minzoom'"
bad json "UPDATE metadata SET value='{\"vector_layers\": 3}' WHERE name='json'"
start_fails "$TEST_TMP/json.mbtiles" "metadata 'json'"
bad notiles "DROP VIEW tiles"
start_fails "$TEST_TMP/notiles.mbtiles" "not an MBTiles file"

# --- metadata without zooms or bounds: zooms taken from the tiles, the box the whole world ---
bad nozooms "DELETE FROM metadata WHERE name IN ('minzoom','maxzoom','bounds','center')"
start_server "$TP_DB" --archive v="$TEST_TMP/nozooms.mbtiles" --quiet
get /tiles/v.json
expect_json "(d['minzoom'], d['maxzoom']) == (0, 5) and d['bounds'][0] == -180 and d['bounds'][2] == 180"
get /tiles/v/6/0/0.pbf
expect_status 404 "past the zooms of the tiles"
stop_server
done_checks
