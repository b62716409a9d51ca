#!/usr/bin/env bash
# Styles and raster tiles over HTTP: /styles, style.json (absolute URLs, --public-url, glyphs),
# PNG tiles and @2x, static images (centre and bbox), ETag/304, cache, CORS, 400 on bad input,
# 404 on unknown styles, the automatic style of a layer, a user's --styles DIR with one invalid
# file (reported with its path and JSON pointer, the others still load), and SDF glyphs.
source "$(dirname "$0")/lib.sh"
DB=$(demo_db 5000)
mkdir -p "$TEST_TMP/styles"
cat > "$TEST_TMP/styles/mio.json" <<'JSON'
{"version": 8, "name": "Mío", "sources": {"s": {"type": "vector", "url": "teselas://parques"}},
 "layers": [{"id": "bg", "type": "background", "paint": {"background-color": "#102030"}},
            {"id": "p", "type": "fill", "source": "s", "source-layer": "parques",
             "paint": {"fill-color": "#00ff00"}}]}
JSON
cat > "$TEST_TMP/styles/roto.json" <<'JSON'
{"version": 8, "sources": {"s": {"type": "vector", "url": "teselas://parques"}},
 "layers": [{"id": "p", "type": "fill", "source": "s", "source-layer": "parques",
             "paint": {"fill-color": "verdecito"}}]}
JSON
echo '{"version": 8, "layers": [' > "$TEST_TMP/styles/truncado.json"
start_server "$DB" --styles "$TEST_TMP/styles" --public-url "https://mapas.example.mx/teselas/"
grep -q "roto.json.*/layers/0/paint/fill-color" "$SERVER_LOG" || fail "invalid style not reported with its pointer"
grep -q "truncado.json.*not JSON" "$SERVER_LOG" || fail "truncated style not reported"
ok

# --- the list and the documents ---
http_get /styles
expect_status 200 /styles
expect_json '[s["id"] for s in d][:1] == ["leon"] or "leon" in [s["id"] for s in d]'
expect_json '"mio" in [s["id"] for s in d] and "roto" not in [s["id"] for s in d]'
expect_json 'any(s["id"] == "incidentes" and s["automatic"] for s in d)'
http_get /styles/leon/style.json
expect_status 200 style.json
expect_json 'd["version"] == 8 and d["sources"]["leon"]["url"].startswith("https://mapas.example.mx/teselas/tiles/")'
expect_json 'd["glyphs"] == "https://mapas.example.mx/teselas/fonts/{fontstack}/{range}.pbf"'
expect_json 'all(l["type"] in ("background","fill","line","circle","symbol") for l in d["layers"])'
http_get /styles/parques/style.json
expect_status 200 "automatic style"
expect_json 'd["sources"]["parques"]["url"].endswith("/tiles/parques.json")'
http_get /styles/nada/style.json
expect_status 404 "unknown style"
expect_json 'd["code"] == "not_found"'

# --- raster tiles: PNG, sizes, ETag, 304, CORS ---
png_size() { python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(); assert d[:8]==b'\x89PNG\r\n\x1a\n', 'not a PNG'; print('%dx%d' % struct.unpack('>II', d[16:24]))" "$TEST_TMP/body"; }
http_get /styles/leon/14/3564/7208.png
expect_status 200 tile
expect_header Content-Type image/png
expect_header Access-Control-Allow-Origin '\*'
[ "$(png_size)" = 256x256 ] || fail "tile size $(png_size)"
[ "$(stat -c %s "$TEST_TMP/body")" -gt 1000 ] || fail "tile over the city is nearly empty"
# a 304's Content-Length is the 200's (RFC 9110 §8.6), the image cached or not (a fresh server
# below), for tiles, @2x and static images; also to HEAD (curl -I)
png_304() { # PATH: the 200, then its 304s
  http_get "$1"
  expect_status 200 "$1"
  local tag len
  tag=$(etag) len=$(stat -c %s "$TEST_TMP/body")
  expect_304 "$1" "$tag" "$len"
  expect_304 "$1" "$tag" "$len" -I
  echo "$1 $tag $len" >> "$TEST_TMP/png_304"
}
png_304 /styles/leon/14/3564/7208.png
png_304 /styles/leon/14/3564/7208@2x.png
png_304 "/styles/leon/static/-101.68,21.12,12.5/300x200.png"
png_304 "/styles/parques/13/1782/3604.png?layers=parques"
http_get /styles/leon/14/3564/7208@2x.png
expect_status 200 "@2x"
[ "$(png_size)" = 512x512 ] || fail "@2x size $(png_size)"
http_get /styles/leon/3/0/0.png
expect_status 200 "empty tile"
[ "$(stat -c %s "$TEST_TMP/body")" -lt 200 ] || fail "a single-colour tile is $(stat -c %s "$TEST_TMP/body") bytes"
http_get /styles/mio/12/891/1802.png
expect_status 200 "user style"
http_get /styles/incidentes/12/891/1802.png
expect_status 200 "automatic style tile"
stop_server || fail "server exited non-zero"
start_server "$DB" --styles "$TEST_TMP/styles" --public-url "https://mapas.example.mx/teselas/"
while read -r path tag len; do expect_304 "$path" "$tag" "$len"; done < "$TEST_TMP/png_304"

# --- static images ---
http_get "/styles/leon/static/-101.68,21.12,12.5/600x400.png"
expect_status 200 "static centre"
[ "$(png_size)" = 600x400 ] || fail "static size $(png_size)"
http_get "/styles/leon/static/-101.72,21.08,-101.64,21.16/300x200@2x.png"
expect_status 200 "static bbox"
[ "$(png_size)" = 600x400 ] || fail "static @2x size $(png_size)"
http_get "/styles/leon/static/-101.68,21.12,11/2048x2048.png"
expect_status 200 "largest static"

# --- bad input: 400 JSON, never 5xx ---
for bad in "/styles/leon/25/0/0.png" "/styles/leon/3/8/0.png" "/styles/leon/a/b/c.png" \
           "/styles/leon/3/1/1@3x.png" "/styles/leon/static/-101.68,21.12,12/2049x10.png" \
           "/styles/leon/static/-101.68,21.12,12/0x10.png" "/styles/leon/static/-101.68,21.12/10x10.png" \
           "/styles/leon/static/-200,21.12,12/10x10.png" "/styles/leon/static/1,2,1,2/10x10.png" \
           "/styles/leon/static/nan,1,2/10x10.png" "/styles/leon/static/-101.68,21.12,40/10x10.png" \
           "/fonts/Noto%20Sans%20Regular/1-256.pbf" "/fonts/Noto%20Sans%20Regular/65536-65791.pbf"; do
  http_get "$bad"
  expect_status 400 "$bad"
  expect_json 'd["code"] and d["description"]'
done
http_get /styles/nada/1/0/0.png
expect_status 404 "unknown style tile"

# --- glyphs for MapLibre ---
http_get "/fonts/Noto%20Sans%20Regular,Arial%20Unicode%20MS%20Regular/0-255.pbf"
expect_status 200 glyphs
[ "$(stat -c %s "$TEST_TMP/body")" -gt 20000 ] || fail "glyph range too small"
http_get "/fonts/Noto%20Sans%20Bold/256-511.pbf"
expect_status 200 "glyphs with accents"
grep -q "ñ\|256-511" "$TEST_TMP/body" || fail "range name missing"
ok

# --- concurrency: 40 tiles in parallel, all 200 ---
pids=()
for i in $(seq 0 39); do
  curl -s -o /dev/null -w '%{http_code}\n' "$BASE/styles/leon/13/$((1780 + i % 8))/$((3600 + i / 8)).png" \
    >> "$TEST_TMP/codes" &
  pids+=($!)
done
wait "${pids[@]}"
[ "$(grep -c '^200$' "$TEST_TMP/codes")" = 40 ] || fail "parallel tiles: $(sort "$TEST_TMP/codes" | uniq -c)"
ok
# layers= draws only the listed catalog layers: another image with its own ETag
img=/styles/leon/static/-101.68,21.12,13/300x200.png
http_get "$img"; expect_status 200 "static, every layer"
cp "$TEST_TMP/body" "$TEST_TMP/all.png"; tag_all=$(grep -i '^etag:' "$TEST_TMP/headers")
http_get "$img?layers=colonias"; expect_status 200 "static, colonias only"
tag_one=$(grep -i '^etag:' "$TEST_TMP/headers")
[ "$tag_all" != "$tag_one" ] || fail "layers= kept the ETag of the whole style"
cmp -s "$TEST_TMP/all.png" "$TEST_TMP/body" && fail "layers=colonias drew the same image as every layer"
ok
stop_server || fail "server did not stop cleanly"
done_checks
