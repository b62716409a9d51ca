#!/usr/bin/env bash
# The catalogue's dcat:byteSize and spdx:checksum (SHA-256) of each download, on the demo and on a
# database made only from a third-party file (INEGI's localities, tests/data/inegi):
# - the server computes them in the background after it starts; the catalogue leaves them out
#   until then and never waits (the first /catalog.jsonld answers at once);
# - once there, for every layer the GeoJSON and CSV distributions carry them, and they equal
#   `wc -c` and `sha256sum` of the bytes curl downloads from the downloadURL; the GeoPackage,
#   whose bytes carry the time GDAL wrote them, has neither;
# - a new version of a layer is a new download: the catalogue drops the old figures and, once
#   computed, says the new version's, again equal to what curl gets;
# - a restart reads them from the database (no second computation is needed to list them).
# TESELAS_TEST_BACKEND=postgis runs it on a private PostgreSQL cluster (backend_lib.sh): the
# digests kept in the catalogue's schema, the new version imported there.
BACKEND_AWARE=1  # picks its backend itself (backend_lib.sh), not through the suite's switch in lib.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/backend_lib.sh"
D="$TESELAS_TEST_DATA"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# digests_of: layer format bytes sha256 for every distribution of /catalog.jsonld with a byte
# size, sorted; also checks that a distribution's size and checksum come together.
digests_of() {
  curl -s "$BASE/catalog.jsonld?page_size=1000" > "$TEST_TMP/cat.json" || fail "catalog"
  "$PY" - "$TEST_TMP/cat.json" <<'EOF' || fail "catalog digests: $(head -c 400 "$TEST_TMP/cat.json")"
import json, re, sys
g = json.load(open(sys.argv[1]))["@graph"]
nodes = {n["@id"]: n for n in g}
out = []
for n in g:
    m = re.search(r"/collections/([^/#]+)#dist-(\w+)$", n["@id"])
    if not m:
        continue
    size, sums = n.get("dcat:byteSize"), n.get("spdx:checksum")
    assert bool(size) == bool(sums), n["@id"]
    if not size:
        continue
    assert m.group(2) in ("geojson", "csv"), n["@id"]
    s = nodes[sums[0]["@id"]]
    assert s["spdx:algorithm"][0]["@id"].endswith("#checksumAlgorithm_sha256"), s
    value = s["spdx:checksumValue"][0]
    assert value["@type"] == "xsd:hexBinary" and size[0]["@type"] == "xsd:nonNegativeInteger"
    out.append(f'{m.group(1)} {m.group(2)} {size[0]["@value"]} {value["@value"]}')
print("\n".join(sorted(out)))
EOF
}

# wait_digests N: until the catalogue lists N digests (at most 180 s).
wait_digests() {
  for _ in $(seq 1 360); do
    [ "$(digests_of | grep -c .)" -ge "$1" ] && return 0
    sleep 0.5
  done
  fail "the catalogue lists $(digests_of | grep -c .) digests, not $1"
}

# check_against_curl: each listed digest is wc -c and sha256sum of the download.
check_against_curl() {
  digests_of > "$TEST_TMP/digests"
  while read -r layer fmt size sum; do
    curl -s -o "$TEST_TMP/dl" "$BASE/collections/$layer/download.$fmt" || fail "download $layer.$fmt"
    [ "$(wc -c < "$TEST_TMP/dl")" = "$size" ] || fail "$layer.$fmt: byteSize $size, curl got $(wc -c < "$TEST_TMP/dl")"
    [ "$(sha256sum "$TEST_TMP/dl" | cut -d' ' -f1)" = "$sum" ] || fail "$layer.$fmt: checksum differs"
    ok
  done < "$TEST_TMP/digests"
}

check_db() {
  local db=$1 layer=$2
  local n_layers
  start_server "$db"
  n_layers=$(curl -s "$BASE/collections?f=json" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["collections"]))')
  http_get /catalog.jsonld
  expect_status 200 "the catalogue while digests are computed"
  wait_digests $((2 * n_layers))
  check_against_curl
  stop_server || fail "the server did not stop cleanly"
  # a restart lists them at once, from the database
  start_server "$db"
  [ "$(digests_of | grep -c .)" -eq $((2 * n_layers)) ] || fail "digests not read back after a restart"
  ok
  stop_server || fail "the server did not stop cleanly"
}

# --- the demo ---
DB=$(demo_db 2000)
backend_open "$DB"
check_db "$DB" parques

# --- third-party only; then a new version of one layer ---
TP="$TEST_TMP/tp.db"
"$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$TP" --layer localidades \
  --title "Localidades de León" --license "Licencia de libre uso MX" --publisher INEGI \
  > /dev/null 2>&1 || fail "import of the localities"
TP=$(backend_add "$TP" tp)
check_db "$TP" localidades
start_server "$TP"
before=$(digests_of | grep '^localidades csv')
head -n 40 "$D/inegi/AGLOC_11020_localidades.csv" > "$TEST_TMP/fewer.csv"
"$TESELAS" import "$TEST_TMP/fewer.csv" --db "$TP" --layer localidades > /dev/null 2>&1 ||
  fail "import of a new version"
# the old version's figures are gone at once (the catalogue names the current version only)
[ -z "$(digests_of | grep '^localidades csv' | grep -F "$before")" ] || fail "old digest still listed"
ok
wait_digests 2
check_against_curl
[ "$(digests_of | grep '^localidades csv')" != "$before" ] || fail "the new version has the old digest"
ok
stop_server || fail "the server did not stop cleanly"
done_checks
