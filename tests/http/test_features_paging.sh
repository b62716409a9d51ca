#!/usr/bin/env bash
# Paging: walking the next links returns every matched feature exactly once, with bbox, filter,
# datetime and properties kept in every link (losing the bbox in `next` is a bug of other
# servers); in id order, with sortby, and nearest first. Also CQL2 filters (Part 3) checked
# against the same conditions in SQL.
source "$(dirname "$0")/features_lib.sh"

DB=$(demo_db 8000)
start_server "$DB"
INC=lyr_incidentes_v1
BOX="X(geom) BETWEEN -101.72 AND -101.64 AND Y(geom) BETWEEN 21.08 AND 21.16"

# expect_walk PATH SQL_WHERE [ORDER]: the ids walked from PATH are those SQL selects, in order;
# ORDER "index" (a bbox alone: the spatial index's order) compares them as sets.
expect_walk() {
  walk_ids "$1" > "$TEST_TMP/walked" || rfail "walking $1"
  local order=${3:-fid}
  [ "$order" != index ] || { sort -n "$TEST_TMP/walked" > "$TEST_TMP/walked.s"; mv "$TEST_TMP/walked.s" "$TEST_TMP/walked"; order=fid; }
  sql "$DB" "SELECT fid FROM $INC WHERE $2 ORDER BY $order" > "$TEST_TMP/want"
  local n dup
  n=$(wc -l < "$TEST_TMP/want")
  dup=$(sort "$TEST_TMP/walked" | uniq -d | wc -l)
  [ "$dup" = 0 ] || rfail "$dup features returned twice walking $1"
  [ "$n" -gt 0 ] || rfail "the SQL for $1 selects nothing: the test is void"
  cmp -s "$TEST_TMP/walked" "$TEST_TMP/want" \
    || rfail "walking $1: $(wc -l < "$TEST_TMP/walked") ids, SQL selects $n (or another order)"
  ok
}

req /req/core/fc-next-1
expect_walk "/collections/incidentes/items?limit=500" 1
req "next links keep the bbox"
expect_walk "/collections/incidentes/items?bbox=-101.72,21.08,-101.64,21.16&limit=97" "$BOX" index
get "/collections/incidentes/items?bbox=-101.72,21.08,-101.64,21.16&limit=97&datetime=2025-01-01/2025-12-31&properties=tipo"
json '[l for l in d["links"] if l["rel"]=="next"][0]["href"].count("bbox=-101.72,21.08,-101.64,21.16") == 1'
json 'all(k in [l for l in d["links"] if l["rel"]=="next"][0]["href"] for k in ["datetime=2025-01-01/2025-12-31", "properties=tipo", "limit=97", "offset=97"])'
json '"after=" not in [l for l in d["links"] if l["rel"]=="next"][0]["href"]' "a box pages by offset, in the spatial index's order"
req "with a bbox, after= still pages in id order"
walk_ids "/collections/incidentes/items?bbox=-101.72,21.08,-101.64,21.16&limit=97&after=0" > "$TEST_TMP/walked"
sql "$DB" "SELECT fid FROM $INC WHERE $BOX ORDER BY fid" > "$TEST_TMP/want"
cmp -s "$TEST_TMP/walked" "$TEST_TMP/want" || rfail "walking a box from after=0 is not every feature in id order"
ok
json 'all(set(f["properties"]) == {"tipo"} for f in d["features"])' "properties chooses the fields"
req "next links keep the filter and datetime"
expect_walk "/collections/incidentes/items?filter=tipo%20IN%20('ri%C3%B1a','lesiones')%20AND%20hora%20%3E%3D%2020&datetime=2025-01-01/..&limit=61" \
  "tipo IN ('riña','lesiones') AND hora >= 20 AND fecha >= '2025-01-01'"
req "paging with sortby is stable (ties broken by id)"
expect_walk "/collections/incidentes/items?sortby=-hora,tipo&bbox=-101.72,21.08,-101.64,21.16&limit=200" "$BOX" "hora DESC, tipo ASC, fid"
req "prev links go back"
get "/collections/incidentes/items?limit=50&offset=120"
json '[l["href"] for l in d["links"] if l["rel"]=="prev"][0].endswith("limit=50&offset=70&f=json")'
get "/collections/incidentes/items?limit=50&offset=30"
json '[l["href"] for l in d["links"] if l["rel"]=="prev"][0].endswith("limit=50&f=json")'
req "after= pages by cursor and equals offset paging"
get "/collections/incidentes/items?limit=40&offset=40"
cp "$TEST_TMP/body" "$TEST_TMP/by_offset"
get "/collections/incidentes/items?limit=40&offset=40&after=40"
python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if a['features']==b['features'] and a['numberMatched']==b['numberMatched'] else 1)" \
  "$TEST_TMP/by_offset" "$TEST_TMP/body" || rfail "after=40 differs from offset=40"
ok
bad "/collections/incidentes/items?after=10&sortby=hora" after

req "nearest first: true metres, ordered, paged"
get "/collections/incidentes/items?near=-101.68,21.12&limit=20&properties=tipo"
json 'all(d["features"][i]["properties"]["distance_m"] <= d["features"][i+1]["properties"]["distance_m"] for i in range(19))'
python3 - "$TEST_TMP/body" <<'EOF' || rfail "distance_m is not the distance in metres"
import json, math, sys
d = json.load(open(sys.argv[1]))
for f in d["features"]:
    lon, lat = f["geometry"]["coordinates"]
    # haversine on the mean radius: within 0.5% of the ellipsoidal distance
    p1, p2 = math.radians(21.12), math.radians(lat)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon + 101.68) / 2) ** 2
    m = 2 * 6371008.8 * math.asin(math.sqrt(h))
    if abs(m - f["properties"]["distance_m"]) > 0.005 * m + 0.05:
        sys.exit(1)
EOF
ok
# the 20 nearest by SQL over the whole table (no search window) are the same ids
sql "$DB" "SELECT fid FROM $INC ORDER BY ST_Distance(geom, MakePoint(-101.68, 21.12, 4326), 1), fid LIMIT 20" > "$TEST_TMP/want"
python3 -c "import json,sys; [print(f['id']) for f in json.load(open(sys.argv[1]))['features']]" "$TEST_TMP/body" > "$TEST_TMP/got"
cmp -s "$TEST_TMP/got" "$TEST_TMP/want" || rfail "near: the 20 nearest differ from SQL"
ok
walk_ids "/collections/incidentes/items?near=-101.68,21.12&limit=900&filter=hora%20%3C%206" > "$TEST_TMP/walked"
[ "$(sort -u "$TEST_TMP/walked" | wc -l)" = "$(sql "$DB" "SELECT count(*) FROM $INC WHERE hora < 6")" ] \
  || rfail "walking near pages does not return every feature once"
ok
# near inside a bbox: the same as SQL over the box (bbox and distance parameters kept apart)
get "/collections/incidentes/items?near=-101.68,21.12&bbox=-101.72,21.08,-101.64,21.16&limit=15"
python3 -c "import json,sys; [print(f['id']) for f in json.load(open(sys.argv[1]))['features']]" "$TEST_TMP/body" > "$TEST_TMP/got"
sql "$DB" "SELECT fid FROM $INC WHERE $BOX ORDER BY ST_Distance(geom, MakePoint(-101.68, 21.12, 4326), 1), fid LIMIT 15" > "$TEST_TMP/want"
[ -s "$TEST_TMP/want" ] && cmp -s "$TEST_TMP/got" "$TEST_TMP/want" || rfail "near within a bbox differs from SQL"
ok
# with a filter too (where values and the point are numbered apart)
get "/collections/incidentes/items?near=-101.68,21.12&tipo=lesiones&hora=21&limit=5"
sql "$DB" "SELECT fid FROM $INC WHERE tipo = 'lesiones' AND hora = 21 ORDER BY ST_Distance(geom, MakePoint(-101.68, 21.12, 4326), 1), fid LIMIT 5" > "$TEST_TMP/want"
python3 -c "import json,sys; [print(f['id']) for f in json.load(open(sys.argv[1]))['features']]" "$TEST_TMP/body" > "$TEST_TMP/got"
[ -s "$TEST_TMP/want" ] && cmp -s "$TEST_TMP/got" "$TEST_TMP/want" || rfail "near with PROP=VALUE differs from SQL"
ok
get "/collections/parques/items?near=-101.68,21.12&limit=1"
json 'd["features"][0]["properties"]["distance_m"] >= 0'
bad "/collections/incidentes/items?near=-101.68,21.12&sortby=hora" sortby

req /req/filter/filter-param
# expect_filter CQL2 SQL: the filter selects what the SQL condition selects
# (limit=10000: one page holds every match, so numberMatched is exact; a count stops at 1,000)
expect_filter() {
  local enc
  enc=$(python3 -c "import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))" "$1")
  get "/collections/${3:-incidentes}/items?filter=$enc&filter-lang=cql2-text&limit=10000"
  [ "$STATUS" = 200 ] || rfail "filter $1: HTTP $STATUS $(cat "$TEST_TMP/body")"
  local want
  want=$(sql "$DB" "SELECT count(*) FROM ${4:-$INC} WHERE $2")
  json "d['numberMatched'] == $want" "filter $1 (SQL: $want)"
}
req /req/basic-cql2/basic-test
expect_filter "hora = 3" "hora = 3"
expect_filter "hora <> 3 AND tipo = 'riña'" "hora <> 3 AND tipo = 'riña'"
expect_filter "NOT (hora < 12) OR tipo = 'lesiones'" "NOT (hora < 12) OR tipo = 'lesiones'"
expect_filter "fecha >= DATE('2026-01-01')" "fecha >= '2026-01-01'"
expect_filter "TRUE AND hora >= 23" "hora >= 23"
expect_filter "estado IS NULL OR fecha_rehabilitacion IS NOT NULL" "estado IS NULL OR fecha_rehabilitacion IS NOT NULL" parques lyr_parques_v1
expect_filter "juegos_infantiles = true AND superficie_m2 > 5000" "juegos_infantiles = 1 AND superficie_m2 > 5000" parques lyr_parques_v1
req /req/advanced-comparison-operators/like-test
expect_filter "tipo LIKE 'robo%'" "tipo GLOB 'robo*'"
expect_filter "tipo LIKE 'Robo%'" "0"
expect_filter "tipo NOT LIKE '%a _e%'" "tipo NOT GLOB '*a ?e*'"
req /req/advanced-comparison-operators/between-test
expect_filter "hora BETWEEN 8 AND 10" "hora BETWEEN 8 AND 10"
expect_filter "hora NOT BETWEEN 1 AND 22" "hora NOT BETWEEN 1 AND 22"
req /req/advanced-comparison-operators/in-test
expect_filter "tipo IN ('riña', 'lesiones')" "tipo IN ('riña','lesiones')"
expect_filter "hora NOT IN (1, 2, 3)" "hora NOT IN (1,2,3)"
req /req/basic-spatial-functions/spatial-test
expect_filter "S_INTERSECTS(geometry, BBOX(-101.72, 21.08, -101.64, 21.16))" "$BOX"
expect_filter "S_INTERSECTS(geometry, POLYGON((-101.72 21.08, -101.64 21.08, -101.64 21.16, -101.72 21.08)))" \
  "ST_Intersects(geom, GeomFromText('POLYGON((-101.72 21.08, -101.64 21.08, -101.64 21.16, -101.72 21.08))', 4326))"
expect_filter "S_INTERSECTS(geometry, POINT(-101.68 21.12))" \
  "ST_Intersects(geom, MakePoint(-101.68, 21.12, 4326))" parques lyr_parques_v1
expect_filter "S_INTERSECTS(geometry, LINESTRING(-101.75 21.10, -101.60 21.15)) AND estado = 'abandonado'" \
  "ST_Intersects(geom, GeomFromText('LINESTRING(-101.75 21.10, -101.60 21.15)', 4326)) AND estado = 'abandonado'" parques lyr_parques_v1
expect_filter "S_DISJOINT(geometry, BBOX(-101.72, 21.08, -101.64, 21.16))" "NOT ($BOX)"
expect_filter "S_WITHIN(geometry, BBOX(-180, -90, 180, 90))" "1"
req /req/filter/response
bad "/collections/incidentes/items?filter=hora%20%3D" filter
bad "/collections/incidentes/items?filter=hora%20%3D%20'tres'" filter
bad "/collections/incidentes/items?filter=colour%20%3D%201" filter
bad "/collections/incidentes/items?filter=hora%20%3D%201%3B%20DROP%20TABLE%20x" filter
bad "/collections/incidentes/items?filter=S_INTERSECTS(geometry,POLYGON((0%200,1%200,1%201)))" filter
bad "/collections/incidentes/items?filter=tipo%20LIKE%203" filter
get "/collections/incidentes/items?filter=hora%20%3D%20'x'"
json '"at character 8" in d["description"]' "the error points at the position"
get "/collections/incidentes/items?filter=$(python3 -c "print('NOT%20' * 200)")hora%20%3D%201"
status_is 400 "a deeply nested filter is refused, not a crash"

stop_server || fail "server exited non-zero"
done_reqs
