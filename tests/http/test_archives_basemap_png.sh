#!/usr/bin/env bash
# The basemap in server PNGs: a style whose source is a vector archive of serve --archive
# (pmtiles://NAME, mbtiles://{NAME}) is drawn by the PNG renderer from the archive's tiles,
# decoded, on a database and archives made only from third-party files (Natural Earth's
# countries, INEGI's León localidades):
# - a style drawing the countries from the archive (fill, a filter on a property, outlines)
#   against the same style drawing them from the database: the same image within a bounded
#   pixel difference, in tiles of z1-z4, @2x, static images, and above the archive's maxzoom
#   (overzoom: z5 tiles scaled), both for PMTiles and MBTiles;
# - colours sampled at the centre of static images placed on known positions (Brasília in a
#   filtered fill, Mexico, the Atlantic, León's localidad drawn from the database over the
#   basemap, the Gulf of Mexico at z10 from z5 tiles);
# - no seams: a polygon cut at tile edges is not outlined along the cuts;
# - a style mixing the basemap and a city layer, against the same style drawn from the database;
# - ETags that change with the basemap file, 304s, and a source naming no archive (drawn without it).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/archive_lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
# Debian's python3 (python3-numpy from install-deps.sh); a python3 earlier on PATH may lack numpy
python3() { /usr/bin/python3 "$@"; }
python3 -c "import numpy" 2>/dev/null || skip "python3-numpy is not installed"
get() { rm -f "$TEST_TMP/body"; http_get "$@"; }

third_party_archive
MB="$TEST_TMP/mundo.mbtiles"
"$TESELAS" seed --db "$TP_DB" --layers paises,localidades --zoom 0-5 --out "$MB" --quiet \
  >"$TEST_TMP/seed.log" 2>&1 || fail "seed of the MBTiles: $(tail -3 "$TEST_TMP/seed.log")"

mkdir -p "$TEST_TMP/styles"
cat >"$TEST_TMP/styles/directo.json" <<'JSON'
{"version": 8, "name": "Países (base de datos)",
 "sources": {"datos": {"type": "vector", "url": "teselas://paises"}},
 "layers": [{"id": "fondo", "type": "background", "paint": {"background-color": "#cfe3f0"}},
            {"id": "paises", "type": "fill", "source": "datos", "source-layer": "paises",
             "paint": {"fill-color": "#d9c9a3"}},
            {"id": "sur", "type": "fill", "source": "datos", "source-layer": "paises",
             "filter": ["==", ["get", "continent"], "South America"],
             "paint": {"fill-color": "#2a9d8f"}},
            {"id": "bordes", "type": "line", "source": "datos", "source-layer": "paises",
             "paint": {"line-color": "#555555", "line-width": 1}}]}
JSON
# the same style with the countries from the archives
sed -e 's|"teselas://paises"|"pmtiles://mundo"|' -e 's|"datos"|"base"|g' \
  "$TEST_TMP/styles/directo.json" >"$TEST_TMP/styles/archivo.json"
sed -e 's|"teselas://paises"|"mbtiles://{mundomb}"|' -e 's|"datos"|"base"|g' \
  "$TEST_TMP/styles/directo.json" >"$TEST_TMP/styles/archivomb.json"
cat >"$TEST_TMP/styles/mixto.json" <<'JSON'
{"version": 8, "name": "Localidades sobre el mapa base",
 "sources": {"base": {"type": "vector", "url": "mbtiles://{mundomb}"},
             "datos": {"type": "vector", "url": "teselas://localidades"},
             "falta": {"type": "vector", "url": "mbtiles://nohay"}},
 "layers": [{"id": "fondo", "type": "background", "paint": {"background-color": "#cfe3f0"}},
            {"id": "base-paises", "type": "fill", "source": "base", "source-layer": "paises",
             "paint": {"fill-color": "#d9c9a3"}},
            {"id": "falta-x", "type": "fill", "source": "falta", "source-layer": "x",
             "paint": {"fill-color": "#000000"}},
            {"id": "localidades", "type": "circle", "source": "datos", "source-layer": "localidades",
             "paint": {"circle-color": "#cc0000", "circle-radius": 4}}]}
JSON
sed -e 's|"mbtiles://{mundomb}"|"teselas://paises"|' "$TEST_TMP/styles/mixto.json" \
  >"$TEST_TMP/styles/mixtodirecto.json"
start_server "$TP_DB" --styles "$TEST_TMP/styles" --archive mundo="$TP_ARCHIVE" \
  --archive mundomb="$MB" --quiet

get /styles
expect_json "{'archivo', 'archivomb', 'mixto'} <= {s['id'] for s in d}"

png() { # png NAME PATH: the image at PATH saved as NAME.png
  local s
  s=$(curl -s -o "$TEST_TMP/$1.png" -w '%{http_code}' "$BASE$2")
  [ "$s" = 200 ] || fail "$2 answered $s: $(head -c 300 "$TEST_TMP/$1.png")"
}

# --- the archive's countries against the database's, same paint ---
ADDRS="1/0/0 1/0/1 1/1/0 1/1/1 2/0/1 2/1/2 3/1/3 4/3/7 4/5/8 4/3/6@2x 6/14/28 8/56/113 8/57/113@2x 10/225/450"
: >"$TEST_TMP/pairs.txt"
for a in $ADDRS; do
  n=${a//\//_}; n=${n//@/_}
  png "d_$n" "/styles/directo/$a.png"
  png "p_$n" "/styles/archivo/$a.png"
  png "m_$n" "/styles/archivomb/$a.png"
  echo "d_$n p_$n" >>"$TEST_TMP/pairs.txt"
  echo "d_$n m_$n" >>"$TEST_TMP/pairs.txt"
done
for v in "-60,0,2.5/800x600@2x" "-101.68,21.12,6/600x400" "-101.68,21.12,9.5/300x300"; do
  n=$(echo "$v" | tr ',/@.' '____')
  png "ds_$n" "/styles/directo/static/$v.png"
  png "ps_$n" "/styles/archivo/static/$v.png"
  echo "ds_$n ps_$n" >>"$TEST_TMP/pairs.txt"
done
# the mixed style (basemap + a layer of the database) against the same drawn from the database
for a in 6/14/28 8/56/113 9/112/227@2x; do
  n=${a//\//_}; n=${n//@/_}
  png "x_$n" "/styles/mixto/$a.png"
  png "xd_$n" "/styles/mixtodirecto/$a.png"
  echo "xd_$n x_$n" >>"$TEST_TMP/pairs.txt"
done

# colours at the centre of static images on known positions: style, lon,lat,zoom, colour
cat >"$TEST_TMP/samples.txt" <<'EOF2'
archivo -47.88,-15.79,4 #2a9d8f
archivomb -47.88,-15.79,4 #2a9d8f
directo -47.88,-15.79,4 #2a9d8f
archivo -102.0,23.5,5 #d9c9a3
archivo -30.0,20.0,4 #cfe3f0
archivo -102.0,23.5,11 #d9c9a3
archivo -92.0,25.0,10 #cfe3f0
mixto -101.6831997,21.1219719,9 #cc0000
mixto -104.5,27.0,9 #d9c9a3
mixto -92.0,25.0,9 #cfe3f0
EOF2
while read -r style view color; do
  n="c_${style}_$(echo "$view" | tr ',.-' '___')"
  png "$n" "/styles/$style/static/$view/101x101.png"
  echo "$n $color" >>"$TEST_TMP/colors.txt"
done <"$TEST_TMP/samples.txt"

python3 - "$TEST_TMP" "$HERE/../golden/render" <<'PY' || fail "the basemap images differ from the database's"
import sys
sys.path.insert(0, sys.argv[2])
import numpy as np
import imgcompare as ic
tmp = sys.argv[1]
load = lambda n: ic.read_png(f"{tmp}/{n}.png")
worst = 0.0
for line in open(f"{tmp}/pairs.txt"):
    a, b = line.split()
    # outlines may move by a pixel where the archive's tiles were quantized (4096 a tile)
    ok, frac, _, msg = ic.compare(load(a), load(b), threshold=48, max_fraction=0.01, blur_r=1)
    assert ok, (a, b, msg)
    worst = max(worst, frac)
    # a strict look too: no seam lines along tile edges inside the image (a whole row or column
    # changed); the image's own border is left out (the world's edge at ±85.05° is an outline
    # in the database's polygons, a tile edge in the archive's)
    e, t = ic.on_white(load(a)), ic.on_white(load(b))
    bad = (np.abs(e - t).max(axis=2) > 64)[1:-1, 1:-1]
    assert bad.mean(axis=0).max() < 0.25 and bad.mean(axis=1).max() < 0.25, (a, b, "a seam")
for line in open(f"{tmp}/colors.txt"):
    n, color = line.split()
    want = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], float)
    img = ic.on_white(load(n))
    got = img[img.shape[0] // 2, img.shape[1] // 2]
    assert np.abs(got - want).max() <= 6, (n, color, got)
print(f"worst differing fraction {worst * 100:.3f}%")
PY
ok

# --- ETags: with the archive's file in them; 304 ---
get /styles/archivo/4/3/7.png
TAG=$(etag)
[ -n "$TAG" ] || fail "no ETag on a basemap tile"
expect_304 /styles/archivo/4/3/7.png "$TAG" "$(stat -c %s "$TEST_TMP/body")"
stop_server
touch -d '2001-01-01' "$TP_ARCHIVE"
start_server "$TP_DB" --styles "$TEST_TMP/styles" --archive mundo="$TP_ARCHIVE" \
  --archive mundomb="$MB" --quiet
get /styles/archivo/4/3/7.png
expect_status 200 "a basemap tile after the archive changed"
[ "$(etag)" != "$TAG" ] || fail "the ETag did not change with the basemap file"
ok

# --- without --archive the basemap is not drawn, and nothing fails ---
stop_server
start_server "$TP_DB" --styles "$TEST_TMP/styles" --quiet
get /styles/archivo/4/3/7.png
expect_status 200 "a basemap style without its archive"
get /styles/archivo/style.json
expect_json "d['sources']['base']['url'] == 'pmtiles://mundo'"
done_checks
