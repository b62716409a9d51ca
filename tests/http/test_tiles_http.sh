#!/usr/bin/env bash
# HTTP semantics of the tile endpoints: gzip only when asked (and valid gzip), ETag and
# If-None-Match -> 304, HEAD, 204 for an empty tile, 400 JSON for a malformed or out-of-range
# address, 404 for an unknown layer, never a 5xx for bad input; TileJSON 3.0.0 (absolute URLs with
# ?v=, vector_layers with typed fields, bounds, center, zooms, attribution, generalization) with
# and without --public-url; the OGC API - Tiles metadata.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"
# curl leaves the output file alone when a response has no body: start each request without one
get() { rm -f "$TEST_TMP/body"; http_get "$@"; }
# head PATH: a HEAD request; status in $STATUS, headers in $TEST_TMP/headers, $HEAD_BYTES body bytes
head_req() {
  read -r STATUS HEAD_BYTES < <(curl -s -I -o /dev/null -D "$TEST_TMP/headers" \
    -w '%{http_code} %{size_download}\n' "$BASE$1")
}

DB=$(demo_db 5000)
start_server "$DB"
read -r X Y < <(tile_of 14 -101.68 21.12)
T="/tiles/parques,incidentes/14/$X/$Y.pbf"

# --- identity unless the client asks for gzip ---
get "$T"
expect_status 200 "tile"
expect_header Content-Type application/vnd.mapbox-vector-tile
expect_header Access-Control-Allow-Origin '\*'
expect_header Cache-Control 'public, max-age=300'
expect_header Vary Accept-Encoding
grep -qi '^Content-Encoding' "$TEST_TMP/headers" && fail "gzip without Accept-Encoding"
[ "$(head -c 2 "$TEST_TMP/body" | od -An -tx1 | tr -d ' ')" != 1f8b ] || fail "identity body is gzip"
cp "$TEST_TMP/body" "$TEST_TMP/raw"
grep -qi "^Content-Length: $(stat -c %s "$TEST_TMP/raw")" "$TEST_TMP/headers" || fail "Content-Length"
ETAG=$(sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$TEST_TMP/headers")
[[ "$ETAG" =~ ^\"[^\"]+\"$ ]] || fail "no strong ETag: '$ETAG'"
ok
for ae in 'gzip' 'deflate, gzip' 'gzip;q=1.0, identity;q=0.5' 'br, gzip;q=0.8'; do
  get "$T" -H "Accept-Encoding: $ae"
  expect_header Content-Encoding gzip
  gzip -t < "$TEST_TMP/body" || fail "invalid gzip for '$ae'"
  gzip -dc < "$TEST_TMP/body" | cmp -s - "$TEST_TMP/raw" || fail "gzip body differs for '$ae'"
  ok
done
for ae in 'identity' 'br' 'gzip;q=0' 'deflate'; do
  get "$T" -H "Accept-Encoding: $ae"
  grep -qi '^Content-Encoding' "$TEST_TMP/headers" && fail "gzip although '$ae'"
  cmp -s "$TEST_TMP/body" "$TEST_TMP/raw" || fail "body differs for '$ae'"
  ok
done

# --- ETag / If-None-Match ---
for inm in "$ETAG" "W/$ETAG" "\"x\", $ETAG" '*'; do
  get "$T" -H "If-None-Match: $inm"
  expect_status 304 "If-None-Match: $inm"
  [ ! -s "$TEST_TMP/body" ] || fail "304 with a body"
  expect_header ETag "$ETAG"
done
get "$T" -H 'If-None-Match: "something-else"'
expect_status 200 "other ETag"
get "$T" -H "If-None-Match: $ETAG" -H 'Accept-Encoding: gzip'
expect_status 304 "If-None-Match with gzip"
# another tile, another layer list or another zoom: another ETag
for other in "/tiles/parques,incidentes/14/$((X + 1))/$Y.pbf" "/tiles/parques/14/$X/$Y.pbf" \
             "/tiles/incidentes,parques/14/$X/$Y.pbf" "/tiles/parques,incidentes/15/$((2 * X))/$((2 * Y)).pbf"; do
  get "$other"
  E2=$(sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$TEST_TMP/headers")
  [ -n "$E2" ] && [ "$E2" != "$ETAG" ] || fail "ETag of $other is '$E2' (same as $T)"
  ok
done
# the .mvt alias and the OGC alias are the same resource: same ETag
get "/tiles/parques,incidentes/14/$X/$Y.mvt"
expect_header ETag "$ETAG"

# --- HEAD: the GET headers, no body ---
head_req "$T"
expect_status 200 HEAD
expect_header Content-Type application/vnd.mapbox-vector-tile
expect_header ETag "$ETAG"
expect_header Content-Length "$(stat -c %s "$TEST_TMP/raw")"
[ "$HEAD_BYTES" = 0 ] || fail "HEAD with a body"

# --- 204 for an empty tile (the open ocean), also below a layer's minzoom and with HEAD ---
for p in /tiles/parques/12/0/0.pbf /tiles/parques,incidentes/3/0/0.pbf /tiles/parques/5/7/14.pbf \
         /collections/parques/tiles/WebMercatorQuad/10/0/0; do
  get "$p"
  expect_status 204 "$p"
  [ ! -s "$TEST_TMP/body" ] || fail "204 with a body for $p"
done
head_req /tiles/parques/12/0/0.pbf
expect_status 204 "HEAD of an empty tile"
get /tiles/parques/12/0/0.pbf -H 'Accept-Encoding: gzip'
expect_status 204 "gzip of an empty tile"
[ ! -s "$TEST_TMP/body" ] || fail "gzip 204 with a body"

# --- 400 JSON: malformed or out of range ---
for p in /tiles/parques/25/0/0.pbf /tiles/parques/12/4096/0.pbf /tiles/parques/12/0/4096.pbf \
         /tiles/parques/0/1/0.pbf /tiles/parques/12/abc/1.pbf /tiles/parques/-1/0/0.pbf \
         /tiles/parques/12/-5/7.pbf /tiles/parques/12/1/1.5.pbf /tiles/parques/1e1/0/0.pbf \
         /tiles/parques/99999999999/0/0.pbf /tiles/parques/4294967296/0/0.pbf \
         /tiles/parques/%2012/0/0.pbf /tiles/parques/12/0x1/0.pbf /tiles/parques/+1/0/0.pbf \
         /tiles/parques,/12/0/0.pbf /tiles/,parques/12/0/0.pbf /tiles/parques,parques/12/0/0.pbf \
         "/tiles/$(printf 'parques%.0s,' {1..17})parques/12/0/0.pbf" \
         /collections/parques/tiles/WebMercatorQuad/12/4096/0 \
         /collections/parques/tiles/WebMercatorQuad/25/0/0; do
  get "$p"
  expect_status 400 "$p"
  expect_json 'd["code"] == "invalid_parameter" and len(d["description"]) > 0'
  expect_header Content-Type application/json
done

# --- 404 JSON for an unknown layer ---
for p in /tiles/nope/12/0/0.pbf /tiles/parques,nope/12/0/0.pbf /tiles/nope.json \
         /tiles/parques,nope.json /collections/nope/tiles /collections/nope/tiles/WebMercatorQuad \
         /collections/nope/tiles/WebMercatorQuad/1/0/0 /tiles/PARQUES/1/0/0.pbf; do
  get "$p"
  expect_status 404 "$p"
  expect_json 'd["code"] == "not_found"'
done

# --- never a 5xx, whatever the path ---
long=$(printf 'a%.0s' {1..3000})
for p in "/tiles/$long/1/0/0.pbf" "/tiles/parques/1/0/$long.pbf" "/tiles/%00/1/0/0.pbf" \
         "/tiles/parques/1/0/0.pbf.pbf" "/tiles/../etc/passwd/1/0/0.pbf" "/tiles/%FF%FE/1/0/0.pbf" \
         "/tiles/parques/24/16777215/16777215.pbf" "/tiles/parques/0/0/0.pbf" \
         "/tiles/parques/1/0/0.pbf?v=../../" "/tiles/parques/1/0/0.pbf?filter=%27" \
         "/collections/parques/tiles/WebMercatorQuad/$long/0/0" "/tiles/$long.json" \
         "/tiles/,.json" "/tiles/parques,,incidentes/1/0/0.pbf"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$p")
  [ "$code" -lt 500 ] && [ "$code" -ge 200 ] || fail "$code for ${p:0:80}"
  ok
done

# --- TileJSON 3.0.0 ---
get '/tiles/parques,incidentes.json'
expect_status 200 TileJSON
expect_header Content-Type application/json
expect_json 'd["tilejson"] == "3.0.0" and d["scheme"] == "xyz"'
expect_json 'd["tiles"] == ["'"$BASE"'/tiles/parques,incidentes/{z}/{x}/{y}.pbf?v=1.1-'"$OUTPUT_ID"'"]'
expect_json 'd["minzoom"] == 7 and d["maxzoom"] == 16 and 0 <= d["minzoom"] <= d["maxzoom"] <= 30'
expect_json 'len(d["bounds"]) == 4 and -102 < d["bounds"][0] < d["bounds"][2] < -101.4 and 20.9 < d["bounds"][1] < d["bounds"][3] < 21.4'
expect_json 'd["bounds"][0] <= d["center"][0] <= d["bounds"][2] and d["bounds"][1] <= d["center"][1] <= d["bounds"][3] and d["minzoom"] <= d["center"][2] <= d["maxzoom"]'
expect_json '"CC BY 4.0" in d["attribution"] and "Secretar" in d["attribution"] and "Medio Ambiente" in d["attribution"]'
expect_json '[l["id"] for l in d["vector_layers"]] == ["parques", "incidentes", "parques:labels"]'
expect_json 'all(isinstance(l["fields"], dict) and "minzoom" in l and "maxzoom" in l for l in d["vector_layers"])'
expect_json 'd["vector_layers"][0]["fields"] == {"nombre": "String", "estado": "String", "superficie_m2": "Number", "juegos_infantiles": "Boolean", "fecha_rehabilitacion": "String"}'
expect_json 'd["vector_layers"][1]["fields"]["hora"] == "Number" and d["vector_layers"][1]["fields"]["point_count"] == "Number"'
# which zooms are generalised: clusters for the dense point layer, sub-pixel drops for polygons
expect_json 'd["vector_layers"][1]["generalization"]["clustered_zooms"] == [7, 13]'
expect_json 'd["vector_layers"][0]["generalization"]["subpixel_features_dropped_zooms"] == [7, 15]'
# a tile from the advertised URL works
url=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['tiles'][0])" "$TEST_TMP/body")
code=$(curl -s -o /dev/null -w '%{http_code}' "$(echo "$url" | sed "s/{z}/14/; s/{x}/$X/; s/{y}/$Y/")")
[ "$code" = 200 ] || fail "the TileJSON tile URL answers $code"
ok
get /tiles/rios-canales.json
expect_json 'd["tiles"][0].endswith("/tiles/rios-canales/{z}/{x}/{y}.pbf?v=1-'"$OUTPUT_ID"'") and d["vector_layers"][0]["fields"]["perenne"] == "Boolean"'
head_req /tiles/parques.json
expect_status 200 "HEAD TileJSON"

# --- OGC API - Tiles metadata ---
get /collections/parques/tiles
expect_status 200 "tilesets"
expect_json 'd["tilesets"][0]["tileMatrixSetURI"].endswith("/WebMercatorQuad") and d["tilesets"][0]["dataType"] == "vector"'
get /collections/parques/tiles/WebMercatorQuad
expect_status 200 "tileset"
expect_json 'any(l["rel"] == "item" and l["href"] == "'"$BASE"'/collections/parques/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}?v=1-'"$OUTPUT_ID"'" for l in d["links"])'
expect_json 'any(l["rel"] == "self" for l in d["links"])'
stop_server

# --- --public-url: every absolute URL starts with it (a trailing slash is not doubled) ---
start_server "$DB" --quiet --public-url https://mapas.example.org/
get '/tiles/parques,incidentes.json'
expect_json 'd["tiles"] == ["https://mapas.example.org/tiles/parques,incidentes/{z}/{x}/{y}.pbf?v=1.1-'"$OUTPUT_ID"'"]'
get /collections/parques/tiles/WebMercatorQuad
expect_json 'all(l["href"].startswith("https://mapas.example.org/") or l["href"].startswith("http://www.opengis.net/") for l in d["links"])'
stop_server
done_checks
