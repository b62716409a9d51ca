#!/usr/bin/env bash
# CKAN's read API (/api/3/action/...) and the data dictionary (/collections/{id}/dictionary), on
# the demo and on a database made only from third-party files (tests/data: INEGI localities
# published from a layer definition with field descriptions and units, the CDMX crime sample
# under a generalising privacy policy, the libpysal states):
# - package_list, package_show, package_search, organization_list answer what CKAN's API
#   documents (help, success, result; the package's field names and JSON types); package_search
#   pages with rows/start visit every layer exactly once; malformed rows/start, a missing or
#   unknown id and an unknown action get a 4xx JSON in CKAN's error shape, never a 5xx; every
#   resource URL answers 200 with its mimetype;
# - the dictionary's fill rates, distinct values and ranges equal Python's count over the source
#   CSV (localities) and over GDAL's reading of the Shapefile (states); the crime layer's
#   dictionary says what the policy generalised and dropped; CSV and HTML hold the same rows;
# - Debian's rdflib reads /catalog.ttl and /catalog.jsonld as isomorphic graphs (a second RDF
#   library besides the npm ones of tests/browser/test_dcat.mjs).
source "$(dirname "$0")/lib.sh"
D="$TESELAS_TEST_DATA"
command -v ogr2ogr > /dev/null || skip "ogr2ogr (gdal-bin) is not installed"
# rdflib is Debian's (python3-rdflib, scripts/install-deps.sh), so Debian's python3 reads it
PY=/usr/bin/python3
"$PY" -c "import rdflib" 2>/dev/null || skip "python3-rdflib is not installed"

# --- the third-party database ---
DB="$TEST_TMP/tp.db"
mkdir -p "$TEST_TMP/defs"
cat > "$TEST_TMP/defs/localidades.json" <<EOF
{
  "id": "localidades",
  "source": "$D/inegi/AGLOC_11020_localidades.csv",
  "title": "Localidades de León",
  "license": "Licencia de libre uso MX",
  "publisher": "INEGI",
  "frequency": "anual",
  "keywords": ["localidades", "población"],
  "fields": [
    {"name": "nom_loc", "label": "Nombre", "description": "Nombre de la localidad \"oficial\""},
    {"name": "ambito", "label": "Ámbito", "description": "Urbano o rural"},
    {"name": "altitud", "label": "Altitud", "type": "integer", "unit": "m"},
    {"name": "pob", "label": "Población", "type": "integer", "unit": "habitantes",
     "description": "Población total, censo 2020"}
  ]
}
EOF
"$TESELAS" publish "$TEST_TMP/defs" --db "$DB" --quiet > /dev/null || fail "publish localidades"
"$TESELAS" import "$D/cdmx-ssp/crime-lat-long-2000.csv" --db "$DB" --layer delitos --quiet \
  --title "Delitos CDMX" --date-field date --privacy generalize:grid=500,month,k=5 > /dev/null \
  || fail "import delitos"
"$TESELAS" import "$D/libpysal-mexico/mexicojoin.shp" --db "$DB" --layer estados --quiet \
  --source-srs EPSG:4326 --publisher "Instituto Nacional de Estadística y Geografía" > /dev/null \
  || fail "import estados"
ogr2ogr -f CSV "$TEST_TMP/estados.csv" "$D/libpysal-mexico/mexicojoin.shp" 2>/dev/null \
  || fail "ogr2ogr estados"
ok

check_ckan() {
  local layers
  http_get "/collections?f=json"
  layers=$(python3 -c "import json,sys; print(' '.join(c['id'] for c in json.load(open(sys.argv[1]))['collections']))" "$TEST_TMP/body")
  http_get "/api/3/action/package_list"
  expect_status 200
  expect_json "d['success'] is True and sorted(d['result']) == sorted('$layers'.split())"
  expect_json "d['help'].startswith('$BASE/api/3/action/help_show')"
  for id in $layers; do
    http_get "/api/3/action/package_show?id=$id"
    expect_status 200 "package_show $id"
    python3 - "$TEST_TMP/body" "$id" <<'PY' > "$TEST_TMP/urls" || fail "package_show $id: $(head -c 600 "$TEST_TMP/body")"
import json, sys
d = json.load(open(sys.argv[1])); p = d["result"]
assert d["success"] is True
# CKAN 2.10 package dictionary: names and JSON types
types = {"id": str, "name": str, "title": str, "notes": str, "type": str, "state": str,
         "license_id": str, "license_title": str, "private": bool, "metadata_created": str,
         "metadata_modified": str, "author": str, "maintainer": str, "isopen": bool, "url": str,
         "version": str, "num_tags": int, "tags": list, "num_resources": int, "resources": list,
         "extras": list, "groups": list}
for k, t in types.items():
    assert isinstance(p[k], t), (k, type(p[k]))
assert p["name"] == sys.argv[2] and p["type"] == "dataset" and p["state"] == "active"
assert p["num_tags"] == len(p["tags"]) and p["num_resources"] == len(p["resources"]) >= 4
assert all(set(t) >= {"name", "display_name", "state"} for t in p["tags"])
assert all({"key", "value"} == set(e) for e in p["extras"])
assert p["organization"] is None or {"id", "name", "title", "is_organization"} <= set(p["organization"])
for i, r in enumerate(p["resources"]):
    for k in ("id", "package_id", "name", "format", "mimetype", "url", "state"):
        assert isinstance(r[k], str), (k, r)
    assert r["position"] == i and r["package_id"] == p["id"]
    print(r["url"], r["mimetype"])
PY
    ok
    while read -r url mime; do
      STATUS=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$url")
      [ "${STATUS%% *}" = 200 ] && [ "$(echo "${STATUS#* }" | cut -d';' -f1)" = "$mime" ] \
        || fail "resource $url: $STATUS (declared $mime)"
      ok
    done < "$TEST_TMP/urls"
  done
  # package_search: every layer once through rows/start
  local n seen=""
  n=$(echo $layers | wc -w)
  for start in $(seq 0 2 $((n + 1))); do
    http_get "/api/3/action/package_search?rows=2&start=$start"
    expect_status 200
    expect_json "d['success'] and d['result']['count'] == $n and len(d['result']['results']) <= 2"
    seen="$seen $(python3 -c "import json,sys; print(' '.join(p['name'] for p in json.load(open(sys.argv[1]))['result']['results']))" "$TEST_TMP/body")"
  done
  [ "$(echo $seen | tr ' ' '\n' | sort | tr '\n' ' ')" = "$(echo $layers | tr ' ' '\n' | sort | tr '\n' ' ')" ] \
    || fail "package_search pages: '$seen' vs '$layers'"
  ok
  http_get "/api/3/action/package_search?q=$1&rows=100"
  expect_json "d['result']['count'] == 1 and d['result']['results'][0]['name'] == '$1'"
  http_get "/api/3/action/package_search?rows=0"
  expect_json "d['result']['count'] == $n and d['result']['results'] == []"
  http_get "/api/3/action/organization_list"
  expect_status 200
  expect_json "d['success'] and all(isinstance(o, str) for o in d['result']) and len(d['result']) == len(set(d['result']))"
  # malformed: CKAN's error shape, 4xx
  for bad in "package_search?rows=abc" "package_search?rows=-1" "package_search?start=x" \
             "package_search?rows=100000" "package_search?start=" "package_show" \
             "package_show?id=no-such-layer" "no_such_action"; do
    http_get "/api/3/action/$bad"
    [ "${STATUS:0:1}" = 4 ] || fail "$bad: HTTP $STATUS"
    expect_json "d['success'] is False and isinstance(d['error']['__type'], str) and d['error']['message'] and d['help']"
  done
}

check_rdflib() {
  http_get "/catalog.ttl"
  cp "$TEST_TMP/body" "$TEST_TMP/c.ttl"
  http_get "/catalog.jsonld"
  cp "$TEST_TMP/body" "$TEST_TMP/c.jsonld"
  "$PY" - "$TEST_TMP/c.ttl" "$TEST_TMP/c.jsonld" <<'PY' || fail "rdflib: the two syntaxes differ"
import sys
from rdflib import Graph
from rdflib.compare import isomorphic
t = Graph().parse(sys.argv[1], format="turtle")
j = Graph().parse(sys.argv[2], format="json-ld")
assert len(t) > 50 and len(t) == len(j), (len(t), len(j))
assert isomorphic(t, j)
PY
  ok
}

# --- the demo ---
start_server "$(demo_db 2000)"
check_ckan parques
check_rdflib
stop_server

# --- the third-party database ---
start_server "$DB"
check_ckan localidades
check_rdflib

http_get "/collections/localidades/dictionary?f=json"
expect_status 200
python3 - "$TEST_TMP/body" "$D/inegi/AGLOC_11020_localidades.csv" <<'PY' || fail "localidades dictionary differs from the source"
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
f = {x["name"]: x for x in d["fields"]}
assert d["records"] == len(rows) == 161 and list(f) == ["nom_loc", "ambito", "altitud", "pob"], list(f)
assert f["pob"]["unit"] == "habitantes" and f["pob"]["description"] == "Población total, censo 2020"
assert f["altitud"]["unit"] == "m" and f["nom_loc"]["description"] == 'Nombre de la localidad "oficial"'
assert f["pob"]["label"] == "Población" and f["pob"]["type"] == "integer"
# INEGI writes "-" where it has no figure (one locality's pob and viv): not an integer, so the
# integer fields hold null there
def present(name, v):
    return v.strip().isdigit() if name in ("altitud", "pob") else v.strip() != ""
for name in ("nom_loc", "ambito", "altitud", "pob"):
    vals = [r[name] for r in rows if present(name, r[name])]
    assert f[name]["filled"] == len(vals), (name, f[name]["filled"], len(vals))
    assert abs(f[name]["fill_rate"] - len(vals) / len(rows)) < 1e-9, name
    assert f[name]["distinct"] == len(set(vals)), (name, f[name]["distinct"], len(set(vals)))
for name in ("altitud", "pob"):
    nums = [int(r[name]) for r in rows if present(name, r[name])]
    assert (f[name]["min"], f[name]["max"]) == (min(nums), max(nums)), (name, f[name]["min"], f[name]["max"])
amb = {}
for r in rows:
    amb[r["ambito"]] = amb.get(r["ambito"], 0) + 1
assert {v["value"]: v["count"] for v in f["ambito"]["values"]} == amb, f["ambito"]["values"]
assert f["nom_loc"]["values"] is None  # more than 20 distinct: not listed
assert all(x["published"] and x["generalised"] is None for x in d["fields"])
PY
ok

# the same rows as CSV and HTML
http_get "/collections/localidades/dictionary?f=csv"
expect_status 200
grep -qi '^content-type: text/csv' "$TEST_TMP/headers" || fail "dictionary CSV type"
python3 - "$TEST_TMP/body" <<'PY' || fail "dictionary CSV: $(head -c 400 "$TEST_TMP/body")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
assert [r["name"] for r in rows] == ["nom_loc", "ambito", "altitud", "pob"]
pob = rows[3]
assert pob["unit"] == "habitantes" and pob["type"] == "integer" and pob["published"] == "true"
assert rows[0]["description"] == 'Nombre de la localidad "oficial"'
PY
ok
http_get "/collections/localidades/dictionary" -H "Accept: text/html"
expect_status 200
grep -q '<th scope="row">pob</th>' "$TEST_TMP/body" && grep -q 'habitantes' "$TEST_TMP/body" \
  || fail "dictionary HTML"
ok

# the states: GDAL's reading of the Shapefile
http_get "/collections/estados/dictionary?f=json"
expect_status 200
python3 - "$TEST_TMP/body" "$TEST_TMP/estados.csv" <<'PY' || fail "estados dictionary differs from GDAL's reading"
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
assert d["records"] == len(rows) == 32
checked = 0
for f in d["fields"]:
    src = next((k for k in rows[0] if k.lower() == f["name"].lower()), None)
    if src is None:
        continue
    vals = [r[src] for r in rows if r[src].strip() != ""]
    assert f["filled"] == len(vals), (f["name"], f["filled"], len(vals))
    if f["type"] in ("integer", "real"):
        nums = [float(v) for v in vals]
        assert abs(f["min"] - min(nums)) < 1e-6 and abs(f["max"] - max(nums)) < 1e-6, f["name"]
    checked += 1
assert checked >= 5, checked
PY
ok

# the privacy layer: what was generalised and dropped, no value of a dropped field
http_get "/collections/delitos/dictionary?f=json"
expect_status 200
expect_json "d['privacy'] and '500 m' in d['privacy']"
expect_json "any(f['name'] == 'date' and f['generalised'] and 'mes' in f['generalised'] for f in d['fields'])"
expect_json "any(f['name'] == 'id' and f['published'] is False and f['dropped'] and 'values' not in f for f in d['fields'])"
expect_json "all(f['name'] != 'id' for f in d['fields'] if f['published'])"
http_get "/collections/delitos/items?f=json&limit=1000"
cp "$TEST_TMP/body" "$TEST_TMP/items.json"
http_get "/collections/delitos/dictionary?f=json"
python3 - "$TEST_TMP/body" "$TEST_TMP/items.json" <<'PY' || fail "delitos dictionary differs from its items"
import json, sys
d = json.load(open(sys.argv[1])); items = json.load(open(sys.argv[2]))["features"]
assert d["records"] == len(items), (d["records"], len(items))
for f in d["fields"]:
    if not f["published"]:
        continue
    vals = [i["properties"].get(f["name"]) for i in items]
    assert f["filled"] == sum(v is not None for v in vals), f["name"]
dates = sorted(i["properties"]["date"] for i in items if i["properties"].get("date"))
f = next(f for f in d["fields"] if f["name"] == "date")
assert (f["min"], f["max"]) == (dates[0], dates[-1]) and all(x.endswith("-01") for x in dates[:3])
PY
ok

# malformed and unknown
http_get "/collections/localidades/dictionary?f=xml"
expect_status 400
expect_json "d['code'] and d['description']"
http_get "/collections/no-such-layer/dictionary"
expect_status 404
stop_server || fail "server exit status"
echo "ok - $N_CHECKS checks"
