#!/usr/bin/env bash
# The quality report on third-party files, checked against Python reading the same files:
# - SACMEX's wells (internal tests only: read from TESELAS_SHARED_DATA, skipped when absent):
#   the wells about one degree west are flagged without --area, and named; every text value with
#   a '?' left by a lost character is counted per field and named by record, never by value;
# - the CDMX crime sample under a privacy policy: fill rates never above 100 %, over the records
#   published, and /collections/{id}/quality publishes no record number;
# - GET /collections/{id}/quality in JSON and HTML, linked from the collection and the catalog,
#   and the catalog's summary: no "100 %" unless exact, every warning kind listed.
source "$(dirname "$0")/lib.sh"
WELLS="${TESELAS_SHARED_DATA:-}/cdmx-agua-juvecampos/Pozos_Sacmex2.geojson"
if [ ! -f "$WELLS" ]; then
  echo "SKIP: $WELLS is absent (internal tests only, never copied)"
  exit 77
fi
W="$TEST_TMP"
DB="$W/q.db"
CRIME="$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2000.csv"

# --- the wells, without --area ---
"$TESELAS" import "$WELLS" --db "$DB" --layer pozos --keep-field CALLE --report "$W/pozos.json" \
  > "$W/pozos.txt" || fail "import wells: $(cat "$W/pozos.txt")"
python3 - "$WELLS" "$W/pozos.json" <<'EOF' || fail "wells report differs from the source"
import json, sys
src = json.load(open(sys.argv[1]))["features"]
rep = json.load(open(sys.argv[2]))
# records are 1-based in file order; the SOURCE.md: wells west of lon -99.37 lie outside CDMX,
# those near -99.96..-100.0 are off by ~100 km in X (about one degree)
one_degree = {i + 1 for i, f in enumerate(src) if f["geometry"]["coordinates"][0] < -99.9}
west = {i + 1 for i, f in enumerate(src) if f["geometry"]["coordinates"][0] < -99.37}
flagged = set(rep.get("shifted_records", []))
assert len(one_degree) == 37 and len(west) == 38, (len(one_degree), len(west))
assert one_degree <= flagged <= west, (sorted(one_degree - flagged), sorted(flagged - west))
assert rep["issues"]["shifted"] == len(flagged)
assert "outside_area" not in rep["issues"]  # no --area: Mexico's box holds them all
ex = [e for e in rep["examples"] if e["code"] == "shifted"]
assert ex and all("desplazado 1° de longitud" in e["detail"] for e in ex), ex[:2]
# lost characters: per field, the values holding '?' (the only damage in this file)
for f in rep["fields"]:
    name = f["source_name"]
    want = [i + 1 for i, s in enumerate(src)
            if isinstance(s["properties"].get(name), str) and "?" in s["properties"][name]]
    got = f.get("damaged_text", {"count": 0, "records": []})
    assert got["count"] == len(want), (name, got["count"], len(want))
    assert got["records"] == want[:5], (name, got["records"], want[:5])
assert {f["source_name"]: f["damaged_text"]["count"] for f in rep["fields"] if "damaged_text" in f}["NUMERO"] == 210
# examples name the field and the record, never the value
for e in rep["examples"]:
    if e["code"] == "damaged_text":
        assert "?" not in e["detail"] and e["detail"].startswith("campo '"), e
# fill rates over published records, rounded down: PROF_ is 99.2 %, not 100
for f in rep["fields"]:
    name = f["source_name"]
    filled = sum(1 for s in src if s["properties"].get(name) not in (None, ""))
    assert f["filled"] == filled, (name, f["filled"], filled)
    assert f["filled_pct"] == int(filled * 1000 / len(src)) / 10, (name, f["filled_pct"])
    assert f["filled_pct"] < 100 or filled == len(src)
EOF
ok
grep -q "NUMERO .*210 con caracteres perdidos (registros" "$W/pozos.txt" || fail "text report: $(cat "$W/pozos.txt")"
ok

# --- the crime sample under a privacy policy: fill rate over what is published ---
"$TESELAS" import "$CRIME" --db "$DB" --layer delitos --privacy generalize:grid=500,k=5 \
  --report "$W/delitos.json" > "$W/delitos.txt" || fail "import crime: $(cat "$W/delitos.txt")"
python3 - "$CRIME" "$W/delitos.json" <<'EOF' || fail "fill rates of the privacy layer"
import csv, json, sys
rep = json.load(open(sys.argv[2]))
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
located = [r for r in rows if r["lat"] not in ("", "NA") and r["long"] not in ("", "NA")]
n = rep["counts"]["imported"]
assert 0 < n < len(located), (n, len(located))   # some cells under k withheld
for f in rep["fields"]:
    assert f["filled"] <= n and f["filled_pct"] <= 100, f
    if f["source_name"] == "crime":      # never empty in the source: filled == published
        assert f["filled"] == n and f["filled_pct"] == 100, f
EOF
ok

# --- the endpoints ---
start_server "$DB"
http_get /collections/pozos/quality
expect_status 200 "quality JSON"
expect_header Content-Type application/json
expect_json 'd["id"] == "pozos" and d["report"]["issues"]["shifted"] >= 37 and len(d["report"]["shifted_records"]) >= 37'
expect_json 'any(l["rel"] == "alternate" and l["type"] == "text/html" for l in d["links"])'
expect_json '"lejos del resto de la capa" in d["summary"] and "100 %" not in d["summary"]'
http_get /collections/pozos/quality -H "Accept: text/html"
expect_status 200 "quality HTML"
expect_header Content-Type "text/html"
grep -q "textos con caracteres perdidos" "$TEST_TMP/body" || fail "HTML report lacks the lost characters"
ok
http_get "/collections/pozos/quality?f=xml"
expect_status 400 "unknown f"
http_get /collections/nada/quality
expect_status 404 "unknown layer"
http_get /collections/pozos
expect_json 'any(l["href"].endswith("/collections/pozos/quality") for l in d["links"])'
http_get /api
expect_json '"/collections/pozos/quality" in d["paths"]'
# a privacy layer's report names no record
http_get /collections/delitos/quality
expect_status 200 "privacy layer quality"
expect_json '"examples" not in d["report"] and "shifted_records" not in d["report"]'
expect_json 'all("records" not in f.get("damaged_text", {}) and "bad_record" not in f for f in d["report"]["fields"])'
expect_json '"%" not in d["summary"] or all(float(p) <= 100 for p in __import__("re").findall(r"([0-9.]+) %", d["summary"]))'
# the catalog: a link to the full report, no "100 %" for the wells, the warnings listed
http_get / -H "Accept: text/html"
grep -q 'href="/collections/pozos/quality?f=html"' "$TEST_TMP/body" || fail "catalog link to the report"
python3 - "$TEST_TMP/body" <<'EOF' || fail "catalog summary"
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
for pct in re.findall(r"([0-9.]+) % de los campos", html):
    assert float(pct) <= 100, pct
assert "99.8 % de los campos" in html   # wells: 13 fields, 12 empty cells of 6,838
assert re.search(r"37 lejos del resto de la capa", html)
assert re.search(r"296 textos con caracteres perdidos", html)  # 210 + 70 + 14 + 2
EOF
ok
stop_server
done_checks
