#!/usr/bin/env bash
# Formats and the rest of the Features API: RFC 7946 details (7 decimals, right-hand rule), CSV
# (RFC 4180, lon/lat or WKT, BOM for Excel), HTML (conformance class html, accessible table and
# pagination), queryables (Part 3), whole-layer downloads (streamed, every feature, a file name),
# and counts by group with the privacy minimum.
source "$(dirname "$0")/features_lib.sh"

DB=$(demo_db 4000)
start_server "$DB"

req "RFC 7946: at most 7 decimals, polygons follow the right-hand rule"
get "/collections/parques/items?limit=320"
python3 - "$TEST_TMP/body" <<'EOF' || rfail "coordinates or winding"
import json, re, sys
raw = open(sys.argv[1]).read()
if re.search(r"\d\.\d{8,}", raw.split('"links"')[0]):
    sys.exit("more than 7 decimals")
def area(r):
    return sum((r[i][0] - r[i + 1][0]) * (r[i][1] + r[i + 1][1]) for i in range(len(r) - 1)) / 2
holes = 0
for f in json.loads(raw)["features"]:
    polys = [f["geometry"]["coordinates"]] if f["geometry"]["type"] == "Polygon" else f["geometry"]["coordinates"]
    for p in polys:
        if area(p[0]) <= 0: sys.exit("exterior ring is clockwise in %s" % f["id"])
        for h in p[1:]:
            holes += 1
            if area(h) >= 0: sys.exit("hole is counterclockwise in %s" % f["id"])
if holes == 0: sys.exit("no hole tested")
EOF
ok

req "CSV: RFC 4180, lon/lat for points, WKT otherwise"
get "/collections/incidentes/items?f=csv&limit=5"
status_is 200 csv
content_type_is 'text/csv; charset=utf-8'
head -1 "$TEST_TMP/body" | grep -q $'^fid,lon,lat,tipo,fecha,hora\r$' || rfail "CSV header: $(head -1 "$TEST_TMP/body")"
[ "$(wc -l < "$TEST_TMP/body")" = 6 ] || rfail "CSV rows"
python3 - "$TEST_TMP/body" "$DB" <<'EOF' || rfail "CSV values differ from the source"
import csv, sqlite3, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
db = sqlite3.connect(sys.argv[2])
for r in rows:
    t, f, h = db.execute("SELECT tipo, fecha, hora FROM lyr_incidentes_v1 WHERE fid = ?", (int(r["fid"]),)).fetchone()
    if (r["tipo"], r["fecha"], int(r["hora"])) != (t, f, h): sys.exit(1)
    float(r["lon"]); float(r["lat"])
EOF
ok
get "/collections/parques/items?f=csv&limit=3&bom=true"
head -c 3 "$TEST_TMP/body" | od -An -tx1 | grep -q 'ef bb bf' || rfail "no BOM with bom=true"
grep -q '"POLYGON ((' "$TEST_TMP/body" || rfail "polygons as quoted WKT: $(head -c 300 "$TEST_TMP/body")"
ok
get "/collections/incidentes/items?limit=3" -H 'Accept: text/csv'
content_type_is 'text/csv' "Accept: text/csv negotiates CSV"

req /req/html/definition
get "/collections/incidentes/items?limit=25&offset=25" -H 'Accept: text/html,application/xhtml+xml;q=0.9'
status_is 200 html
req /req/html/content
content_type_is 'text/html'
for s in '<html lang="es">' '<caption>' '<th scope="col">Tipo de incidente</th>' '<th scope="row">' \
         'aria-label="Páginas de resultados"' 'rel="next"' 'rel="prev"' 'Elementos 26 a 50 de 4000'; do
  grep -qF "$s" "$TEST_TMP/body" || rfail "HTML items lack $s"
  ok
done
for p in /collections /collections/incidentes /conformance /collections/incidentes/queryables \
         /collections/incidentes/items/3; do
  get "$p?f=html"
  status_is 200 "$p?f=html"
  content_type_is 'text/html'
  grep -q '<h1>' "$TEST_TMP/body" || rfail "$p?f=html has no heading"
done
get "/collections?f=json" -H 'Accept: text/html'
content_type_is 'application/json' "f wins over Accept"

req /req/queryables/get-queryables-op
get /collections/incidentes/queryables
status_is 200 queryables
content_type_is 'application/schema+json'
req /req/queryables/get-queryables-response
json 'd["type"] == "object" and d["$schema"].startswith("https://json-schema.org/")'
json 'd["properties"]["hora"]["type"] == "integer" and d["properties"]["fecha"]["format"] == "date" and d["properties"]["tipo"]["type"] == "string"'
json 'd["properties"]["geometry"]["x-ogc-role"] == "primary-geometry" and d["additionalProperties"] is False'
get /collections/nope/queryables
status_is 404 "queryables of an unknown collection"

req "downloads: streamed whole layers with a file name"
for ext in geojson csv; do
  http_get "/collections/incidentes/download.$ext"
  status_is 200 "download.$ext"
  grep -qi "^content-disposition: attachment; filename=\"incidentes.$ext\"" "$TEST_TMP/headers" || rfail "file name"
  ok
done
http_get "/collections/incidentes/download.geojson"
json 'd["type"] == "FeatureCollection" and len(d["features"]) == 4000 and len({f["id"] for f in d["features"]}) == 4000'
http_get "/collections/incidentes/download.csv?bbox=-101.72,21.08,-101.64,21.16&properties=tipo"
want=$(sql "$DB" "SELECT count(*) FROM lyr_incidentes_v1 WHERE X(geom) BETWEEN -101.72 AND -101.64 AND Y(geom) BETWEEN 21.08 AND 21.16")
[ "$(($(wc -l < "$TEST_TMP/body") - 1))" = "$want" ] || rfail "a filtered CSV download"
head -1 "$TEST_TMP/body" | grep -q $'^fid,lon,lat,tipo\r$' || rfail "download properties"
ok
bad "/collections/incidentes/download.geojson?limit=5" limit
bad "/collections/incidentes/download.csv?filter=x%20%3D" filter
get "/collections/incidentes/download.shp"
status_is 404 "an unknown download format"
get "/collections/nope/download.geojson"
status_is 404 "download of an unknown collection"

req "aggregate: counts by field and by month, as SQL counts them"
get "/collections/incidentes/aggregate?by=tipo&bbox=-101.72,21.08,-101.64,21.16"
status_is 200 aggregate
sqlite3 -cmd ".load mod_spatialite" -list "$DB" "SELECT tipo, count(*) FROM lyr_incidentes_v1 WHERE X(geom) BETWEEN -101.72 AND -101.64 AND Y(geom) BETWEEN 21.08 AND 21.16 GROUP BY tipo ORDER BY tipo" > "$TEST_TMP/want"
python3 -c "import json,sys; [print('%s|%d' % (g['key'], g['count'])) for g in json.load(open(sys.argv[1]))['groups']]" "$TEST_TMP/body" > "$TEST_TMP/got"
cmp -s "$TEST_TMP/got" "$TEST_TMP/want" || rfail "by tipo: $(paste -d'|' "$TEST_TMP/got" "$TEST_TMP/want" | head)"
ok
get "/collections/incidentes/aggregate?by=month&datetime=2025-01-01/2025-12-31"
json 'len(d["groups"]) == 12 and d["groups"][0]["key"] == "2025-01" and d["total"] == sum(g["count"] for g in d["groups"])'
want=$(sql "$DB" "SELECT count(*) FROM lyr_incidentes_v1 WHERE fecha LIKE '2025-%'")
json "d['total'] == $want"
bad "/collections/incidentes/aggregate" by
bad "/collections/incidentes/aggregate?by=colour" by
bad "/collections/parques/aggregate?by=month" by
bad "/collections/parques/aggregate?by=superficie_m2" by

req "aggregate: a generalize layer counts exactly what its items list (no group withheld)"
sqlite3 -cmd ".timeout 20000" "$DB" "UPDATE teselas_layers SET privacy = '{\"mode\": \"generalize\", \"grid_m\": 250, \"k\": 400, \"min_count\": 400}' WHERE id = 'incidentes'"
get "/collections/incidentes/aggregate?by=tipo"
want=$(sql "$DB" "SELECT count(*) FROM lyr_incidentes_v1")
json "d['min_count'] == 1 and d['suppressed_groups'] == 0 and d['total'] == $want"

stop_server || fail "server exited non-zero"
done_reqs
