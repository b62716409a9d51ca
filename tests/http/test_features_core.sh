#!/usr/bin/env bash
# OGC API - Features - Part 1: Core and GeoJSON, requirement by requirement, against the real
# server on the demo database: landing page, conformance, API definition, collections, items
# (limit, bbox, datetime, PROP=VALUE, links, counts), one feature, and the 400/404 answers.
source "$(dirname "$0")/features_lib.sh"

DB=$(demo_db 5000)
start_server "$DB"
J='Accept: application/json'

req /req/core/root-op
get / -H "$J"
status_is 200 /
req /req/core/root-success
json '{"service-desc","conformance","data"} <= {l["rel"] for l in d["links"]}'
json 'all(l["href"].startswith("http://127.0.0.1:") for l in d["links"])'
json '[l["type"] for l in d["links"] if l["rel"]=="service-desc"] == ["application/vnd.oai.openapi+json;version=3.0"]'
get /?f=json
json 'any(l["rel"]=="conformance" for l in d["links"])' "f=json gives the OGC landing page"

req /req/core/api-definition-op
get /api
status_is 200 /api
req /req/oas30/oas-definition-1
content_type_is 'application/vnd.oai.openapi+json;version=3.0'
json 'd["openapi"].startswith("3.0") and "/collections/incidentes/items" in d["paths"]'
req /req/oas30/oas-impl
json 'all(p in d["paths"] for p in ["/","/conformance","/api","/collections","/collections/incidentes","/collections/incidentes/items/{featureId}","/collections/incidentes/queryables"])'
json '{"tipo","fecha","hora","bbox","limit","datetime","filter"} <= {(p.get("name") or p["$ref"].split("/")[-1]) for p in d["paths"]["/collections/incidentes/items"]["get"]["parameters"]}' "the items path lists the fields and the parameters"
json 'd["components"]["parameters"]["limit"]["schema"]["maximum"] == 10000 and d["components"]["parameters"]["limit"]["schema"]["default"] == 100'
# every route of the route table is described (per collection for /collections/{id}/...): the
# document is built from the table (each route carries its description)
json '"/collections/incidentes/download.gpkg" in d["paths"] and "/fonts/{fontstack}/{range}.pbf" in d["paths"]' "the route table's paths are in the document"
# vector tiles take the items' filters (h_tiles.c): the document lists them, with the items'
# components, and the server accepts every query parameter the document lists for a tile
name_of='(p.get("name") or p["$ref"].split("/")[-1])'
tile_params() { echo "{$name_of for p in d[\"paths\"][\"$1\"][\"get\"][\"parameters\"]}"; }
for path in '/tiles/{ids}/{z}/{x}/{y}.pbf' '/tiles/{ids}/{z}/{x}/{y}.mvt' '/tiles/{ids}.json'; do
  json "{'datetime','filter','filter-lang','filter-crs','v','tipo','fecha','hora','nombre','estado'} <= $(tile_params "$path")" "$path lists the filters and every published field"
done
json "{'z','y','x','datetime','filter','filter-lang','v','tipo','fecha','hora'} <= $(tile_params '/collections/incidentes/tiles/WebMercatorQuad/{z}/{y}/{x}') and 'nombre' not in $(tile_params '/collections/incidentes/tiles/WebMercatorQuad/{z}/{y}/{x}')" "the OGC tile lists its collection's fields only"
json '{"$ref": "#/components/parameters/filter"} in d["paths"]["/tiles/{ids}/{z}/{x}/{y}.pbf"]["get"]["parameters"] and {"$ref": "#/components/parameters/datetime"} in d["paths"]["/collections/incidentes/items"]["get"]["parameters"]' "tiles reuse the items' components"
json '"204" in d["paths"]["/tiles/{ids}/{z}/{x}/{y}.pbf"]["get"]["responses"]' "an empty tile is a 204"
cp "$TEST_TMP/body" "$TEST_TMP/api.json"
python3 - "$TEST_TMP/api.json" "$BASE" <<'EOF2' || rfail "a tile parameter of /api is refused by the server, or one it refuses is listed"
import json, sys, urllib.error, urllib.parse, urllib.request
doc, base = json.load(open(sys.argv[1])), sys.argv[2]
comp = doc["components"]["parameters"]

def status(url):
    try:
        with urllib.request.urlopen(base + url) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code

def value(p):  # a valid value of the documented type
    s = p["schema"]
    if "enum" in s:
        return s["enum"][0]
    if s.get("format") == "date":
        return "2025-01-01"
    if s.get("format") == "date-time" or p["name"] == "datetime":
        return "2025-01-01T00:00:00Z/.."
    return {"integer": "1", "number": "1.5", "boolean": "true"}.get(s["type"], "x")

def query_params(path):
    ps = [comp[p["$ref"].split("/")[-1]] if "$ref" in p else p
          for p in doc["paths"][path]["get"]["parameters"]]
    return [p for p in ps if p["in"] == "query"]

fields = {}
for layer in ("incidentes", "colonias", "parques"):
    with urllib.request.urlopen(base + "/collections/%s/queryables" % layer) as r:
        fields[layer] = set(json.load(r)["properties"])
bad = []
for path, url in [("/tiles/{ids}/{z}/{x}/{y}.pbf", "/tiles/%s/12/903/1807.pbf"),
                  ("/tiles/{ids}/{z}/{x}/{y}.mvt", "/tiles/%s/12/903/1807.mvt"),
                  ("/tiles/{ids}.json", "/tiles/%s.json"),
                  ("/collections/incidentes/tiles/WebMercatorQuad/{z}/{y}/{x}",
                   "/collections/incidentes/tiles/WebMercatorQuad/12/1807/903?%.0s")]:
    for p in query_params(path):
        for layer in ("incidentes", "colonias", "parques") if "{ids}" in path else ("incidentes",):
            q = {p["name"]: value(p)}
            if p["name"] in ("filter", "filter-lang", "filter-crs"):
                probe = "tipo" if "tipo" in fields[layer] else "nombre"
                q["filter"] = "%s IS NULL OR %s <> ''" % (probe, probe)
            known = p["name"] in fields[layer] or p["name"] in comp
            got = status((url % layer).rstrip("?") + "?" + urllib.parse.urlencode(q))
            if (got in (200, 204)) != known:
                bad.append((path, layer, q, got))
    if status((url % "incidentes").rstrip("?") + "?limit=10") != 400:
        bad.append((path, "limit is not a tile parameter"))
if bad:
    sys.exit("tile parameters and /api disagree: %s" % bad)
EOF2
ok
# the whole document against the OpenAPI 3.0 schema: ctest http_openapi_valid
# (tests/browser/test_openapi.mjs, npm @apidevtools/swagger-parser), a test of its own that fails
# on an invalid document and is reported as skipped, never passed, when the validator is missing

req /req/core/conformance-op
get /conformance
status_is 200 /conformance
req /req/core/conformance-success
json '"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in d["conformsTo"]'
json '{"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson","http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30","http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html"} <= set(d["conformsTo"])'

req /req/core/http
curl -s --http1.1 -o /dev/null -w '%{http_version}' "$BASE/conformance" | grep -q '^1.1$' || rfail "HTTP/1.1"
ok

req /req/core/fc-md-op
get /collections
status_is 200 /collections
req /req/core/fc-md-success
json 'len(d["collections"]) == 6'
req /req/core/fc-md-links
json '{"self","alternate"} <= {l["rel"] for l in d["links"]}'
req /req/core/fc-md-items
json 'sorted(c["id"] for c in d["collections"]) == ["colonias","cuerpos-agua","incidentes","limite-municipal","parques","rios-canales"]'
req /req/core/fc-md-items-links
json 'all(any(l["rel"]=="items" and l["type"]=="application/geo+json" and l["href"].endswith("/collections/%s/items" % c["id"]) for l in c["links"]) for c in d["collections"])'
req /req/core/fc-md-extent
json 'all(len(c["extent"]["spatial"]["bbox"][0]) == 4 and c["extent"]["spatial"]["crs"].endswith("CRS84") for c in d["collections"])'
json '[c for c in d["collections"] if c["id"]=="incidentes"][0]["extent"]["temporal"]["interval"][0][0].startswith("2024-")' "a layer with a date field has a temporal extent"
json 'not any("temporal" in c["extent"] for c in d["collections"] if c["id"] != "incidentes")'
cp "$TEST_TMP/body" "$TEST_TMP/collections.json"

req /req/core/sfc-md-op
get /collections/incidentes
status_is 200 /collections/incidentes
req /req/core/sfc-md-success
python3 - "$TEST_TMP/body" "$TEST_TMP/collections.json" <<'EOF' || rfail "the collection differs from its entry in /collections"
import json, sys
one = json.load(open(sys.argv[1]))
all_ = {c["id"]: c for c in json.load(open(sys.argv[2]))["collections"]}
sys.exit(0 if one == all_["incidentes"] else 1)
EOF
ok
json '{"queryables","license","enclosure","http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"} <= {l["rel"] for l in d["links"]}' "links to queryables, licence, downloads, tiles"
get /collections/nope
status_is 404 "unknown collection"
json 'd["code"] == "not_found"'

req /req/core/fc-op
get /collections/incidentes/items
status_is 200 items
req /req/geojson/content
content_type_is 'application/geo+json'
req /req/core/fc-response
json 'd["type"] == "FeatureCollection" and isinstance(d["features"], list)'
json 'all(f["type"] == "Feature" and f["geometry"]["type"] == "Point" for f in d["features"])'
req /req/core/fc-limit-definition
json 'len(d["features"]) == 100' "the default limit is 100"
req /req/core/fc-numberMatched
json 'd["numberMatched"] == 5000'
req /req/core/fc-numberReturned
json 'd["numberReturned"] == len(d["features"]) == 100'
req /req/core/fc-timeStamp
json '__import__("re").match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", d["timeStamp"])'
req /req/core/fc-links
json '{"self","alternate","next","collection"} <= {l["rel"] for l in d["links"]}'
json '[l["type"] for l in d["links"] if l["rel"]=="self"] == ["application/geo+json"]'
req /req/geojson/definition
json 'all(set(f) >= {"type","id","geometry","properties"} for f in d["features"])'
json 'all(len(f["geometry"]["coordinates"]) == 2 and -102 < f["geometry"]["coordinates"][0] < -101 and 20 < f["geometry"]["coordinates"][1] < 22 for f in d["features"])' "CRS84 lon, lat order"
json 'all(isinstance(f["properties"]["hora"], int) and isinstance(f["properties"]["tipo"], str) for f in d["features"])' "values keep their types"

req /req/core/fc-limit-response-1
get '/collections/incidentes/items?limit=7'
json 'len(d["features"]) == 7 and d["numberReturned"] == 7'
get '/collections/incidentes/items?limit=1000000'
status_is 200 "limit above the maximum is clamped"
json 'len(d["features"]) == 5000 and d["numberReturned"] == 5000'
get '/collections/incidentes/items?limit=10000&offset=4990'
json 'len(d["features"]) == 10 and not any(l["rel"]=="next" for l in d["links"])' "the last page has no next link"

req /req/core/fc-bbox-definition
BBOX=-101.70,21.10,-101.65,21.15
get "/collections/incidentes/items?bbox=$BBOX&limit=10000"
status_is 200 bbox
req /req/core/fc-bbox-response
want=$(sql "$DB" "SELECT count(*) FROM lyr_incidentes_v1 WHERE X(geom) BETWEEN -101.70 AND -101.65 AND Y(geom) BETWEEN 21.10 AND 21.15")
json "d['numberMatched'] == $want == len(d['features'])" "bbox matches exactly what SQL counts ($want)"
json 'all(-101.70 <= f["geometry"]["coordinates"][0] <= -101.65 and 21.10 <= f["geometry"]["coordinates"][1] <= 21.15 for f in d["features"])'
get "/collections/incidentes/items?bbox=-101.70,21.10,0,-101.65,21.15,0&limit=10000"
json "d['numberMatched'] == $want" "a 6-number bbox (with heights) is the same box"
get "/collections/incidentes/items?bbox=170,-10,-170,10"
status_is 200 "a bbox across the antimeridian is legal"
json 'd["numberMatched"] == 0'

req /req/core/fc-time-definition
get '/collections/incidentes/items?datetime=2025-03-01/2025-03-31&limit=10000'
status_is 200 datetime
req /req/core/fc-time-response
want=$(sql "$DB" "SELECT count(*) FROM lyr_incidentes_v1 WHERE fecha BETWEEN '2025-03-01' AND '2025-03-31'")
json "d['numberMatched'] == $want and all('2025-03-01' <= f['properties']['fecha'] <= '2025-03-31' for f in d['features'])"
get '/collections/incidentes/items?datetime=../2024-01-31&limit=10000'
want=$(sql "$DB" "SELECT count(*) FROM lyr_incidentes_v1 WHERE fecha <= '2024-01-31'")
json "d['numberMatched'] == $want" "open start"
get '/collections/incidentes/items?datetime=2026-06-30T23:30:00-06:00/..&limit=10000'
want=$(sql "$DB" "SELECT count(*) FROM lyr_incidentes_v1 WHERE fecha >= '2026-07-01'")
json "d['numberMatched'] == $want" "open end; the offset is folded to UTC (2026-07-01)"
get '/collections/incidentes/items?datetime=2025-02-14&limit=10000'
want=$(sql "$DB" "SELECT count(*) FROM lyr_incidentes_v1 WHERE fecha = '2025-02-14'")
json "d['numberMatched'] == $want" "an instant"
get '/collections/parques/items?datetime=2025-01-01/..'
json 'd["numberMatched"] == 0' "a collection without a date field has no feature in time"

req /req/core/fc-filters
get '/collections/incidentes/items?tipo=ri%C3%B1a&hora=2&limit=10000'
want=$(sql "$DB" "SELECT count(*) FROM lyr_incidentes_v1 WHERE tipo = 'riña' AND hora = 2")
json "d['numberMatched'] == $want > 0 and all(f['properties']['tipo'] == 'riña' and f['properties']['hora'] == 2 for f in d['features'])"
get '/collections/parques/items?juegos_infantiles=true&limit=1'
want=$(sql "$DB" "SELECT count(*) FROM lyr_parques_v1 WHERE juegos_infantiles = 1")
json "d['numberMatched'] == $want and d['features'][0]['properties']['juegos_infantiles'] is True"

req /req/core/f-op
get /collections/incidentes/items/42
status_is 200 "one feature"
req /req/core/f-success
content_type_is 'application/geo+json'
json 'd["type"] == "Feature" and d["id"] == 42'
req /req/core/f-links
json '{"self","alternate","collection"} <= {l["rel"] for l in d["links"]}'
get /collections/incidentes/items/0
status_is 404 "feature 0 does not exist"
get /collections/incidentes/items/99999999
status_is 404 "an absent feature"
json 'd["code"] == "not_found" and "description" in d'
get /collections/incidentes/items/abc
status_is 404 "a feature id that is not a number"
get /collections/nope/items/1
status_is 404 "an unknown collection"

req /req/core/query-param-unknown
bad '/collections/incidentes/items?colour=red' colour
bad '/collections/incidentes/items/1?bbox=1,2,3,4' bbox
req /req/core/query-param-invalid
bad '/collections/incidentes/items?bbox=1,2,3' bbox
bad '/collections/incidentes/items?bbox=-101,22,-100,21' bbox
bad '/collections/incidentes/items?bbox=a,b,c,d' bbox
bad '/collections/incidentes/items?bbox=-200,20,-100,21' bbox
bad '/collections/incidentes/items?limit=0' limit
bad '/collections/incidentes/items?limit=-1' limit
bad '/collections/incidentes/items?limit=ten' limit
bad '/collections/incidentes/items?offset=abc' offset
bad '/collections/incidentes/items?offset=-5' offset
bad '/collections/incidentes/items?datetime=yesterday' datetime
bad '/collections/incidentes/items?datetime=2025-02-30' datetime
bad '/collections/incidentes/items?datetime=2025-06-01/2025-01-01' datetime
bad '/collections/incidentes/items?f=xml' f
bad '/collections/incidentes/items?hora=mediodia' hora
bad '/collections/parques/items?juegos_infantiles=maybe' juegos_infantiles
bad '/collections/incidentes/items?fecha=2025-02-31' fecha
bad '/collections/incidentes/items?properties=tipo,colour' properties
bad '/collections/incidentes/items?sortby=-colour' sortby
bad '/collections/incidentes/items?near=-101.6' near
bad '/collections/incidentes/items?near=-101.6,95' near
bad '/collections/incidentes/items?bbox-crs=EPSG:3857&bbox=1,2,3,4' bbox-crs
bad '/collections/incidentes/items?crs=EPSG:4326' crs
bad '/collections/incidentes/items?limit=5&limit=6' limit
bad '/collections/incidentes/items?after=x' after
bad '/collections/incidentes/items?filter-lang=cql2-json&filter=x' filter-lang
bad '/conformance?f=yaml' f

req "never a 5xx for bad input"
python3 - "$BASE" <<'EOF' || rfail "a malformed request got a 5xx"
import random, sys, urllib.error, urllib.parse, urllib.request
base = sys.argv[1]
rng = random.Random(7)
params = ["bbox", "limit", "offset", "datetime", "filter", "properties", "sortby", "near", "f",
          "hora", "tipo", "fecha", "after", "filter-lang", "bbox-crs", "x"]
junk = ["", "-", "1e999", "nan", "1,2", "1,2,3,4,5", "..", "../..", "'", "\"", "(", ")", "%00",
        "\u00f1", "a" * 3000, "9" * 40, "S_INTERSECTS(", "hora = ", "NOT NOT NOT", "-1", "0",
        "2025-01-01T25:00:00Z", "POLYGON((0 0))", "1,2,3,4"]
for i in range(600):
    q = {rng.choice(params): rng.choice(junk) for _ in range(rng.randint(1, 3))}
    url = base + "/collections/" + rng.choice(["incidentes", "parques", "nope"]) + "/items?" + \
        urllib.parse.urlencode(q)
    try:
        urllib.request.urlopen(url).read()
    except urllib.error.HTTPError as e:
        if e.code >= 500:
            print(e.code, url, e.read()[:200]); sys.exit(1)
EOF
ok

stop_server || fail "server exited non-zero"
done_reqs
