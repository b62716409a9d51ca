#!/usr/bin/env bash
# Vector tiles read by third-party decoders (npm @mapbox/vector-tile + pbf, and GDAL's MVT driver)
# and compared with the source database: layer names and order, version 2, extent 4096, feature
# ids = source fids, feature sets = the source features intersecting the buffered tile, property
# types (bool, int, double, string; NULL omitted), point positions, polygon winding (MVT 2.1
# §4.3.4.4), ring validity (decode.mjs and GEOS), holes, clipped areas and lengths — for points,
# lines and polygons with holes, at a tile edge, with several layers in one tile, above maxzoom,
# gzip-compressed, and through the OGC API - Tiles alias (row/column order).
# Every assertion on one tile is in tests/tiles/check_tile.py.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"
need_decoders

DB=$(demo_db 5000)
start_server "$DB" --quiet
q() { sqlite3 -cmd ".load mod_spatialite" "$DB" "$1"; }

# --- points: the city centre at z14 and z16 (no clustering from z14 on) ---
read -r X Y < <(tile_of 14 -101.68 21.12)
check_tile "$DB" incidentes 14 "$X" "$Y"
tile_json 'd["layers"]["incidentes"]["length"] >= 20'
read -r X Y < <(tile_of 16 -101.68 21.12)
check_tile "$DB" incidentes 16 "$X" "$Y"

# --- a polygon with a hole, whole inside one z16 tile: 2 rings, exterior then hole ---
read -r FID LON LAT < <(q "SELECT fid, X(ST_Centroid(geom)), Y(ST_Centroid(geom)) FROM lyr_parques_v1
  WHERE NumInteriorRings(geom) > 0 AND superficie_m2 < 40000 ORDER BY fid LIMIT 1" | tr '|' ' ')
[ -n "$FID" ] || fail "the demo has no park with a hole"
read -r X Y < <(tile_of 16 "$LON" "$LAT")
check_tile "$DB" parques 16 "$X" "$Y"
tile_json "[ [r['exterior'] for r in f['rings']] for f in d['layers']['parques']['features']
            if f['id'] == $FID ] == [[True, False]]"
# and above maxzoom (overzoom from z16 data): the same park, still exact
read -r X Y < <(tile_of 18 "$LON" "$LAT")
check_tile "$DB" parques 18 "$X" "$Y"
tile_json "any(f['id'] == $FID for f in d['layers']['parques']['features'])"

# --- lines: a river at z16 and z14, cut by the tile edges ---
read -r LON LAT < <(q "SELECT X(ST_PointN(ST_GeometryN(geom, 1), 3)), Y(ST_PointN(ST_GeometryN(geom, 1), 3))
  FROM lyr_rios_canales_v1 ORDER BY fid LIMIT 1" | tr '|' ' ')
for z in 16 14; do
  read -r X Y < <(tile_of $z "$LON" "$LAT")
  check_tile "$DB" rios-canales $z "$X" "$Y"
  tile_json 'any(f["bbox"][0] <= -64 or f["bbox"][2] >= 4160 or f["bbox"][1] <= -64 or f["bbox"][3] >= 4160
                 for f in d["layers"]["rios-canales"]["features"])'
done

# --- polygons cut by the tile edge: colonias tile the city, so every z16 tile cuts some ---
read -r X Y < <(tile_of 16 -101.68 21.12)
check_tile "$DB" colonias,cuerpos-agua,parques 16 "$X" "$Y"
tile_json 'any(f["bbox"][0] == -64 or f["bbox"][2] == 4160 or f["bbox"][1] == -64 or f["bbox"][3] == 4160
               for f in d["layers"]["colonias"]["features"])'

# --- every layer in one tile, at z12 (polygons generalised: sub-pixel ones may drop), z13, z14 ---
for z in 12 13 14; do
  read -r X Y < <(tile_of $z -101.68 21.12)
  check_tile "$DB" "$ALL_LAYERS" $z "$X" "$Y"
done
# (each polygon layer's label points follow it when a label falls here: check_tile.py)
tile_json '[n for n in d["layers"] if not n.endswith(":labels")] == ["limite-municipal", "colonias", "parques", "rios-canales", "incidentes"]'
# the order of the request is the order of the layers in the tile
check_tile "$DB" incidentes,parques,colonias 14 "$X" "$Y"
tile_json '[n for n in d["layers"] if not n.endswith(":labels")] == ["incidentes", "parques", "colonias"]'

# --- generalised zooms: every z10 tile of the city and the 3x3 z12 tiles around the centre, all
#     layers; sub-pixel polygons and lines may be dropped there, nothing else ---
read -r X0 Y0 < <(tile_of 10 -101.83 21.35)
read -r X1 Y1 < <(tile_of 10 -101.44 20.97)
for x in $(seq "$X0" "$X1"); do for y in $(seq "$Y0" "$Y1"); do
  fetch_tile "$ALL_LAYERS" 10 "$x" "$y"
  [ "$STATUS" = 200 ] && check_tile "$DB" "$ALL_LAYERS" 10 "$x" "$y"
done; done
read -r X Y < <(tile_of 12 -101.68 21.12)
for dx in -1 0 1; do for dy in -1 0 1; do
  check_tile "$DB" "$ALL_LAYERS" 12 $((X + dx)) $((Y + dy))
done; done

# --- the checker itself, on the z12 centre tile with one colonia filtered out: it lets one go
#     that has less than a pixel inside the tile (it grazes the tile, and simplification may
#     collapse it) and catches the drop of the thinnest one that reaches further in ---
read -r X Y < <(tile_of 12 -101.68 21.12)
read -r GRAZE DEEP < <(python3 - "$TILES_DIR" "$DB" 12 "$X" "$Y" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import check_tile as ct
db, (z, x, y) = sys.argv[2], map(int, sys.argv[3:6])
t = ct.sql(db, "SELECT table_name FROM teselas_layers WHERE id = 'colonias'")[0]["table_name"]
ins = ct.inside_extents(db, t, sorted(ct.ids_in(db, t, z, x, y, 63)), z, x, y)
graze = [f for f, e in ins.items() if 0 < max(e) < 16]
deep = sorted((max(e), f) for f, e in ins.items() if max(e) >= 16)[:1]
clave = lambda f: ct.sql(db, f'SELECT clave FROM "{t}" WHERE fid = {f}')[0]["clave"]
print(clave(graze[0]) if graze else "-", clave(deep[0][1]) if deep else "-")
EOF
)
[ "$GRAZE" != - ] && [ "$DEEP" != - ] || fail "no grazing or no deep colonia in 12/$X/$Y"
for c in "$GRAZE:0" "$DEEP:1"; do
  dir="$TEST_TMP/self/${c%%:*}/12/$X"
  mkdir -p "$dir"
  curl -s -G -o "$dir/$Y.pbf" --data-urlencode "filter=clave <> '${c%%:*}'" \
    "$BASE/tiles/colonias/12/$X/$Y.pbf"
  rc=0
  python3 "$TILES_DIR/check_tile.py" --db "$DB" --tile "$dir/$Y.pbf" --layers colonias \
    >"$TEST_TMP/self.out" 2>&1 || rc=1
  [ "$rc" = "${c##*:}" ] || fail "check_tile.py with colonia ${c%%:*} dropped: exit $rc: $(cat "$TEST_TMP/self.out")"
done
ok

# --- the typed properties were really exercised by the tiles above ---
python3 - "$TEST_TMP"/t <<'EOF' || fail "property types not exercised"
import glob, json, sys
kinds, nulls, bools = set(), 0, set()
for p in glob.glob(sys.argv[1] + "/**/*.json", recursive=True):
    for l in json.load(open(p))["layers"].values():
        for f in l["features"]:
            kinds |= set(f["kinds"].values())
            bools |= {v for k, v in f["props"].items() if f["kinds"][k] == "bool"}
            if l["name"] == "parques" and "fecha_rehabilitacion" not in f["props"]:
                nulls += 1
assert {"string", "double", "bool"} <= kinds and kinds & {"int", "uint", "sint"}, kinds
assert bools == {True, False}, bools
assert nulls > 0, "no NULL property seen"
EOF
ok

# --- gzip: the same tile, compressed, decodes to the same features ---
read -r X Y < <(tile_of 14 -101.68 21.12)
fetch_tile "$ALL_LAYERS" 14 "$X" "$Y" -H 'Accept-Encoding: gzip'
cp "$TILE" "$TEST_TMP/gz.pbf"
node "$TILES_DIR/decode.mjs" "$TEST_TMP/gz.pbf" > "$TEST_TMP/gz.json"
fetch_tile "$ALL_LAYERS" 14 "$X" "$Y"
node "$TILES_DIR/decode.mjs" "$TILE" > "$TEST_TMP/raw.json"
python3 -c "
import json,sys
a,b=json.load(open(sys.argv[1])),json.load(open(sys.argv[2]))
assert a['gzipped'] and not b['gzipped']
assert a['layers']==b['layers']" "$TEST_TMP/gz.json" "$TEST_TMP/raw.json" || fail "gzip tile differs"
ok

# --- .mvt is the same tile; the OGC alias takes row (y) before column (x) ---
read -r X Y < <(tile_of 15 -101.68 21.12)
fetch_tile parques 15 "$X" "$Y"
cp "$TILE" "$TEST_TMP/xyz.pbf"
curl -s -o "$TEST_TMP/mvt.pbf" "$BASE/tiles/parques/15/$X/$Y.mvt"
cmp -s "$TEST_TMP/xyz.pbf" "$TEST_TMP/mvt.pbf" || fail ".mvt differs from .pbf"
http_get "/collections/parques/tiles/WebMercatorQuad/15/$Y/$X"
expect_status 200 "OGC tile"
expect_header Content-Type application/vnd.mapbox-vector-tile
cmp -s "$TEST_TMP/xyz.pbf" "$TEST_TMP/body" || fail "OGC tile {z}/{y}/{x} differs from /tiles/{z}/{x}/{y}"
http_get "/collections/parques/tiles/WebMercatorQuad/15/$X/$Y"
cmp -s "$TEST_TMP/xyz.pbf" "$TEST_TMP/body" && fail "OGC alias ignores the row/column order"
ok

stop_server
done_checks
