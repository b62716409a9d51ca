#!/usr/bin/env bash
# Filtered vector tiles: `datetime`, `PROP=VALUE` and `filter` (CQL2 text) on /tiles/{ids}/{z}/{x}/
# {y}.pbf (.mvt, the OGC alias, several layers), decoded with @mapbox/vector-tile (decode.mjs):
#  - a filtered tile holds exactly the features of the unfiltered tile that match the filter, with
#    the same geometries and properties; the matching ids come from the items API with the same
#    parameters and agree with hand-written SQL on the database; check_clusters.py --where rebuilds
#    the filtered tile from the source points (exact points at z14, clusters below);
#  - clustered zooms cluster the filtered rows: point_count sums plus single points equal the
#    items API's count when one tile holds the whole city;
#  - datetime intervals closed, open at either end, and an instant;
#  - ETag: differs between no filter and filters and between filters, equal for spellings that
#    compile alike; If-None-Match -> 304 with the filtered tag, whose Content-Length (if any) is
#    the 200's, never 0; the cache never hands one filter's tile to another (A, B, A against a
#    server without cache, bytes compared, cache hits seen in /metrics);
#  - 400 JSON naming the parameter for bad CQL2, unknown fields, non-queryables, parameters that
#    are not filters, over-long filters, and on several layers for a field one of them lacks
#    (naming that layer); never a 5xx;
#  - TileJSON with a filter repeats it in the tile URLs, and those URLs serve the filtered tile;
#  - privacy: on a generalised layer with dropped personal fields and on an aggregate layer, tiles
#    accept exactly the filters the items accept, and an error never repeats a filter's value.
source "$(dirname "$0")/features_lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"
need_decoders
PRIV="$(cd "$(dirname "$0")/../privacy" && pwd)"

DB=$(demo_db 5000)
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# The filters under test: name, query (URL-encoded) and the same condition in SQL on incidentes.
declare -A Q W
Q[y2025_night]="datetime=2025-01-01/2025-12-31&filter=$(enc 'hora>=20')"
W[y2025_night]="fecha >= '2025-01-01' AND fecha <= '2025-12-31' AND hora >= 20"
Q[tipo_eq]="tipo=$(enc 'robo a transeúnte')"
W[tipo_eq]="tipo = 'robo a transeúnte'"
Q[like_between]="filter=$(enc "tipo LIKE 'robo%' AND hora BETWEEN 8 AND 18")&filter-lang=cql2-text"
W[like_between]="tipo GLOB 'robo*' AND hora BETWEEN 8 AND 18"
Q[open_start]="datetime=../2025-01-01"
W[open_start]="fecha <= '2025-01-01'"
Q[open_end]="datetime=2025-01-01/.."
W[open_end]="fecha >= '2025-01-01'"
Q[instant]="datetime=2025-03-15"
W[instant]="fecha = '2025-03-15'"
Q[in_list]="filter=$(enc "tipo IN ('lesiones','riña') OR hora < 3")"
W[in_list]="tipo IN ('lesiones','riña') OR hora < 3"
FILTERS=(y2025_night tipo_eq like_between open_start open_end instant in_list)

# ftile NAME LAYERS Z X Y QUERY [curl args]: the tile into $TEST_TMP/f/NAME/LAYERS/Z/X/Y.pbf
# (the Z/X/Y.pbf path that check_clusters.py reads), decoded into $TILE.json when it has data.
ftile() {
  local name=$1 layers=$2 z=$3 x=$4 y=$5 q=$6; shift 6
  local dir="$TEST_TMP/f/$name/${layers//,/+}/$z/$x"
  mkdir -p "$dir"
  TILE="$dir/$y.pbf"
  STATUS=$(curl -s -o "$TILE" -D "$TEST_TMP/headers" -w '%{http_code}' "$@" \
    "$BASE/tiles/$layers/$z/$x/$y.pbf${q:+?$q}")
  case "$STATUS" in
    200) node "$TILES_DIR/decode.mjs" "$TILE" > "$TILE.json" || fail "decode $name $layers/$z/$x/$y" ;;
    204) echo '{"layers": {}, "problems": []}' > "$TILE.json" ;;
    *) fail "$layers/$z/$x/$y?$q: HTTP $STATUS $(head -c 300 "$TILE")" ;;
  esac
}

# ids_file NAME LAYER TABLE: the ids matching filter NAME on LAYER from the items API (every page)
# and from SQL on the database must agree; written to $TEST_TMP/ids.NAME.LAYER.
ids_file() {
  local name=$1 layer=$2 table=$3 out="$TEST_TMP/ids.$1.$2"
  walk_ids "/collections/$layer/items?limit=10000&${Q[$name]}" | sort -n > "$out"
  sqlite3 "$DB" "SELECT fid FROM $table WHERE ${W[$name]}" | sort -n > "$out.sql"
  cmp -s "$out" "$out.sql" || fail "$name: items API and SQL disagree ($(wc -l < "$out") vs $(wc -l < "$out.sql") ids)"
  ok
}

# subset UNFILTERED.json FILTERED.json LAYER IDS: the filtered tile's LAYER is the unfiltered one
# restricted to IDS (same geometry, properties and order); prints the feature count.
subset() {
  python3 - "$@" <<'EOF' || fail "filtered tile $2 is not the unfiltered tile restricted to the filter"
import json, sys
full, filt = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
layer, ids = sys.argv[3], {int(l) for l in open(sys.argv[4]) if l.strip()}
assert not filt["problems"], filt["problems"]
want = [f for f in full["layers"].get(layer, {"features": []})["features"] if f["id"] in ids]
got = filt["layers"].get(layer, {"features": [], "problems": []})
assert not got.get("problems"), got.get("problems")
key = lambda f: (f["id"], json.dumps(f["geometry"]), json.dumps(f["props"], sort_keys=True))
g, w = [key(f) for f in got["features"]], [key(f) for f in want]
gi, wi = {x[0] for x in g}, {x[0] for x in w}
assert g == w, (f"{layer}: {len(g)} features, {len(w)} expected; "
                f"extra {sorted(gi - wi)[:5]}, missing {sorted(wi - gi)[:5]}")
print(len(g))
EOF
}

start_server "$DB" --quiet
read -r X Y < <(tile_of 14 -101.68 21.12)

# ---- features: the unfiltered tile restricted to the items API's answer, at z14 and z16 ----------
for z in 14 16; do
  read -r X Y < <(tile_of $z -101.68 21.12)
  ftile none incidentes $z "$X" "$Y" ""
  seen=0
  for name in "${FILTERS[@]}"; do
    if [ $z = 14 ]; then ids_file "$name" incidentes lyr_incidentes_v1; fi
    ftile "$name" incidentes $z "$X" "$Y" "${Q[$name]}"
    n=$(subset "$TEST_TMP/f/none/incidentes/$z/$X/$Y.pbf.json" "$TILE.json" incidentes \
          "$TEST_TMP/ids.$name.incidentes")
    ok
    seen=$((seen + n))
    # and rebuilt from the source points by check_clusters.py (exact points from z14 on)
    if [ "$STATUS" = 200 ]; then
      python3 "$TILES_DIR/check_clusters.py" --db "$DB" --tile "$TILE" --layer incidentes \
        --where "${W[$name]}" > /dev/null || fail "$name: $z/$X/$Y against the source"
      ok
    fi
  done
  [ "$seen" -ge 10 ] || fail "the filters selected only $seen features at z$z: a weak test"
  echo "  z$z/$X/$Y: ${#FILTERS[@]} filters kept $seen features in all, each the items API's answer"
done
# the filters really filter: none of them keeps the whole tile, and the instant is one day
read -r X Y < <(tile_of 14 -101.68 21.12)
python3 - "$TEST_TMP/f" "$X" "$Y" "${FILTERS[@]}" <<'EOF' || fail "filters do not filter"
import json, sys
root, x, y, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def feats(n):
    d = json.load(open(f"{root}/{n}/incidentes/14/{x}/{y}.pbf.json"))
    return d["layers"].get("incidentes", {"features": []})["features"]
full = len(feats("none"))
for n in names:
    assert len(feats(n)) < full, n
assert all(f["props"]["fecha"] == "2025-03-15" for f in feats("instant"))
assert all(f["props"]["fecha"] <= "2025-01-01" for f in feats("open_start"))
assert all(f["props"]["fecha"] >= "2025-01-01" for f in feats("open_end"))
EOF
ok

# ---- clusters: filtered rows clustered, counts equal to the source and to numberMatched ----------
for z in 10 12; do
  read -r CX CY < <(tile_of $z -101.68 21.12)
  for name in y2025_night tipo_eq like_between open_start; do
    ftile "$name" incidentes $z "$CX" "$CY" "${Q[$name]}"
    [ "$STATUS" = 200 ] || fail "$name z$z: HTTP $STATUS"
    python3 "$TILES_DIR/check_clusters.py" --db "$DB" --tile "$TILE" --layer incidentes \
      --where "${W[$name]}" || fail "$name: clusters of $z/$CX/$CY"
    ok
  done
done
# the largest zoom whose one tile holds every incident: its point_count sum + single points must
# be the number of features the items API lists for the same filter (and less than the layer)
BOUNDS=$(sqlite3 "$DB" "SELECT minx, miny, maxx, maxy FROM teselas_layers WHERE id = 'incidentes'")
read -r ZC XC YC < <(python3 - ${BOUNDS//|/ } <<'EOF'
import math, sys
minx, miny, maxx, maxy = map(float, sys.argv[1:])
def t(z, lon, lat):
    n = 2 ** z; s = math.sin(math.radians(lat))
    return int((lon + 180) / 360 * n), int((0.5 - 0.25 * math.log((1 + s) / (1 - s)) / math.pi) * n)
z = max(z for z in range(7, 14) if t(z, minx, maxy) == t(z, maxx, miny))
print(z, *t(z, minx, maxy))
EOF
)
for name in "${FILTERS[@]}"; do
  ftile "$name" incidentes "$ZC" "$XC" "$YC" "${Q[$name]}"
  # numberMatched is left out above 1,000 matches: count the features of one page holding them all
  get "/collections/incidentes/items?limit=10000&${Q[$name]}"
  matched=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "next" not in {l["rel"] for l in d["links"]}; print(len(d["features"]))' "$TEST_TMP/body")
  python3 - "$TILE.json" "$matched" <<'EOF' || fail "$name: z$ZC point counts"
import json, sys
d, matched = json.load(open(sys.argv[1])), int(sys.argv[2])
fs = d["layers"].get("incidentes", {"features": []})["features"]
total = sum(f["props"]["point_count"] if f["props"].get("cluster") else 1 for f in fs)
assert any(f["props"].get("cluster") for f in fs) or matched < 50, "not clustered"
assert total == matched and 0 < matched < 5000, (total, matched)
EOF
  ok
done
echo "  clusters: z$ZC/$XC/$YC sums equal numberMatched for ${#FILTERS[@]} filters"

# ---- ETag, 304, equivalent spellings --------------------------------------------------------------
T="/tiles/incidentes/14/$X/$Y.pbf"
A="${Q[y2025_night]}"
A2="filter=$(enc '"hora" >=20')&datetime=2025-01-01/2025-12-31"   # same filter, other spelling and order
B="${Q[tipo_eq]}"
http_get "$T"; E0=$(etag); cp "$TEST_TMP/body" "$TEST_TMP/none.pbf"
http_get "$T?$A"; EA=$(etag); LA=$(stat -c %s "$TEST_TMP/body"); cp "$TEST_TMP/body" "$TEST_TMP/a.pbf"
http_get "$T?$A2"; EA2=$(etag); cmp -s "$TEST_TMP/body" "$TEST_TMP/a.pbf" || fail "another spelling, other bytes"
http_get "$T?$B"; EB=$(etag)
http_get "$T?v=1"; EV=$(etag)
for e in "$E0" "$EA" "$EB"; do [[ "$e" =~ ^\"[^\"]+\"$ ]] || fail "not a strong ETag: '$e'"; done
[ "$E0" != "$EA" ] && [ "$E0" != "$EB" ] && [ "$EA" != "$EB" ] || fail "ETags $E0 $EA $EB"
[ "$EA" = "$EA2" ] || fail "equivalent spellings: $EA vs $EA2"
[ "$EV" = "$E0" ] || fail "v= changes the ETag"
ok
http_get "/tiles/incidentes/14/$X/$Y.mvt?$A2"
expect_header ETag "$EA"
cmp -s "$TEST_TMP/body" "$TEST_TMP/a.pbf" || fail ".mvt differs"
http_get "/collections/incidentes/tiles/WebMercatorQuad/14/$Y/$X?$A"
expect_status 200 "OGC alias with a filter"
expect_header ETag "$EA"
cmp -s "$TEST_TMP/body" "$TEST_TMP/a.pbf" || fail "the OGC alias serves another tile"
ok
# 304 with the filtered tag
expect_304 "$T?$A" "$EA" "$LA"
expect_304 "$T?$A2" "$EA" "$LA"
expect_304 "$T" "$E0" "$(stat -c %s "$TEST_TMP/none.pbf")"
http_get "$T?$A" -H 'Accept-Encoding: gzip'
LAZ=$(stat -c %s "$TEST_TMP/body")
expect_header Content-Encoding gzip
expect_304 "$T?$A" "$EA" "$LAZ" -H 'Accept-Encoding: gzip'
expect_304 "/collections/incidentes/tiles/WebMercatorQuad/14/$Y/$X?$A" "$EA" "$LA"
# another filter's tag, or none, is not a match
for pair in "$T?$B|$EA" "$T|$EA" "$T?$A|$E0"; do
  http_get "${pair%%|*}" -H "If-None-Match: ${pair##*|}"
  expect_status 200 "If-None-Match of another filter"
done

# ---- the cache keeps filters apart: A, B, A with a cache equal A, B without one ------------------
stop_server || fail "server exited non-zero"
start_server "$DB" --quiet --tile-cache-mb 0
mkdir -p "$TEST_TMP/ref"
for v in none:"" a:"?$A" b:"?$B"; do
  curl -s -o "$TEST_TMP/ref/${v%%:*}.pbf" "$BASE$T${v#*:}"
  curl -s -H 'Accept-Encoding: gzip' "$BASE$T${v#*:}" | gzip -dc > "$TEST_TMP/ref/${v%%:*}.gz.pbf"
done
stop_server || fail "server exited non-zero"
start_server "$DB" --quiet
for round in 1 2; do
  for v in a:"?$A" b:"?$B" a:"?$A2" none:"" b:"?$B" a:"?$A"; do
    name=${v%%:*}; q=${v#*:}
    curl -s -o "$TEST_TMP/got.pbf" "$BASE$T$q"
    cmp -s "$TEST_TMP/got.pbf" "$TEST_TMP/ref/$name.pbf" || fail "round $round: $name$q differs from the uncached tile"
    curl -s -H 'Accept-Encoding: gzip' "$BASE$T$q" | gzip -dc > "$TEST_TMP/got.pbf"
    cmp -s "$TEST_TMP/got.pbf" "$TEST_TMP/ref/$name.gz.pbf" || fail "round $round: gzip $name$q differs"
    ok
  done
done
cmp -s "$TEST_TMP/ref/a.pbf" "$TEST_TMP/ref/b.pbf" && fail "filters A and B give the same tile: a weak test"
hits=$(curl -s "$BASE/metrics" | sed -n 's/^teselas_tile_cache_hits_total \([0-9]*\)$/\1/p')
[ "${hits:-0}" -ge 10 ] || fail "the cache was not used ($hits hits)"
ok

# ---- 400 JSON naming the parameter, for the tile, the .mvt, the OGC alias and TileJSON ------------
long=$(python3 -c 'print("tipo = %c%s%c" % (39, "x" * 5000, 39))')
many=$(python3 -c 'print("tipo IN (%s)" % ",".join("%c%d%c" % (39, i, 39) for i in range(60)))')
while IFS='|' read -r query param; do
  for path in "$T" "/tiles/incidentes/14/$X/$Y.mvt" "/collections/incidentes/tiles/WebMercatorQuad/14/$Y/$X" \
              /tiles/incidentes.json; do
    bad "$path?$query" "$param"
    expect_header Content-Type application/json
  done
done <<EOF
filter=$(enc 'hora >')|filter
filter=$(enc "hora > 'x'")|filter
filter=$(enc 'nope = 1')|filter
filter=$(enc 'geometry = 1')|filter
filter=$(enc "S_INTERSECTS(geometry, BBOX(1,2))")|filter
filter=|filter
filter-lang=cql2-json&filter=$(enc 'hora > 1')|filter-lang
filter-crs=EPSG:3857&filter=$(enc 'hora > 1')|filter-crs
datetime=2025-13-01|datetime
datetime=2025-02-01/2025-01-01|datetime
hora=abc|hora
nope=1|nope
bbox=-101.7,21.1,-101.6,21.2|bbox
limit=5|limit
f=json|f
properties=tipo|properties
hora=1&hora=2|hora
filter=$(enc "$long")|filter
filter=$(enc "$many")|filter
EOF
# the items answer the same filters with a 400 too (the unknown-parameter text differs)
for query in "filter=$(enc 'nope = 1')" "filter=$(enc 'hora >')" "hora=abc" "nope=1" "datetime=2025-13-01"; do
  get "/collections/incidentes/items?$query"
  status_is 400 "items?$query"
done
# a filter naming a field that one of several layers lacks: 400 naming that layer
# (not the name the client typed, which may be a value: "filter=Juan" reads as a name)
for query in "filter=$(enc 'hora >= 20')" "hora=20" "filter=$(enc "estado = 'abandonado'")"; do
  get "/tiles/parques,incidentes/14/$X/$Y.pbf?$query"
  status_is 400 "several layers, $query"
  python3 - "$TEST_TMP/body" <<'EOF' || fail "the 400 does not name the layer and field: $(cat "$TEST_TMP/body")"
import json, sys
d = json.load(open(sys.argv[1])); t = d["description"]
assert d["code"] == "invalid_parameter"
assert "parques" in t or "incidentes" in t, t
EOF
  ok
done
# never a 5xx, whatever the filter
for query in "filter=$(enc "tipo LIKE '%%%%'")" "filter=$(enc "(((((((((((((hora > 1)))))))))))))")" \
             "filter=$(printf '%%28%.0s' {1..200})" "filter=%00" "filter=$(enc "hora = 99999999999999999999")" \
             "filter=$(enc "S_INTERSECTS(geometry, POINT(-101.68 21.12))")" "datetime=../.." \
             "filter=$(enc "fecha > DATE('2025-01-01') AND fecha < TIMESTAMP('2025-06-01T00:00:00Z')")" \
             "v=../../&filter=$(enc "tipo = 'x'")" "filter=$(enc "tipo = '$(printf 'ñ%.0s' {1..300})'")"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$T?$query")
  [ "$code" -lt 500 ] && [ "$code" -ge 200 ] || fail "$code for $T?${query:0:80}"
  ok
done

# ---- several layers: each filtered with its own fields; a layer without a date field is empty -----
read -r XM YM < <(tile_of 14 -101.68 21.12)
L=colonias,incidentes
M="filter=$(enc "tipo IN ('urbana','lesiones','riña')")"
W[multi]="tipo IN ('urbana','lesiones','riña')"; Q[multi]=$M
ftile none $L 14 "$XM" "$YM" ""
ftile multi $L 14 "$XM" "$YM" "$M"
for layer in colonias incidentes; do
  ids_file multi $layer "lyr_${layer}_v1"
  n=$(subset "$TEST_TMP/f/none/colonias+incidentes/14/$XM/$YM.pbf.json" "$TILE.json" $layer "$TEST_TMP/ids.multi.$layer")
  [ "$n" -gt 0 ] || fail "several layers: no $layer feature kept"
  echo "  several layers: $n $layer features kept"
  ok
done
tile_json '[n for n in d["layers"] if not n.endswith(":labels")] == ["colonias", "incidentes"]'
W[multi_dt]="fecha >= '2025-06-01'"; Q[multi_dt]="datetime=2025-06-01/.."
ids_file multi_dt incidentes lyr_incidentes_v1
ftile multi_dt $L 14 "$XM" "$YM" "${Q[multi_dt]}"
subset "$TEST_TMP/f/none/colonias+incidentes/14/$XM/$YM.pbf.json" "$TILE.json" incidentes "$TEST_TMP/ids.multi_dt.incidentes" > /dev/null
tile_json 'list(d["layers"]) == ["incidentes"]'   # colonias has no date: nothing matches, as its items
get "/collections/colonias/items?datetime=2025-06-01/.."
json 'd["numberMatched"] == 0'

# ---- TileJSON with a filter: the tile URLs carry it and serve the filtered tile --------------------
get "/tiles/incidentes.json?$A&v=7"
status_is 200 "TileJSON with a filter"
url=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['tiles'][0])" "$TEST_TMP/body")
python3 - "$url" "$OUTPUT_ID" <<'EOF' || fail "TileJSON tile URL: $url"
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
assert u.path.endswith("/tiles/incidentes/{z}/{x}/{y}.pbf"), u.path
q = urllib.parse.parse_qsl(u.query, keep_blank_values=True)
assert q == [("v", "1-" + sys.argv[2]), ("datetime", "2025-01-01/2025-12-31"), ("filter", "hora>=20")], q
assert "{" not in u.query and " " not in u.query
EOF
ok
curl -s -o "$TEST_TMP/tj.pbf" "$(echo "$url" | sed "s/{z}/14/; s/{x}/$X/; s/{y}/$Y/")"
cmp -s "$TEST_TMP/tj.pbf" "$TEST_TMP/a.pbf" || fail "the TileJSON's tile URL serves another tile"
ok
get "/tiles/incidentes.json"
json 'd["tiles"][0].endswith("/tiles/incidentes/{z}/{x}/{y}.pbf?v=1-'"$OUTPUT_ID"'")'
get "/tiles/colonias,incidentes.json?$M&v=2"
json '__import__("urllib.parse").parse.parse_qsl(d["tiles"][0].split("?")[1]) == [("v", "1.1-'"$OUTPUT_ID"'"), ("filter", "tipo IN (\x27urbana\x27,\x27lesiones\x27,\x27riña\x27)")]'
stop_server || fail "server exited non-zero"

# ---- privacy: tiles take the filters the items take, on protected layers ---------------------------
CSV="$TEST_TMP/incidentes.csv"
PDB="$TEST_TMP/privado.db"
python3 "$PRIV/gen_incidents.py" 1500 8 > "$CSV"
"$TESELAS" import "$CSV" --db "$PDB" --layer generalizado --privacy generalize:grid=250 --quiet \
  --drop nombre_victima --drop telefono --drop curp --drop domicilio --date-field fecha \
  > "$TEST_TMP/import.out" 2>&1 || fail "import: $(cat "$TEST_TMP/import.out")"
"$TESELAS" import "$CSV" --db "$PDB" --layer celdas --privacy aggregate:grid=500,k=5,by=tipo,date=fecha \
  --quiet --drop nombre_victima --drop telefono --drop curp --drop domicilio --date-field fecha \
  > "$TEST_TMP/import.out" 2>&1 || fail "import: $(cat "$TEST_TMP/import.out")"
ok
DB=$PDB
start_server "$PDB" --quiet
read -r PX PY < <(tile_of 14 -101.68 21.12)
VICTIM=$(python3 -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1])))["nombre_victima"])' "$CSV")
PHONE=$(python3 -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1])))["telefono"])' "$CSV")
# a dropped field is no field: the same 400 from the items and the tiles, the value never echoed
for query in "filter=$(enc "nombre_victima = '$VICTIM'")" "nombre_victima=$(enc "$VICTIM")" \
             "filter=$(enc "telefono LIKE '$PHONE%'")" "filter=$(enc "tipo = '$VICTIM' AND curp = 'x'")"; do
  for path in "/collections/generalizado/items" "/tiles/generalizado/14/$PX/$PY.pbf" \
              "/collections/generalizado/tiles/WebMercatorQuad/14/$PY/$PX" "/tiles/generalizado.json" \
              "/tiles/celdas/14/$PX/$PY.pbf" "/collections/celdas/items"; do
    get "$path?$query"
    status_is 400 "$path?$query"
    ! grep -qF -e "$VICTIM" -e "$PHONE" "$TEST_TMP/body" || fail "$path echoes a personal value: $(cat "$TEST_TMP/body")"
    ok
  done
done
# what the items accept, the tiles accept, with the same features (generalised positions only)
W[p_tipo]="tipo = 'lesiones'"; Q[p_tipo]="tipo=lesiones"
W[p_edad]="edad >= 40 AND fecha >= '2025-03-01'"; Q[p_edad]="filter=$(enc 'edad >= 40')&datetime=2025-03-01/.."
for name in p_tipo p_edad; do
  ids_file "$name" generalizado lyr_generalizado_v1
  ftile none generalizado 14 "$PX" "$PY" ""
  ftile "$name" generalizado 14 "$PX" "$PY" "${Q[$name]}"
  n=$(subset "$TEST_TMP/f/none/generalizado/14/$PX/$PY.pbf.json" "$TILE.json" generalizado "$TEST_TMP/ids.$name.generalizado")
  [ "$n" -gt 0 ] || fail "privacy: $name kept nothing"
  echo "  privacy: $name kept $n generalised points, as the items"
  ok
done
# the aggregate layer publishes cells with counts: its tiles filter on those as its items do, and
# a category or a date is not there to filter on
W[p_casos]="casos >= 10"; Q[p_casos]="filter=$(enc 'casos >= 10')"
ids_file p_casos celdas lyr_celdas_v1
read -r CX CY < <(tile_of 12 -101.68 21.12)
ftile none celdas 12 "$CX" "$CY" ""
ftile p_casos celdas 12 "$CX" "$CY" "${Q[p_casos]}"
n=$(subset "$TEST_TMP/f/none/celdas/12/$CX/$CY.pbf.json" "$TILE.json" celdas "$TEST_TMP/ids.p_casos.celdas")
[ "$n" -gt 0 ] || fail "privacy: no cell with casos >= 10"
echo "  privacy: $n cells with casos >= 10, as the items"
ok
for query in "tipo=lesiones" "filter=$(enc "tipo = 'lesiones'")" "filter=$(enc "fecha > DATE('2025-01-01')")"; do
  for path in "/collections/celdas/items" "/tiles/celdas/12/$CX/$CY.pbf"; do
    get "$path?$query"
    status_is 400 "$path?$query"
  done
done
get "/tiles/celdas/12/$CX/$CY.pbf?datetime=2025-01-01/.."
status_is 204 "datetime on the aggregate layer (no date field)"
get "/collections/celdas/items?datetime=2025-01-01/.."
json 'd["numberMatched"] == 0'
stop_server || fail "server exited non-zero"
done_checks
