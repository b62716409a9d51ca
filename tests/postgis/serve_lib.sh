# tests/postgis/serve_lib.sh — what the tests of serving over PostgreSQL (test_pg_serve.sh,
# test_pg_cluster.sh) share: a catalog of third-party data with two versions of one layer, a
# publication as the writes over PostgreSQL make it, and requests that record what each answer was.
#
#   cdmx_two_versions DB       # layer cuadrantes: v1 the 105 quadrants whose id sorts before M,
#                              # v2 all 847 (tests/data/cdmx-ssp); sets N1, N2 (feature counts)
#   publish_pg PORT V [notify] # repoints the catalog row to version V in one transaction (+ NOTIFY)
#   center_tile GEOJSON Z      # "z x y" of the tile at the centre of the file's first rings
#   hammer_start URL OUT       # GETs URL in a loop, one line per answer: "status etag sha256"
#   hammer_stop                # after at least 20 answers; returns when it has finished
#   fetch URL FILE             # prints the status; body in FILE, headers in FILE.h
#   tag_of FILE, cc_of FILE    # the ETag, the Cache-Control of a fetch

fetch() { curl -s --max-time 20 -o "$2" -D "$2.h" -w '%{http_code}' "$1"; }
tag_of() { sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$1.h"; }
cc_of() { sed -n 's/^Cache-Control: *\(.*\)\r$/\1/Ip' "$1.h"; }

cdmx_two_versions() {
  local db=$1 cuad="$TESELAS_TEST_DATA/cdmx-ssp/cuadrantes_shp.zip"
  SUB_GEOJSON="$TEST_TMP/sub.geojson"
  ogr2ogr -f GeoJSON "$SUB_GEOJSON" "/vsizip/$cuad/cuadrantes-sspdf-no-errors2.shp" \
    -where "id < 'M'" 2>/dev/null || fail "ogr2ogr subset"
  "$TESELAS" import "$SUB_GEOJSON" --db "$db" --layer cuadrantes --quiet >/dev/null || fail "import v1"
  "$TESELAS" import "$cuad" --db "$db" --layer cuadrantes --quiet >/dev/null || fail "import v2"
  N1=$(sqlite3 "$db" "SELECT feature_count FROM teselas_history WHERE layer_id='cuadrantes' AND version=1")
  N2=$(sqlite3 "$db" "SELECT feature_count FROM teselas_history WHERE layer_id='cuadrantes' AND version=2")
  [ "$N1" -lt "$N2" ] || fail "the two versions do not differ ($N1, $N2)"
}

publish_pg() {
  local note=""
  [ "${3:-}" = notify ] && note="NOTIFY teselas_catalog, 'cuadrantes';"
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "BEGIN;
    UPDATE teselas.teselas_layers l SET version = h.version, table_name = h.table_name,
      feature_count = h.feature_count, source_name = h.source_name, source_sha256 = h.source_sha256
      FROM teselas.teselas_history h WHERE l.id = 'cuadrantes' AND h.layer_id = l.id AND h.version = $2;
    $note COMMIT;" >/dev/null || fail "publish_pg $2"
}

center_tile() {
  python3 - "$1" "$2" <<'PY'
import json, math, sys
pts = []
for f in json.load(open(sys.argv[1]))["features"]:
    c = f["geometry"]["coordinates"]
    while isinstance(c[0][0], list):
        c = c[0]
    pts += c
lon = sum(p[0] for p in pts) / len(pts)
lat = sum(p[1] for p in pts) / len(pts)
z = int(sys.argv[2])
n = 2 ** z
print(z, int((lon + 180) / 360 * n),
      int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))
PY
}

hammer_start() {
  rm -f "$TEST_TMP/hammer.stop"
  python3 - "$1" "$2" "$TEST_TMP/hammer.stop" <<'PY' &
import hashlib, os, sys, urllib.request
url, out, stop = sys.argv[1:4]
with open(out, "w", buffering=1) as f:
    n = 0
    while not os.path.exists(stop) or n < 20:
        try:
            with urllib.request.urlopen(url, timeout=20) as r:
                f.write(f"{r.status} {r.headers['ETag']} {hashlib.sha256(r.read()).hexdigest()}\n")
        except Exception as e:
            f.write(f"error {e!r}\n")
        n += 1
PY
  HAMMER_PID=$!
  for _ in $(seq 1 100); do  # a few answers before anything changes
    [ "$(cat "$2" 2>/dev/null | wc -l)" -ge 5 ] && break
    sleep 0.1
  done
}

hammer_stop() {
  touch "$TEST_TMP/hammer.stop"
  wait "$HAMMER_PID" || true
  HAMMER_PID=""
}
