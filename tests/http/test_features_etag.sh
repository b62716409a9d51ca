#!/usr/bin/env bash
# Data answers carry ETags, and a client that has one gets a 304 without the server doing the
# work: items pages, one feature, counts by group and whole-layer downloads, on a database made
# only from third-party files (SSP-CDMX's crimes and police cuadrantes). The tag is weak (an items
# page writes its own timeStamp), changes with the query and with a new version of the layer, and
# a 304 has no body, no Content-Type and no Content-Length of its own (RFC 9110 §8.6, §15.4.5).
# Downloads are counted against Python's csv module reading the source.
source "$(dirname "$0")/lib.sh"
D="$TESELAS_TEST_DATA/cdmx-ssp"
DB="$TEST_TMP/etag.db"
imp() { # LAYER FILE [options...]
  local layer=$1 file=$2; shift 2
  "$TESELAS" import "$file" --db "$DB" --layer "$layer" --quiet "$@" > "$TEST_TMP/$layer.out" 2>&1 \
    || fail "import $layer: $(cat "$TEST_TMP/$layer.out")"
}
imp delitos "$D/crime-lat-long-2000.csv" --lat lat --lon long --privacy none
imp cuadrantes "$D/cuadrantes_shp.zip"
start_server "$DB"

# tag PATH [curl args]: TAG is the ETag of a 200 for PATH, its body in $TEST_TMP/body
tag() {
  http_get "$@"
  expect_status 200 "$1"
  TAG=$(etag)
  [[ "$TAG" =~ ^W/\"f[0-9]+-[0-9a-f]{16}\"$ ]] || fail "$1: not a weak data tag: '$TAG'"
}
# no304 PATH TAG: If-None-Match with TAG gets the whole answer again
no304() {
  http_get "$1" -H "If-None-Match: $2"
  expect_status 200 "If-None-Match with another answer's tag on $1"
}
# is304 PATH IF-NONE-MATCH [TAG]: a 304 with TAG (by default the If-None-Match) and nothing
# else of the answer
is304() {
  rm -f "$TEST_TMP/body"
  http_get "$1" -H "If-None-Match: $2"
  expect_status 304 "If-None-Match on $1"
  [ ! -s "$TEST_TMP/body" ] || fail "$1: a 304 with a body"
  expect_header ETag "${3:-$2}"
  ! grep -qi '^Content-Type\|^Content-Length' "$TEST_TMP/headers" ||
    fail "$1: a 304 with $(grep -i '^Content-Type\|^Content-Length' "$TEST_TMP/headers" | tr -d '\r')"
  ok
}

ITEMS="/collections/delitos/items?limit=50"
tag "$ITEMS"; T1=$TAG
is304 "$ITEMS" "$T1"
is304 "$ITEMS" "W/\"x\", $T1" "$T1"                 # one of a list
is304 "$ITEMS" "${T1#W/}" "$T1"                       # weak comparison: the tag without W/
http_get "$ITEMS"
expect_header Vary Accept                            # the format is negotiated
# an error never carries a data tag, and "*" does not stand for an answer not made
http_get "/collections/delitos/items/no-such-feature" -H "If-None-Match: *"
expect_status 404 "an unknown feature asked with If-None-Match: *"
! grep -qi '^ETag' "$TEST_TMP/headers" || fail "a 404 with an ETag: $(grep -i '^ETag' "$TEST_TMP/headers")"
http_get "/collections/delitos/items?limit=abc"
expect_status 400 "a malformed limit"
! grep -qi '^ETag' "$TEST_TMP/headers" || fail "a 400 with an ETag"
ok
tag "/collections/delitos/items?limit=50&offset=50"; T2=$TAG
[ "$T1" != "$T2" ] || fail "two pages share a tag: $T1"
no304 "/collections/delitos/items?limit=50&offset=50" "$T1"
tag "$ITEMS" -H "Accept: text/html"; T3=$TAG   # another format, another tag
[ "$T3" != "$T1" ] || fail "HTML and GeoJSON share a tag: $T1"
ok

http_get "$ITEMS"
FID=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['features'][0]['id'])" "$TEST_TMP/body")
tag "/collections/delitos/items/$FID"; F1=$TAG
is304 "/collections/delitos/items/$FID" "$F1"

tag "/collections/delitos/aggregate?by=crime"; A1=$TAG
is304 "/collections/delitos/aggregate?by=crime" "$A1"

# a whole-layer download: every located row of the CSV, and a 304 that streams nothing
DL=/collections/delitos/download.csv
tag "$DL"; G1=$TAG
python3 - "$TEST_TMP/body" "$D/crime-lat-long-2000.csv" <<'PY' || fail "the download's rows differ from the source's"
import csv, math, sys
got = sum(1 for _ in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8-sig")))
def located(r):
    try:
        return math.isfinite(float(r["lat"])) and math.isfinite(float(r["long"]))
    except ValueError:
        return False
want = sum(1 for r in csv.DictReader(open(sys.argv[2], encoding="utf-8")) if located(r))
assert got == want, (got, want)
PY
ok
is304 "$DL" "$G1"
tag /collections/cuadrantes/download.geojson; G2=$TAG
[ "$G2" != "$G1" ] || fail "two layers' downloads share a tag"
is304 /collections/cuadrantes/download.geojson "$G2"

# a new version of the layer: every earlier tag is stale
head -1001 "$D/crime-lat-long-2000.csv" > "$TEST_TMP/half.csv"
imp delitos "$TEST_TMP/half.csv" --lat lat --lon long --privacy none
for _ in $(seq 1 50); do
  http_get "$ITEMS" -H "If-None-Match: $T1"
  [ "$STATUS" = 200 ] && break
  sleep 0.1
done
expect_status 200 "the first page after a new version, asked with the old tag"
[ "$(etag)" != "$T1" ] || fail "a new version kept the tag $T1"
no304 "$DL" "$G1"
no304 "/collections/delitos/aggregate?by=crime" "$A1"
is304 /collections/cuadrantes/download.geojson "$G2"   # the other layer did not change
done_checks
