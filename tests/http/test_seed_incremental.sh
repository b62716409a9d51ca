#!/usr/bin/env bash
# Incremental seeds (`teselas seed --since … --changes FILE`) and GET /tiles/{id}/changes, against
# an independent computation: a layer re-imported with one polygon moved, one removed and one
# added; full seeds of the old and of the new version are compared tile by tile with the npm
# `pmtiles` reader (tests/tiles/compare_archives.mjs) at every address of the box (computed here
# from the box and zooms), and
#   - the vector URLs the CLI lists are exactly the addresses whose tiles differ (no more, no less);
#   - the incremental archive holds exactly the full seed's tiles at every address (PMTiles, and
#     MBTiles read back through a PMTiles re-seed of it), and as PMTiles is its file byte for byte;
#   - an incremental MBTiles from an MBTiles archive of the old version lists the same URLs and
#     holds the same tiles, row for row;
#   - every page of the HTTP list, followed through offsets, equals the CLI's file line for line;
#   - PNG URLs name the styles that draw the layer, and cover every PNG tile that changed (drawn
#     by the server before and after, compared by bytes at the vector list's addresses);
#   - on the demo (parks, renumbered by the removal; and an archive of three layers, where the
#     tiles keep the unchanged layers' bytes from the earlier archive) and on a database made only from the
#     SSP-CDMX police cuadrantes (tests/data/cdmx-ssp), and their boundaries as lines with one
#     shrunk from under a pixel at z12 to over it (the small-feature rule's edge);
#   - a version no longer kept is an error naming it; bad HTTP parameters are 4xx JSON.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"
need_decoders
HERE="$(cd "$(dirname "$0")" && pwd)"
CMP="$HERE/../tiles/compare_archives.mjs"
LEON="$(cd "$HERE/../../layers/leon" && pwd)"
[ -f "$HERE/../browser/node_modules/pmtiles/package.json" ] ||
  fail "npm packages missing: run (cd tests/browser && npm ci)"

seed() { "$TESELAS" seed "$@" --quiet 2> "$TEST_TMP/seed.err" || fail "seed $*: $(cat "$TEST_TMP/seed.err")"; }

# edit IN OUT MOVE REMOVE ADD: a GeoJSON with feature MOVE shifted 300 m east and 200 m north,
# REMOVE deleted, and a copy of ADD shifted 1 km south-east appended (indexes of the input)
edit() {
  python3 - "$@" <<'PY'
import copy, json, sys
src, dst, mv, rm, add = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
d = json.load(open(src)); f = d["features"]
def shift(c, dx, dy):
    return [c[0] + dx, c[1] + dy] + c[2:] if isinstance(c[0], (int, float)) else [shift(x, dx, dy) for x in c]
f[mv]["geometry"]["coordinates"] = shift(f[mv]["geometry"]["coordinates"], 0.003, 0.002)
extra = copy.deepcopy(f[add]); extra["geometry"]["coordinates"] = shift(extra["geometry"]["coordinates"], 0.01, -0.01)
del f[rm]
f.append(extra)
json.dump(d, open(dst, "w"))
PY
}

# check_incremental DB LAYER ZOOMS OLD.pmtiles: re-seeds from OLD (PMTiles and MBTiles), a full
# seed of the current version, and the comparisons above; W S E N of the archive in $BOX
check_incremental() {
  local db=$1 layer=$2 z0=$3 z1=$4 old=$5
  seed --db "$db" --since "$old" --out "$TEST_TMP/inc.pmtiles" --changes "$TEST_TMP/purge.txt"
  seed --db "$db" --layers "$layer" --zoom "$z0-$z1" --out "$TEST_TMP/full.pmtiles"
  # the runs of the earlier archive copied whole, the rest made again: the full seed's file
  cmp -s "$TEST_TMP/full.pmtiles" "$TEST_TMP/inc.pmtiles" ||
    fail "$layer: the incremental archive's bytes differ from the full seed's"
  tile_addresses $BOX "$z0" "$z1" > "$TEST_TMP/addr"
  node "$CMP" "$old" "$TEST_TMP/full.pmtiles" "$TEST_TMP/addr" "$TEST_TMP/inc.pmtiles" \
    > "$TEST_TMP/cmp.json" || fail "compare_archives.mjs"
  python3 - "$TEST_TMP/cmp.json" "$TEST_TMP/purge.txt" "$layer" <<'PY' || fail "$layer: changed tiles differ from the independent comparison"
import json, sys
d = json.load(open(sys.argv[1])); layer = sys.argv[3]
pre = f"/tiles/{layer}/"
got = [l.strip()[len(pre):-len(".pbf")] for l in open(sys.argv[2]) if l.startswith(pre)]
want = set(d["differ"])
assert len(want) > 0, "the edit changed no tile"
assert len(got) == len(set(got)), "a tile listed twice"
assert set(got) == want, ("missing", sorted(want - set(got))[:10], "extra", sorted(set(got) - want)[:10])
assert d["third_vs_new"] == [], ("incremental archive differs from the full seed at", d["third_vs_new"][:10])
assert d["n_tiles"][1] == d["n_tiles"][2] > 0, d["n_tiles"]
print(f"{layer}: {len(want)} tiles changed of {d['n_addresses']} addresses", file=sys.stderr)
PY
  ok
  # the MBTiles path: an incremental MBTiles from an MBTiles full seed of the old version, read
  # back by re-seeding it into PMTiles (every tile copied: nothing changed since)
  seed --db "$db" --since "$old" --out "$TEST_TMP/inc.mbtiles"
  seed --db "$db" --since "$TEST_TMP/inc.mbtiles" --out "$TEST_TMP/inc-mb.pmtiles" --changes "$TEST_TMP/none.txt"
  [ ! -s "$TEST_TMP/none.txt" ] || fail "no change since the MBTiles, yet listed: $(head -3 "$TEST_TMP/none.txt")"
  node "$CMP" "$TEST_TMP/full.pmtiles" "$TEST_TMP/inc-mb.pmtiles" "$TEST_TMP/addr" > "$TEST_TMP/cmp2.json" ||
    fail "compare_archives.mjs (MBTiles)"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(1 if d['differ'] else 0)" \
    "$TEST_TMP/cmp2.json" || fail "MBTiles incremental differs: $(head -c 300 "$TEST_TMP/cmp2.json")"
  ok
  # from an MBTiles archive of the old version into MBTiles (its unchanged tiles copied in SQL):
  # the same purge list, and every tile (address and bytes) of the MBTiles checked above
  seed --db "$db" --since "${old%.pmtiles}.mbtiles" --out "$TEST_TMP/inc2.mbtiles" --changes "$TEST_TMP/purge2.txt"
  cmp -s "$TEST_TMP/purge.txt" "$TEST_TMP/purge2.txt" ||
    fail "$layer: MBTiles → MBTiles lists other URLs: $(diff "$TEST_TMP/purge.txt" "$TEST_TMP/purge2.txt" | head -5)"
  for f in inc inc2; do
    sqlite3 "$TEST_TMP/$f.mbtiles" "SELECT zoom_level, tile_column, tile_row, hex(tile_data) FROM tiles
                                    ORDER BY 1, 2, 3" > "$TEST_TMP/$f.dump" || fail "sqlite3 $f.mbtiles"
  done
  [ -s "$TEST_TMP/inc.dump" ] && cmp -s "$TEST_TMP/inc.dump" "$TEST_TMP/inc2.dump" ||
    fail "$layer: MBTiles → MBTiles tiles differ from the full seed's ($(wc -l < "$TEST_TMP/inc.dump") against $(wc -l < "$TEST_TMP/inc2.dump") rows)"
  ok
  # from an MBTiles archive of the old version into PMTiles (its runs read from its tile map):
  # the same purge list, and the full seed's directories and tile data byte for byte (the
  # metadata's bounds come back from MBTiles' text rounded to 7 decimals)
  seed --db "$db" --since "${old%.pmtiles}.mbtiles" --out "$TEST_TMP/inc3.pmtiles" --changes "$TEST_TMP/purge3.txt"
  cmp -s "$TEST_TMP/purge.txt" "$TEST_TMP/purge3.txt" ||
    fail "$layer: MBTiles → PMTiles lists other URLs: $(diff "$TEST_TMP/purge.txt" "$TEST_TMP/purge3.txt" | head -5)"
  python3 - "$TEST_TMP/full.pmtiles" "$TEST_TMP/inc3.pmtiles" <<'PY' || fail "$layer: MBTiles → PMTiles differs from the full seed"
import struct, sys
def parts(p):
    b = open(p, "rb").read()
    f = struct.unpack("<8Q", b[8:72])  # root, metadata, leaves, data: offset and length each
    return [b[f[i]:f[i] + f[i + 1]] for i in (0, 4, 6)]
a, b = parts(sys.argv[1]), parts(sys.argv[2])
assert len(a[2]) > 0, "no tile data"
for name, x, y in zip(("root directory", "leaf directories", "tile data"), a, b):
    assert x == y, f"{name}: {len(x)} against {len(y)} bytes"
PY
  ok
}

# http_list LAYER FROM TO ZOOMS: every page of /tiles/LAYER/changes, followed by next_offset
http_list() {
  local offset=0 n=0
  : > "$TEST_TMP/http.txt"
  while [ -n "$offset" ] && [ "$offset" != None ]; do
    http_get "/tiles/$1/changes?from=$2&to=$3&zoom=$4&limit=1000&offset=$offset"
    expect_status 200 "changes page"
    python3 -c "
import json,sys; d=json.load(open(sys.argv[1]))
open(sys.argv[2],'a').write(''.join(u+'\n' for u in d['urls']))
assert d['counts']['urls'] == d['counts']['tiles'] + d['counts']['images']
print(d['next_offset'])" "$TEST_TMP/body" "$TEST_TMP/http.txt" > "$TEST_TMP/next" || fail "changes page"
    offset=$(cat "$TEST_TMP/next")
    n=$((n + 1)); [ $n -lt 100 ] || fail "too many pages"
  done
  cmp -s "$TEST_TMP/http.txt" "$TEST_TMP/purge.txt" ||
    fail "HTTP list differs from the CLI's: $(diff "$TEST_TMP/http.txt" "$TEST_TMP/purge.txt" | head -5)"
  ok
}

# --- the demo: parks ---
DB=$(demo_db 2000)
BOX=$(sqlite3 "$DB" "SELECT minx||' '||miny||' '||maxx||' '||maxy FROM teselas_layers WHERE id='parques'")
seed --db "$DB" --layers parques --zoom 0-16 --out "$TEST_TMP/old.pmtiles"
seed --db "$DB" --layers parques --zoom 0-16 --out "$TEST_TMP/old.mbtiles"
MULTI=colonias,parques,incidentes
seed --db "$DB" --layers "$MULTI" --zoom 0-15 --out "$TEST_TMP/old-multi.pmtiles"
seed --db "$DB" --layers "$MULTI" --zoom 0-15 --out "$TEST_TMP/old-multi.mbtiles"
mkdir -p "$TEST_TMP/src2"
cp "$(dirname "$DB")"/leon-sources/* "$TEST_TMP/src2/"
# an interior park moved, one removed (every later park is renumbered), one added
edit "$(dirname "$DB")/leon-sources/parques.geojson" "$TEST_TMP/src2/parques.geojson" 100 200 50
"$TESELAS" publish "$LEON" --db "$DB" --sources "$TEST_TMP/src2" --quiet > "$TEST_TMP/pub.log" 2>&1 ||
  fail "publish: $(tail -5 "$TEST_TMP/pub.log")"
# the edits stay inside the layer's bounds, so a full seed covers the archive's box
NEWBOX=$(sqlite3 "$DB" "SELECT minx||' '||miny||' '||maxx||' '||maxy FROM teselas_layers WHERE id='parques'")
[ "$NEWBOX" = "$BOX" ] || fail "the edit moved the bounds: $BOX -> $NEWBOX"
[ "$(sqlite3 "$DB" "SELECT version FROM teselas_layers WHERE id='parques'")" = 2 ] || fail "no version 2"
# three layers, one changed: the incidents' clusters and the colonias are kept from the archive
PARKS_BOX=$BOX
BOX=$(sqlite3 "$DB" "SELECT min(minx)||' '||min(miny)||' '||max(maxx)||' '||max(maxy) FROM teselas_layers
                     WHERE id IN ('colonias','parques','incidentes')")
check_incremental "$DB" "$MULTI" 0 15 "$TEST_TMP/old-multi.pmtiles"
BOX=$PARKS_BOX
check_incremental "$DB" parques 0 16 "$TEST_TMP/old.pmtiles"
python3 - "$TEST_TMP/purge.txt" <<'PY' || fail "PNG URLs: $(grep -v '^/tiles' "$TEST_TMP/purge.txt" | head -3)"
import sys
lines = [l.strip() for l in open(sys.argv[1])]
png = [l for l in lines if l.startswith("/styles/")]
styles = {l.split("/")[2] for l in png}
assert {"leon", "parques", "todas"} <= styles, styles
assert not any(l.startswith("/styles/incidentes/") for l in png)
assert any(l.endswith("@2x.png") for l in png) and any(not l.endswith("@2x.png") for l in png)
PY
ok
start_server "$DB" --quiet
http_list parques 1 2 0-16
# the PNG tiles that changed: drawn before (an earlier server cannot: the old version is gone from
# the catalog) — so drawn now and compared with a rollback's drawing of version 1 at the vector
# list's addresses, every one that differs must be listed
grep '^/tiles/' "$TEST_TMP/purge.txt" | sed -n 's|^/tiles/parques/\([0-9]*\)/\([0-9]*\)/\([0-9]*\)\.pbf$|\1 \2 \3|p' |
  awk '$1 >= 10 && n++ < 40' > "$TEST_TMP/png_addr"
while read -r z x y; do curl -sf -o "$TEST_TMP/png_new_${z}_${x}_${y}" "$BASE/styles/parques/$z/$x/$y.png" || fail "png"; done < "$TEST_TMP/png_addr"
stop_server
"$TESELAS" rollback parques --db "$DB" --to 1 > /dev/null 2>&1 || fail "rollback"
start_server "$DB" --quiet
while read -r z x y; do
  curl -sf -o "$TEST_TMP/png_old" "$BASE/styles/parques/$z/$x/$y.png" || fail "png"
  if ! cmp -s "$TEST_TMP/png_old" "$TEST_TMP/png_new_${z}_${x}_${y}"; then
    grep -qx "/styles/parques/$z/$x/$y.png" "$TEST_TMP/purge.txt" || fail "PNG $z/$x/$y changed and is not listed"
  fi
done < "$TEST_TMP/png_addr"
ok
# from 2 to 3 (the rollback): the same tiles back
http_get "/tiles/parques/changes?from=2&to=3&zoom=0-16&limit=1"
expect_status 200 "changes 2→3"
expect_json "d['counts']['tiles'] == $(grep -c '^/tiles/' "$TEST_TMP/purge.txt")"
# bad parameters: 4xx JSON that never repeats what was sent
for q in "from=1" "from=a&to=2" "from=2&to=1" "from=1&to=2&zoom=9-3" "from=1&to=2&zoom=x" \
         "from=1&to=2&limit=0" "from=1&to=2&limit=5000" "from=1&to=2&offset=-1" "from=1&to=99999"; do
  http_get "/tiles/parques/changes?$q"
  case "$STATUS" in 400|404) ;; *) fail "$q: HTTP $STATUS" ;; esac
  expect_json "'code' in d and 'description' in d and '99999' not in d['description']"
done
http_get "/tiles/nada-zzz/changes?from=1&to=2"
expect_status 404 "unknown layer"
expect_json "'nada-zzz' not in d['description']"
# too many tiles: 413; on a slow machine the request's time bound may end it first, and then it is
# a 503 that says so (never a 500)
http_get "/tiles/parques/changes?from=1&to=2&zoom=0-24"
case "$STATUS" in
  413) ok ;;
  503) expect_json "'longer than one request may take' in d['description']" ;;
  *) fail "zoom 0-24: HTTP $STATUS: $(head -c 300 "$TEST_TMP/body")" ;;
esac
stop_server

# a version no longer kept: the definition keeps 2, so three more imports drop version 1
for i in 1 2; do
  edit "$TEST_TMP/src2/parques.geojson" "$TEST_TMP/src2/p.geojson" 10 20 30
  mv "$TEST_TMP/src2/p.geojson" "$TEST_TMP/src2/parques.geojson"
  "$TESELAS" publish "$LEON" --db "$DB" --sources "$TEST_TMP/src2" --quiet > "$TEST_TMP/pub.log" 2>&1 || fail "publish"
done
rc=0
"$TESELAS" seed --db "$DB" --since "$TEST_TMP/old.pmtiles" --out "$TEST_TMP/x.pmtiles" 2> "$TEST_TMP/err" || rc=$?
[ "$rc" = 1 ] && grep -q "version 1 of layer parques" "$TEST_TMP/err" && [ ! -e "$TEST_TMP/x.pmtiles" ] ||
  fail "a version no longer kept: exit $rc, $(cat "$TEST_TMP/err")"
ok
rc=0
"$TESELAS" seed --db "$DB" --since 7 --out "$TEST_TMP/old.pmtiles" 2> "$TEST_TMP/err" || rc=$?
[ "$rc" = 1 ] && grep -q "made from version 1" "$TEST_TMP/err" || fail "--since a wrong version: $(cat "$TEST_TMP/err")"
ok
# an earlier archive cut short (its tile data ends early): an error naming it, nothing written
size=$(stat -c %s "$TEST_TMP/old.pmtiles")
head -c $((size - 1000)) "$TEST_TMP/old.pmtiles" > "$TEST_TMP/cut.pmtiles"
rc=0
"$TESELAS" seed --db "$DB" --since "$TEST_TMP/cut.pmtiles" --out "$TEST_TMP/y.pmtiles" 2> "$TEST_TMP/err" || rc=$?
[ "$rc" = 1 ] && grep -q "cut.pmtiles" "$TEST_TMP/err" && [ ! -e "$TEST_TMP/y.pmtiles" ] ||
  fail "an earlier archive cut short: exit $rc, $(cat "$TEST_TMP/err")"
ok
# an archive made by another build (its record names another output id, or none, as builds
# before output ids wrote): its tiles may not be this build's, so nothing is copied from it
python3 - "$TEST_TMP/old.mbtiles" "$OUTPUT_ID" <<'PY' || fail "the seed record does not name this build"
import json, sqlite3, sys
rec = json.loads(sqlite3.connect(sys.argv[1]).execute(
    "SELECT value FROM metadata WHERE name = 'teselas:seed'").fetchone()[0])
assert rec["output"] == sys.argv[2], rec
PY
for other in '"output": "00000000"' 'no output'; do
  cp "$TEST_TMP/old.mbtiles" "$TEST_TMP/other.mbtiles"
  python3 - "$TEST_TMP/other.mbtiles" "$other" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rec = json.loads(db.execute("SELECT value FROM metadata WHERE name = 'teselas:seed'").fetchone()[0])
if sys.argv[2] == "no output": del rec["output"]
else: rec["output"] = "00000000"
db.execute("UPDATE metadata SET value = ? WHERE name = 'teselas:seed'", (json.dumps(rec),))
db.commit()
PY
  rc=0
  "$TESELAS" seed --db "$DB" --since "$TEST_TMP/other.mbtiles" --out "$TEST_TMP/z.mbtiles" \
    --changes "$TEST_TMP/z.txt" 2> "$TEST_TMP/err" || rc=$?
  [ "$rc" = 1 ] && grep -q "another build of teselas" "$TEST_TMP/err" && grep -q "seed it in full" "$TEST_TMP/err" &&
    [ ! -e "$TEST_TMP/z.mbtiles" ] && [ ! -e "$TEST_TMP/z.txt" ] ||
    fail "an archive of another build ($other): exit $rc, $(cat "$TEST_TMP/err")"
  ok
done

# --- a database made only from third-party files: SSP-CDMX police cuadrantes ---
TP="$TEST_TMP/tp.db"
ogr2ogr -f GeoJSON -t_srs EPSG:4326 "$TEST_TMP/cuad1.geojson" "/vsizip/$TESELAS_TEST_DATA/cdmx-ssp/cuadrantes_shp.zip" \
  > "$TEST_TMP/ogr.log" 2>&1 || fail "ogr2ogr: $(cat "$TEST_TMP/ogr.log")"
edit "$TEST_TMP/cuad1.geojson" "$TEST_TMP/cuad2.geojson" 400 300 500
for f in cuad1 cuad2; do
  "$TESELAS" import "$TEST_TMP/$f.geojson" --db "$TP" --layer cuadrantes --quiet > "$TEST_TMP/imp.log" 2>&1 ||
    fail "import $f: $(tail -5 "$TEST_TMP/imp.log")"
  if [ $f = cuad1 ]; then
    seed --db "$TP" --layers cuadrantes --zoom 8-15 --out "$TEST_TMP/tp-old.pmtiles"
    seed --db "$TP" --layers cuadrantes --zoom 8-15 --out "$TEST_TMP/tp-old.mbtiles"
    BOX=$(sqlite3 "$TP" "SELECT minx||' '||miny||' '||maxx||' '||maxy FROM teselas_layers WHERE id='cuadrantes'")
  fi
done
check_incremental "$TP" cuadrantes 8 15 "$TEST_TMP/tp-old.pmtiles"
start_server "$TP" --quiet
http_list cuadrantes 1 2 8-15
stop_server

# --- lines across the one-pixel rule: the cuadrantes' boundaries as lines (third-party), one of
# them shrunk around its centre to 0.9 px at z12 in the first version and to 1.2 px in the
# second, so that at z12 it is dropped before and drawn after (and drawn, changed, above) ---
ogr2ogr -f GeoJSON -nlt MULTILINESTRING "$TEST_TMP/lin0.geojson" "$TEST_TMP/cuad1.geojson" \
  > "$TEST_TMP/ogr.log" 2>&1 || fail "ogr2ogr lines: $(cat "$TEST_TMP/ogr.log")"
python3 - "$TEST_TMP/lin0.geojson" "$TEST_TMP" <<'PY' || fail "making the line versions"
import json, math, sys
d = json.load(open(sys.argv[1])); f = d["features"]
def pts(c): return [c] if isinstance(c[0], (int, float)) else [p for x in c for p in pts(x)]
def wx(lon): return (lon + 180) / 360
def wy(lat): return (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2
def px(c, z=12):  # the larger side of the box in pixels of a 256-px tile at zoom z
    p = pts(c)
    xs = [wx(q[0]) for q in p]; ys = [wy(q[1]) for q in p]
    return max(max(xs) - min(xs), max(ys) - min(ys)) * (1 << z) * 256
def scaled(c, k, cx, cy):
    return [cx + (c[0] - cx) * k, cy + (c[1] - cy) * k] if isinstance(c[0], (int, float)) else [scaled(x, k, cx, cy) for x in c]
g = f[300]["geometry"]; c = g["coordinates"]; p = pts(c)
cx = (min(q[0] for q in p) + max(q[0] for q in p)) / 2; cy = (min(q[1] for q in p) + max(q[1] for q in p)) / 2
for name, target in (("lin1", 0.9), ("lin2", 1.2)):
    k = target / px(c)
    g["coordinates"] = scaled(c, k, cx, cy)
    assert abs(px(g["coordinates"]) - target) < 0.02, px(g["coordinates"])
    json.dump(d, open(f"{sys.argv[2]}/{name}.geojson", "w"))
PY
for f in lin1 lin2; do
  "$TESELAS" import "$TEST_TMP/$f.geojson" --db "$TP" --layer lineas --quiet > "$TEST_TMP/imp.log" 2>&1 ||
    fail "import $f: $(tail -5 "$TEST_TMP/imp.log")"
  if [ $f = lin1 ]; then
    seed --db "$TP" --layers lineas --zoom 8-15 --out "$TEST_TMP/lin-old.pmtiles"
    seed --db "$TP" --layers lineas --zoom 8-15 --out "$TEST_TMP/lin-old.mbtiles"
    BOX=$(sqlite3 "$TP" "SELECT minx||' '||miny||' '||maxx||' '||maxy FROM teselas_layers WHERE id='lineas'")
  fi
done
[ "$(sqlite3 "$TP" "SELECT minx||' '||miny||' '||maxx||' '||maxy FROM teselas_layers WHERE id='lineas'")" = "$BOX" ] ||
  fail "the shrunk line moved the layer's bounds"
check_incremental "$TP" lineas 8 15 "$TEST_TMP/lin-old.pmtiles"
# the line is in the z12 tiles of the second version only: the list names z12 tiles
grep -q '^/tiles/lineas/12/' "$TEST_TMP/purge.txt" || fail "no z12 tile listed for the line that crossed a pixel"
ok

echo "ok: $N_CHECKS checks"
