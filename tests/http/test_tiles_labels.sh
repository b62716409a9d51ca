#!/usr/bin/env bash
# Label points of polygon layers: the 46 municipalities of Guanajuato (INEGI, ../shared/data), many
# spanning several tiles at z6-z9. Every tile of those zooms, decoded by npm @mapbox/vector-tile,
# holds in `municipios:labels` each municipality's label exactly once per zoom, inside its polygon
# by GDAL/GEOS, carrying the label field alone (tests/tiles/check_labels.py). TileJSON lists the
# layer with that one field, the automatic style's symbol layer reads it, and a seeded archive
# holds the same tile bytes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"

SRC="$(cd "$(dirname "$0")/../.." && pwd)/../shared/data/inegi-mg-guanajuato/AGEM_11.geojson"
[ -f "$SRC" ] || skip "the shared third-party data is not here ($SRC)"
PY=/usr/bin/python3  # Debian's, with GDAL's bindings (python3-gdal)
"$PY" -c "from osgeo import ogr" 2>/dev/null || skip "python3-gdal is not installed"
need_decoders

DB="$TEST_TMP/gto.db"
"$TESELAS" import "$SRC" --db "$DB" --layer municipios --quiet || fail "import of $SRC"
start_server "$DB" --quiet

http_get /tiles/municipios.json
expect_status 200 "TileJSON"
expect_json '[v["id"] for v in d["vector_layers"]] == ["municipios", "municipios:labels"]'
expect_json 'd["vector_layers"][1]["geometry_type"] == "Point" and d["vector_layers"][1]["labels_of"] == "municipios"'
expect_json 'd["vector_layers"][1]["fields"] == {"nom_agem": "String"} and len(d["vector_layers"][0]["fields"]) >= 9'
read -r W S E N < <(python3 -c 'import json,sys; print(*json.load(open(sys.argv[1]))["bounds"])' "$TEST_TMP/body")

http_get /styles/municipios/style.json
expect_status 200 "the automatic style"
expect_json '[(l.get("source-layer"), l["layout"]["text-field"]) for l in d["layers"] if l["type"] == "symbol"] == [("municipios:labels", ["get", "nom_agem"])]'

# every tile of z6-z9 over the layer, decoded
DEC="$TEST_TMP/dec"
n_tiles=0
while read -r z x y; do
  fetch_tile municipios "$z" "$x" "$y"
  case "$STATUS" in
    204) continue ;;
    200) ;;
    *) fail "tile $z/$x/$y: HTTP $STATUS" ;;
  esac
  mkdir -p "$DEC/$z/$x"
  node "$TILES_DIR/decode.mjs" "$TILE" >"$DEC/$z/$x/$y.json" || fail "decode.mjs on $z/$x/$y"
  n_tiles=$((n_tiles + 1))
done < <(tile_addresses "$W" "$S" "$E" "$N" 6 9)
[ "$n_tiles" -gt 20 ] || fail "only $n_tiles tiles"
"$PY" "$TILES_DIR/check_labels.py" --src "$SRC" --layer municipios --key cvegeo --label nom_agem \
  --dir "$DEC" --zooms 6-9 || fail "label points do not match the municipalities"
ok

# the checker itself: a label repeated in a second tile (what MapLibre did with the pieces) fails
mapfile -t WITH < <(grep -l '"municipios:labels"' "$DEC"/8/*/*.json)
[ "${#WITH[@]}" -ge 2 ] || fail "fewer than two z8 tiles hold labels"
python3 - "${WITH[0]}" "${WITH[1]}" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
b['layers']['municipios:labels']['features'].append(a['layers']['municipios:labels']['features'][0])
json.dump(b, open(sys.argv[2], 'w'))
PY
if "$PY" "$TILES_DIR/check_labels.py" --src "$SRC" --layer municipios --key cvegeo --label nom_agem \
  --dir "$DEC" --zooms 8-8 >/dev/null 2>&1; then fail "the checker let a repeated label through"; fi
ok

# an archive of z8 holds the label points too, in the bytes the server answers
"$TESELAS" seed --db "$DB" --layers municipios --zoom 8-8 --out "$TEST_TMP/gto.mbtiles" --quiet \
  >"$TEST_TMP/seed.log" 2>&1 || fail "seed: $(tail -3 "$TEST_TMP/seed.log")"
python3 - "$TEST_TMP/gto.mbtiles" "$BASE" <<'PY' || fail "the archive's tiles differ from the server's"
import gzip, json, sqlite3, sys, urllib.request
db = sqlite3.connect(sys.argv[1])
n = 0
for z, x, tms_y, data in db.execute('SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles'):
    y = (1 << z) - 1 - tms_y
    served = urllib.request.urlopen(f'{sys.argv[2]}/tiles/municipios/{z}/{x}/{y}.pbf').read()
    assert gzip.decompress(data) == served, f'{z}/{x}/{y}'
    n += b'municipios:labels' in served
vl = json.loads(db.execute("SELECT value FROM metadata WHERE name = 'json'").fetchone()[0])
assert [v['id'] for v in vl['vector_layers']] == ['municipios', 'municipios:labels'], vl
assert n > 0
PY
ok
stop_server
echo "PASS: $N_CHECKS checks"
