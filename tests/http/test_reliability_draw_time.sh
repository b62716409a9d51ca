#!/usr/bin/env bash
# The request's time bound (--request-time-ms) stops the drawing of an image too, not only its
# database reads. On a database made only from a third-party file (Natural Earth countries), a
# style whose only layer of the database is inactive at the image's zoom (so the image reads
# nothing) paints two backgrounds over a 2048x2048@2x static image (4096x4096 pixels, 64 MiB):
#  - with --request-time-ms 1 the image is 503 JSON (`unavailable`, with Retry-After) saying the
#    drawing took longer than one request may take and naming the option; asked again, the same
#    (a refusal is not cached); the server answers other requests 200 meanwhile. No clock is read
#    by the test: painting 64 MiB of pixels takes more than 1 ms on any machine;
#  - with the default bound (30 s) the same image is a 4096x4096 PNG.
source "$(dirname "$0")/lib.sh"
DB="$TEST_TMP/ne.db"
"$TESELAS" import "$TESELAS_TEST_DATA/naturalearth/naturalearth_lowres.shp" --db "$DB" \
  --layer paises > "$TEST_TMP/import.log" 2>&1 || fail "import: $(tail -5 "$TEST_TMP/import.log")"
mkdir -p "$TEST_TMP/styles"
cat > "$TEST_TMP/styles/fondos.json" <<'EOF'
{"version": 8, "name": "fondos", "sources": {"t": {"type": "vector", "url": "teselas://paises"}},
 "layers": [{"id": "a", "type": "background", "paint": {"background-color": "#123456"}},
            {"id": "b", "type": "background",
             "paint": {"background-color": "#654321", "background-opacity": 0.5}},
            {"id": "c", "type": "fill", "source": "t", "source-layer": "paises", "minzoom": 20,
             "paint": {"fill-color": "#00ff00"}}]}
EOF
IMAGE="/styles/fondos/static/0,0,2/2048x2048@2x.png"

start_server "$DB" --styles "$TEST_TMP/styles" --request-time-ms 1
for attempt in 1 2; do
  http_get "$IMAGE"
  expect_status 503 "an image whose drawing outlasts --request-time-ms 1 (attempt $attempt)"
  expect_json "d['code'] == 'unavailable' and 'drawing' in d['description'] and '--request-time-ms' in d['description']"
  expect_header Retry-After '[0-9]'
  ok
  echo "bounded: $STATUS $(cat "$TEST_TMP/body")"
  http_get /tiles/paises/0/0/0.pbf
  expect_status 200 "a vector tile after the refused image"
done
stop_server || fail "the server did not stop cleanly"

start_server "$DB" --styles "$TEST_TMP/styles"
http_get "$IMAGE"
expect_status 200 "the same image with the default bound"
python3 - "$TEST_TMP/body" <<'EOF' || fail "not a 4096x4096 PNG"
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR", b[:16]
assert struct.unpack(">II", b[16:24]) == (4096, 4096), struct.unpack(">II", b[16:24])
EOF
ok
stop_server || fail "the server did not stop cleanly"
done_checks
