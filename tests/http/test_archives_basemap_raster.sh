#!/usr/bin/env bash
# A PNG archive as a basemap: a style's raster source naming a PNG archive of serve --archive
# (mbtiles://{NAME}, pmtiles://NAME) is drawn by the server's PNG renderer under the style's later
# layers, on a database and archives made only from third-party files (Natural Earth's countries,
# INEGI's León localidades):
# - 256-px tiles of a style drawing only the raster layer equal the archive's own PNGs, read from
#   the MBTiles file by Python's sqlite3 and decoded by tests/golden/render/imgcompare.py (at most
#   1/255 off: cairo keeps premultiplied colour), PMTiles and MBTiles alike;
# - @2x tiles and tiles above the archive's maxzoom (overzoom) equal the archive's PNG scaled up
#   (the matching quarter or sixteenth of the tile), within a bounded difference;
# - a style of the raster basemap and a layer of the database: the localidades' circles drawn over
#   the basemap (colour at a known position), the basemap elsewhere;
# - a tile of the archive that is not a PNG, or a PNG that says it is 100000 px wide, is left out
#   (logged), the image still answered; style.json points the raster source at the archive's
#   TileJSON with 256-px tiles;
# - `teselas seed --format png --archive NAME=FILE` of a style with that basemap: every tile equal
#   to the server's (npm pmtiles reader); a missing archive is an error naming the file.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/archive_lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
# Debian's python3 (python3-numpy from install-deps.sh); a python3 earlier on PATH may lack numpy
python3() { /usr/bin/python3 "$@"; }
python3 -c "import numpy" 2>/dev/null || skip "python3-numpy is not installed"
[ -f "$(dirname "$0")/../browser/node_modules/pmtiles/package.json" ] ||
  fail "npm packages missing: run (cd tests/browser && npm ci)"
get() { rm -f "$TEST_TMP/body"; http_get "$@"; }

third_party_archive
mkdir -p "$TEST_TMP/styles"
cat >"$TEST_TMP/styles/pintado.json" <<'JSON'
{"version": 8, "name": "Países pintados",
 "sources": {"datos": {"type": "vector", "url": "teselas://paises"}},
 "layers": [{"id": "fondo", "type": "background", "paint": {"background-color": "#cfe3f0"}},
            {"id": "paises", "type": "fill", "source": "datos", "source-layer": "paises",
             "paint": {"fill-color": "#d9c9a3"}},
            {"id": "bordes", "type": "line", "source": "datos", "source-layer": "paises",
             "paint": {"line-color": "#555555", "line-width": 1}}]}
JSON
for f in pmtiles mbtiles; do
  "$TESELAS" seed --db "$TP_DB" --styles "$TEST_TMP/styles" --style pintado --format png \
    --zoom 0-4 --out "$TEST_TMP/base.$f" --quiet >"$TEST_TMP/seed.log" 2>&1 ||
    fail "seed --format png: $(tail -3 "$TEST_TMP/seed.log")"
done
cat >"$TEST_TMP/styles/solo.json" <<'JSON'
{"version": 8, "name": "Solo el mapa base",
 "sources": {"base": {"type": "raster", "url": "mbtiles://{basemb}"}},
 "layers": [{"id": "base", "type": "raster", "source": "base"}]}
JSON
sed -e 's|"mbtiles://{basemb}"|"pmtiles://basepm"|' "$TEST_TMP/styles/solo.json" \
  >"$TEST_TMP/styles/solopm.json"
cat >"$TEST_TMP/styles/encima.json" <<'JSON'
{"version": 8, "name": "Localidades sobre el mapa base",
 "sources": {"base": {"type": "raster", "url": "mbtiles://{basemb}"},
             "datos": {"type": "vector", "url": "teselas://localidades"}},
 "layers": [{"id": "base", "type": "raster", "source": "base"},
            {"id": "localidades", "type": "circle", "source": "datos", "source-layer": "localidades",
             "paint": {"circle-color": "#cc0000", "circle-radius": 5}}]}
JSON
# a copy with one tile that is not a PNG and one whose header claims 100000 px
cp "$TEST_TMP/base.mbtiles" "$TEST_TMP/bad.mbtiles"
python3 - "$TEST_TMP/bad.mbtiles" <<'PY'
import sqlite3, struct, sys, zlib
db = sqlite3.connect(sys.argv[1])
ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 6, 0, 0, 0)
big = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
def put(z, x, y, data):  # TMS rows; the tiles view may sit on map/images tables
    row = (1 << z) - 1 - y
    kind = db.execute("SELECT type FROM sqlite_master WHERE name='tiles'").fetchone()[0]
    if kind == "table":
        db.execute("UPDATE tiles SET tile_data=? WHERE zoom_level=? AND tile_column=? AND tile_row=?", (data, z, x, row))
    else:
        tid = f"bad-{z}-{x}-{y}"
        db.execute("INSERT INTO images(tile_id, tile_data) VALUES (?, ?)", (tid, data))
        db.execute("UPDATE map SET tile_id=? WHERE zoom_level=? AND tile_column=? AND tile_row=?", (tid, z, x, row))
put(2, 1, 1, b"not a png at all")
put(2, 2, 1, big)
db.commit()
PY
sed -e 's|{basemb}|{malo}|' "$TEST_TMP/styles/solo.json" >"$TEST_TMP/styles/malo.json"
start_server "$TP_DB" --styles "$TEST_TMP/styles" --archive basemb="$TEST_TMP/base.mbtiles" \
  --archive basepm="$TEST_TMP/base.pmtiles" --archive malo="$TEST_TMP/bad.mbtiles" --quiet

png() { # png NAME PATH: the image at PATH saved as NAME.png
  local s
  s=$(curl -s -o "$TEST_TMP/$1.png" -w '%{http_code}' "$BASE$2")
  [ "$s" = 200 ] || fail "$2 answered $s: $(head -c 300 "$TEST_TMP/$1.png")"
}
: >"$TEST_TMP/cases.txt"
for a in 0/0/0 1/0/1 2/1/1 3/2/3 4/3/6 4/5/8; do
  for s in solo solopm; do
    png "${s}_${a//\//_}" "/styles/$s/$a.png"; echo "same ${s}_${a//\//_} $a" >>"$TEST_TMP/cases.txt"
  done
done
for a in 3/2/3 4/5/8; do  # @2x: the archive's 256-px tile drawn on 512 px
  png "x2_${a//\//_}" "/styles/solo/$a@2x.png"; echo "scaled x2_${a//\//_} $a 1 0 0" >>"$TEST_TMP/cases.txt"
done
# overzoom: z6 tiles from the z4 tile that holds them (a quarter of it, each way)
for a in 6/14/28 6/13/27; do
  IFS=/ read -r z x y <<<"$a"
  png "oz_${z}_${x}_${y}" "/styles/solo/$a.png"
  echo "scaled oz_${z}_${x}_${y} 4/$((x / 4))/$((y / 4)) 4 $((x % 4)) $((y % 4))" >>"$TEST_TMP/cases.txt"
done
png mal_2_1_1 /styles/malo/2/1/1.png
png mal_2_2_1 /styles/malo/2/2/1.png
png mal_2_1_2 /styles/malo/2/1/2.png

python3 - "$TEST_TMP" "$HERE/../golden/render" <<'PY' || fail "raster basemap pixels differ from the archive's PNGs"
import sqlite3, sys, tempfile
sys.path.insert(0, sys.argv[2])
import numpy as np
import imgcompare as ic
tmp = sys.argv[1]
db = sqlite3.connect(f"{tmp}/base.mbtiles")
def archive_png(z, x, y):
    row = db.execute("SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                     (z, x, (1 << z) - 1 - y)).fetchone()
    assert row, ("no tile in the archive", z, x, y)
    path = f"{tmp}/arch_{z}_{x}_{y}.png"
    open(path, "wb").write(row[0])
    return ic.read_png(path).astype(float)
load = lambda n: ic.read_png(f"{tmp}/{n}.png").astype(float)
worst = 0
for line in open(f"{tmp}/cases.txt"):
    kind, name, addr, *rest = line.split()
    z, x, y = map(int, addr.split("/"))
    want, got = archive_png(z, x, y), load(name)
    if kind == "same":
        assert got.shape == want.shape, (name, got.shape, want.shape)
        d = np.abs(got - want).max()
        assert d <= 1, (name, "differs from the archive's PNG by", d)
        continue
    f, qx, qy = map(int, rest)       # f: quarters each way (4 for two zooms), then which one
    n = 256 // f
    part = want[qy * n:(qy + 1) * n, qx * n:(qx + 1) * n]
    k = got.shape[0] // n
    up = np.repeat(np.repeat(part, k, axis=0), k, axis=1)
    assert up.shape == got.shape, (name, up.shape, got.shape)
    # bilinear against nearest: they differ only next to edges of colour
    diff = np.abs(ic.on_white(got.astype(np.uint8)) - ic.on_white(up.astype(np.uint8))).max(axis=2)
    frac = (diff > 48).mean()
    worst = max(worst, frac)
    assert frac < 0.03, (name, f"{frac * 100:.2f}% of pixels differ")
    assert np.abs(got.mean(axis=(0, 1)) - up.mean(axis=(0, 1))).max() < 3, (name, "mean colour")
# the broken tiles are left out (transparent), their neighbour drawn
assert load("mal_2_1_1")[..., 3].max() == 0, "a tile that is not a PNG was drawn"
assert load("mal_2_2_1")[..., 3].max() == 0, "a PNG of 100000 px was drawn"
assert load("mal_2_1_2")[..., 3].min() == 255, "the neighbour of a broken tile is missing"
print(f"scaled tiles: worst {worst * 100:.2f}% of pixels off", file=sys.stderr)
PY
ok
grep -q "basemap malo: tile 2/1/1 left out: not a PNG" "$SERVER_LOG" ||
  fail "the broken tile is not logged: $(grep -i basemap "$SERVER_LOG" | head -3)"
grep -q "basemap malo: tile 2/2/1 left out: a PNG of more than 1024x1024 px" "$SERVER_LOG" ||
  fail "the oversized PNG is not logged"
ok

# --- the basemap under a layer of the database: León's circles over it; the basemap elsewhere ---
png enc_leon "/styles/encima/static/-101.6831997,21.1219719,9/101x101.png"
png enc_mar "/styles/encima/static/-92.0,25.0,4/101x101.png"
python3 - "$TEST_TMP" "$HERE/../golden/render" <<'PY' || fail "colours of the style over the basemap"
import sys
sys.path.insert(0, sys.argv[2])
import numpy as np
import imgcompare as ic
tmp = sys.argv[1]
def centre(n):
    img = ic.on_white(ic.read_png(f"{tmp}/{n}.png"))
    return img[img.shape[0] // 2, img.shape[1] // 2]
for n, color in (("enc_leon", "#cc0000"), ("enc_mar", "#cfe3f0")):
    want = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], float)
    got = centre(n)
    assert np.abs(got - want).max() <= 8, (n, color, got)
PY
ok

# --- teselas seed --format png with the basemap (--archive, as serve takes it): the archive's
# tiles equal the server's at every address, read by the npm pmtiles reader ---
"$TESELAS" seed --db "$TP_DB" --styles "$TEST_TMP/styles" --style encima --format png \
  --archive basemb="$TEST_TMP/base.mbtiles" --zoom 3-7 --bbox -102.5,20.5,-101,21.8 \
  --out "$TEST_TMP/encima.pmtiles" --quiet >"$TEST_TMP/seed.log" 2>&1 ||
  fail "seed --archive: $(tail -3 "$TEST_TMP/seed.log")"
tile_addresses -102.5 20.5 -101 21.8 3 7 >"$TEST_TMP/addr"
node "$HERE/../tiles/check_archive.mjs" "$TEST_TMP/encima.pmtiles" "$BASE/styles/encima/{z}/{x}/{y}.png" \
  "$TEST_TMP/addr" >"$TEST_TMP/check.json" || fail "check_archive.mjs"
python3 - "$TEST_TMP/check.json" <<'PY' || fail "the PNG seed with a basemap differs from the server: $(head -c 600 "$TEST_TMP/check.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mismatches"] == [], d["mismatches"][:5]
assert d["n_archive"] == d["n_server"] > 0, (d["n_archive"], d["n_server"])
PY
"$TESELAS" seed --db "$TP_DB" --styles "$TEST_TMP/styles" --style encima --format png \
  --archive basemb="$TEST_TMP/nohay.mbtiles" --zoom 3-4 --bbox -102.5,20.5,-101,21.8 \
  --out "$TEST_TMP/x.pmtiles" --quiet 2>"$TEST_TMP/err" && fail "seed with a missing archive succeeded"
grep -q "nohay.mbtiles" "$TEST_TMP/err" || fail "the error does not name the file: $(cat "$TEST_TMP/err")"
[ ! -e "$TEST_TMP/x.pmtiles" ] || fail "a failed seed left its file"
"$TESELAS" seed --db "$TP_DB" --layers paises --archive basemb="$TEST_TMP/base.mbtiles" --zoom 0-1 \
  --out "$TEST_TMP/x.pmtiles" 2>"$TEST_TMP/err" && fail "seed --archive of vector tiles succeeded"
grep -q -- "--archive" "$TEST_TMP/err" || fail "the error does not say --archive: $(cat "$TEST_TMP/err")"
ok

get /styles/solo/style.json
expect_json "d['sources']['base']['url'].endswith('/tiles/basemb.json') and d['sources']['base']['tileSize'] == 256"
done_checks
