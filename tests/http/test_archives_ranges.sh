#!/usr/bin/env bash
# /archives/{name}.pmtiles against the real server, on an archive that `teselas seed` wrote from a
# database made only from third-party files: the header (0-126), the root directory and the
# metadata (at the offsets the header gives, read by Python from the file) come back byte for byte;
# open-ended and suffix ranges; If-Range with the ETag (206) and with anything else (200, the
# whole file); past the end 416 JSON with Content-Range: bytes */SIZE; HEAD; If-None-Match 304;
# malformed Range headers (bytes=abc, bytes=5-2, huge numbers, 1000 ranges) a 200 or a 416,
# never a 5xx. Then the archive's tiles and TileJSON at a layer's addresses.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/archive_lib.sh"
get() { rm -f "$TEST_TMP/body"; http_get "$@"; }

third_party_archive
A=$TP_ARCHIVE
SIZE=$(stat -c %s "$A")
start_server "$TP_DB" --archive mundo="$A"
U=/archives/mundo.pmtiles

# expect_bytes OFFSET LENGTH: the last body is exactly those bytes of the file
expect_bytes() {
  [ "$(stat -c %s "$TEST_TMP/body")" = "$2" ] || fail "body of $(stat -c %s "$TEST_TMP/body") bytes, not $2"
  cmp -s -n "$2" "$A" "$TEST_TMP/body" "$1" 0 || fail "body is not bytes $1.. of the file"
  ok
}

# --- the whole file, HEAD, ETag ---
get "$U"
expect_status 200 "the archive"
expect_header Accept-Ranges bytes
expect_header Content-Type application/vnd.pmtiles
expect_header Access-Control-Allow-Origin '\*'
expect_bytes 0 "$SIZE"
TAG=$(etag)
[[ "$TAG" == \"*\" ]] || fail "no strong ETag: '$TAG'"
read -r STATUS HEAD_LEN < <(curl -s -I -o /dev/null -D "$TEST_TMP/headers" -w '%{http_code} %{size_download}\n' "$BASE$U")
[ "$STATUS" = 200 ] && [ "$HEAD_LEN" = 0 ] || fail "HEAD: $STATUS with $HEAD_LEN body bytes"
expect_header Content-Length "$SIZE"
expect_header ETag "$TAG"
expect_304 "$U" "$TAG" "$SIZE"

# --- the header and the sections it locates ---
get "$U" -r 0-126
expect_status 206 "the header"
expect_header Content-Range "bytes 0-126/$SIZE"
expect_header Content-Length 127
expect_bytes 0 127
read -r ROOT_OFF ROOT_LEN META_OFF META_LEN LEAF_OFF LEAF_LEN < <(python3 - "$TEST_TMP/body" <<'EOF'
import struct, sys
h = open(sys.argv[1], 'rb').read()
assert h[:7] == b'PMTiles' and h[7] == 3
print(*struct.unpack('<6Q', h[8:56]))
EOF
)
get "$U" -r "$ROOT_OFF-$((ROOT_OFF + ROOT_LEN - 1))"
expect_status 206 "the root directory"
expect_header Content-Range "bytes $ROOT_OFF-$((ROOT_OFF + ROOT_LEN - 1))/$SIZE"
expect_bytes "$ROOT_OFF" "$ROOT_LEN"
get "$U" -r "$META_OFF-$((META_OFF + META_LEN - 1))"
expect_status 206 "the metadata"
expect_bytes "$META_OFF" "$META_LEN"
if [ "$LEAF_LEN" -gt 0 ]; then
  get "$U" -r "$LEAF_OFF-$((LEAF_OFF + LEAF_LEN - 1))"
  expect_status 206 "the leaf directories"
  expect_bytes "$LEAF_OFF" "$LEAF_LEN"
fi
# what a PMTiles client asks first: 16 KiB, more than a small file holds
get "$U" -r 0-16383
expect_status 206 "the first 16 KiB"
N=$(( SIZE < 16384 ? SIZE : 16384 ))
expect_header Content-Range "bytes 0-$((N - 1))/$SIZE"
expect_bytes 0 "$N"

# --- open-ended and suffix ranges ---
get "$U" -r 100-
expect_status 206 "bytes=100-"
expect_header Content-Range "bytes 100-$((SIZE - 1))/$SIZE"
expect_bytes 100 $((SIZE - 100))
get "$U" -r -50
expect_status 206 "bytes=-50"
expect_header Content-Range "bytes $((SIZE - 50))-$((SIZE - 1))/$SIZE"
expect_bytes $((SIZE - 50)) 50
get "$U" -r "-$((SIZE * 2))"   # a suffix longer than the file is the whole file, as a 206
expect_status 206 "a suffix longer than the file"
expect_bytes 0 "$SIZE"
get "$U" -r "$((SIZE - 1))-$((SIZE + 1000))"   # the last byte, the end clamped
expect_status 206 "a range reaching past the end"
expect_header Content-Range "bytes $((SIZE - 1))-$((SIZE - 1))/$SIZE"
expect_bytes $((SIZE - 1)) 1

# --- If-Range ---
get "$U" -r 0-126 -H "If-Range: $TAG"
expect_status 206 "If-Range with the ETag"
expect_bytes 0 127
for other in '"pm-0-0-0"' 'W/'"$TAG" 'Sat, 05 Dec 2026 00:00:00 GMT'; do
  get "$U" -r 0-126 -H "If-Range: $other"
  expect_status 200 "If-Range: $other"
  expect_bytes 0 "$SIZE"
done

# --- past the end: 416 JSON naming the size ---
for r in "$SIZE-" "$((SIZE + 10))-$((SIZE + 20))" "-0"; do
  get "$U" -H "Range: bytes=$r"
  expect_status 416 "bytes=$r"
  expect_header Content-Range "bytes \*/$SIZE"
  expect_header Content-Type application/json
  expect_json "d['code'] and str($SIZE) in d['description']"
done

# --- malformed Range headers: the whole file or a 416, never a 5xx ---
MANY=$(python3 -c "print('bytes=' + ','.join(f'{i}-{i}' for i in range(1000)))")
for r in "bytes=abc" "bytes=5-2" "bytes=" "bytes=-" "items=0-10" "bytes=0-10,20-30" "$MANY" \
         "bytes=1-2-3" "bytes= 0 - 5" "bytes=0x10-20" "BYTES=0-9"; do
  get "$U" -H "Range: $r"
  case "$STATUS" in
    200) expect_bytes 0 "$SIZE" ;;
    206) [ "$r" = "BYTES=0-9" ] || fail "206 to 'Range: ${r:0:40}'"; expect_bytes 0 10 ;;
    *) fail "HTTP $STATUS to 'Range: ${r:0:40}'" ;;
  esac
done
HUGE=99999999999999999999999999999999
get "$U" -H "Range: bytes=$HUGE-"
expect_status 416 "a huge first position"
get "$U" -H "Range: bytes=0-$HUGE"
expect_status 206 "a huge last position"
expect_bytes 0 "$SIZE"
get "$U" -H "Range: bytes=-$HUGE"
expect_status 206 "a huge suffix"
expect_bytes 0 "$SIZE"
read -r STATUS HEAD_LEN < <(curl -s -I -o /dev/null -D "$TEST_TMP/headers" -w '%{http_code} %{size_download}\n' -r 0-126 "$BASE$U")
[ "$STATUS" = 206 ] || fail "HEAD with a range: $STATUS"
expect_header Content-Length 127

# --- unknown archive, other methods ---
get /archives/nada.pmtiles
expect_status 404 "an unknown archive"
expect_json "d['code'] == 'not_found'"
get /archives/mundo.pmtiles -X POST
expect_status 405 "POST"

# --- the archive as a layer: TileJSON and tiles ---
get /tiles/mundo.json
expect_status 200 "TileJSON of the archive"
expect_json "d['tilejson'] == '3.0.0' and d['tiles'][0].endswith('/tiles/mundo/{z}/{x}/{y}.pbf') and d['minzoom'] == 0 and d['maxzoom'] == 5 and {l['id'] for l in d['vector_layers']} == {'paises', 'localidades', 'paises:labels'}"
get /tiles/mundo/0/0/0.pbf
expect_status 200 "tile 0/0/0"
expect_header Content-Type application/vnd.mapbox-vector-tile
! grep -qi '^Content-Encoding' "$TEST_TMP/headers" || fail "gzip to a client that did not ask"
cp "$TEST_TMP/body" "$TEST_TMP/plain.pbf"
T0=$(etag)
get /tiles/mundo/0/0/0.pbf -H 'Accept-Encoding: gzip'
expect_header Content-Encoding gzip
gunzip -c "$TEST_TMP/body" | cmp -s - "$TEST_TMP/plain.pbf" || fail "the gzip tile is not the plain one"
[ "$(etag)" != "$T0" ] || fail "gzip and plain tiles share an ETag"
expect_304 /tiles/mundo/0/0/0.pbf "$T0" "$(stat -c %s "$TEST_TMP/plain.pbf")"
get /tiles/mundo/6/0/0.pbf
expect_status 404 "a zoom past the archive's"
get /tiles/mundo/3/9/0.pbf
expect_status 400 "x outside the zoom"
get "/tiles/mundo/0/0/0.pbf?tipo=x"
expect_status 400 "a filter on an archive"
get /tiles/paises/0/0/0.pbf
expect_status 200 "the database's layers are still served"
# the status column of the access lines (a body of 509 bytes is not a 5xx)
! grep -q '^access [A-Z]* [^ ]* 5[0-9][0-9] ' "$SERVER_LOG" ||
  fail "a 5xx in the log: $(grep '^access [A-Z]* [^ ]* 5[0-9][0-9] ' "$SERVER_LOG" | head -3)"
stop_server
done_checks
