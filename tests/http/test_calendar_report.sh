#!/usr/bin/env bash
# The update calendar on a database made only of third-party files (INEGI, CentroGeo, SSP-CDMX,
# Natural Earth: tests/data/*/SOURCE.md), their history dated in the past with sqlite3: the
# report (`teselas report`, JSON and CSV; GET /api/report) lists exactly the late layers with the
# days calendar_expect.py computes from the same rows; /metrics has one overdue series per layer;
# /collections and the catalog page mark the late ones in words. Frequencies are stored by one
# name whatever the language, an unknown one stops the import, and malformed /api/report
# requests get a 400 JSON error.
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
D="$TESELAS_TEST_DATA"
DB="$TEST_TMP/cal.db"
imp() {  # imp ID FILE FREQUENCY PUBLISHER [flags]
  local id=$1 file=$2 freq=$3 pub=$4; shift 4
  "$TESELAS" import "$file" --db "$DB" --layer "$id" --frequency "$freq" --publisher "$pub" "$@" \
    > "$TEST_TMP/$id.out" 2>&1 || fail "import $id: $(tail -3 "$TEST_TMP/$id.out")"
}
imp loc "$D/inegi/AGLOC_11020_localidades.csv" mensual "INEGI"
imp loc "$D/inegi/AGLOC_11020_localidades_latin1.csv" Mensual "INEGI"   # version 2
imp mun "$D/inegi/AGEM_11020_old.geojson" anual "INEGI"
imp alc "$D/centrogeo/criminologia_capas_subset.gpkg" TRIMESTRAL "CentroGeo" --source-layer alcaldias
imp cua "$D/cdmx-ssp/cuadrantes_shp.zip" "por evento" "SSP-CDMX"
imp pais "$D/naturalearth/naturalearth_lowres.shp" \
  "http://publications.europa.eu/resource/authority/frequency/WEEKLY" "Natural Earth"
[ "$(sqlite3 "$DB" "SELECT group_concat(x, ' ') FROM (SELECT id || '=' || frequency AS x FROM teselas_layers ORDER BY id)")" = \
  "alc=quarterly cua=on event loc=monthly mun=yearly pais=weekly" ] || fail "frequencies not normalised: $(sqlite3 "$DB" "SELECT id, frequency FROM teselas_layers")"
ok

# an unknown frequency stops the import and says so; the database stays as it was
before=$(sqlite3 "$DB" .dump | sha256sum)
set +e; "$TESELAS" import "$D/inegi/AGEM_11020_old.geojson" --db "$DB" --layer mun --frequency "cada luna" > "$TEST_TMP/luna" 2>&1; rc=$?; set -e
[ $rc = 1 ] && grep -q "frecuencia desconocida 'cada luna'" "$TEST_TMP/luna" || fail "unknown frequency: $rc $(cat "$TEST_TMP/luna")"
[ "$(sqlite3 "$DB" .dump | sha256sum)" = "$before" ] || fail "a refused frequency changed the database"
ok

# history dated in the past: a fixed "now" for the CLI (month-end clamp: 31 January + 1 month)
set_dates() {  # set_dates ID=ISO ...
  for a in "$@"; do
    sqlite3 "$DB" "UPDATE teselas_history SET imported_at='${a#*=}' WHERE layer_id='${a%%=*}' AND version=(SELECT version FROM teselas_layers WHERE id='${a%%=*}')"
  done
}
set_dates loc=2026-01-31T08:00:00Z mun=2025-02-10T00:00:00Z alc=2026-01-15T00:00:00Z \
  cua=2020-01-01T00:00:00Z pais=2026-03-22T06:00:00Z
NOW=2026-03-31T12:00:00Z
# compare REPORT_JSON EXPECT_JSON: the same late layers, days, due dates; figures from the history
compare() {
  python3 - "$1" "$2" "$DB" <<'PY' || fail "report differs from the independent computation"
import json, sqlite3, sys
rep, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
con = sqlite3.connect(sys.argv[3])
got = {l["id"]: l for p in rep["publishers"] for l in p["layers"]}
assert set(got) == set(want), (set(got), set(want))
late = sorted(k for k, v in want.items() if v["overdue"])
assert sorted(rep["overdue"]) == late and rep["n_overdue"] == len(late), (rep["overdue"], late)
for p in rep["publishers"]:
    assert all(l["publisher"] == p["publisher"] for l in p["layers"])
    assert p["overdue"] == sum(l["overdue"] for l in p["layers"])
for k, w in want.items():
    g = got[k]
    assert g["overdue"] == w["overdue"] and g["days_late"] == w["days_late"], (k, g, w)
    if w["scheduled"]:
        assert g["next_delivery"] == w["due"] and g["last_delivery"] == w["last"], (k, g, w)
        assert g["overdue_seconds"] == w["overdue_s"], (k, g, w)
    else:
        assert g["next_delivery"] is None, (k, g)
    if g["overdue"]:
        assert g["status"] == "atrasada %d %s" % (w["days_late"], "día" if w["days_late"] == 1 else "días"), g
    hist = con.execute("SELECT version, report FROM teselas_history WHERE layer_id=? ORDER BY version DESC", (k,)).fetchall()
    assert [v["version"] for v in g["trend"]["versions"]] == [h[0] for h in hist][:5], (k, g["trend"])
    for v, (_, text) in zip(g["trend"]["versions"], hist):
        c = json.loads(text)["counts"]
        assert (v["read"], v["imported"], v["rejected"]) == (c["read"], c["imported"], c["rejected"]), (k, v, c)
print("late:", late)
PY
  ok
}
"$TESELAS" report --db "$DB" --now "$NOW" --format json > "$TEST_TMP/rep.json" || fail "report json"
python3 "$HERE/calendar_expect.py" "$DB" "$NOW" > "$TEST_TMP/want.json"
python3 -c "import json,sys; w=json.load(open(sys.argv[1])); sys.exit(0 if sorted(k for k,v in w.items() if v['overdue'])==['loc','mun','pais'] and w['loc']['days_late']==31 else 1)" "$TEST_TMP/want.json" \
  || fail "the fixture is not what this test means to check: $(cat "$TEST_TMP/want.json")"
compare "$TEST_TMP/rep.json" "$TEST_TMP/want.json"
"$TESELAS" report --db "$DB" --now "$NOW" --grace-days 60 --format json > "$TEST_TMP/rep60.json"
python3 "$HERE/calendar_expect.py" "$DB" "$NOW" 60 > "$TEST_TMP/want60.json"
compare "$TEST_TMP/rep60.json" "$TEST_TMP/want60.json"

# CSV: one row per layer, the late ones flagged with their days
"$TESELAS" report --db "$DB" --now "$NOW" --format csv > "$TEST_TMP/rep.csv"
python3 - "$TEST_TMP/rep.csv" "$TEST_TMP/want.json" <<'PY' || fail "CSV report"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
want = json.load(open(sys.argv[2]))
assert sorted(r["layer"] for r in rows) == sorted(want)
for r in rows:
    w = want[r["layer"]]
    assert r["overdue"] == ("true" if w["overdue"] else "false") and int(r["days_late"]) == w["days_late"], (r, w)
    assert r["publisher"] == w["publisher"], r
PY
ok
"$TESELAS" report --db "$DB" --now "$NOW" > "$TEST_TMP/rep.txt"
grep -q "loc (monthly): atrasada 31 días" "$TEST_TMP/rep.txt" && grep -q "^INEGI$" "$TEST_TMP/rep.txt" || fail "text report: $(cat "$TEST_TMP/rep.txt")"
set +e; "$TESELAS" report --db "$DB" --now mañana > /dev/null 2>&1; rc=$?; set -e
[ $rc = 2 ] || fail "report --now mañana exited $rc"
ok

# the server, at its own clock: history dated relative to now
python3 - "$DB" <<'PY'
import datetime as dt, sqlite3, sys
now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
ago = {"loc": dt.timedelta(days=60, hours=5), "mun": dt.timedelta(days=400, hours=5),
       "alc": dt.timedelta(days=20), "cua": dt.timedelta(days=1000), "pais": dt.timedelta(days=9, hours=5)}
con = sqlite3.connect(sys.argv[1])
for k, d in ago.items():
    con.execute("UPDATE teselas_history SET imported_at=? WHERE layer_id=? AND version=(SELECT version FROM teselas_layers WHERE id=?)",
                ((now - d).strftime("%Y-%m-%dT%H:%M:%SZ"), k, k))
con.commit()
PY
start_server "$DB"
nowiso() { python3 -c "import datetime as d; print(d.datetime.now(d.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))"; }
http_get "/api/report"
expect_status 200 "/api/report"
expect_header Content-Type "application/json"
cp "$TEST_TMP/body" "$TEST_TMP/srv.json"
python3 "$HERE/calendar_expect.py" "$DB" "$(nowiso)" > "$TEST_TMP/want-now.json"
# overdue_seconds moves with the clock: compare the rest, then the seconds within a minute
python3 - "$TEST_TMP/srv.json" "$TEST_TMP/want-now.json" <<'PY' || fail "server report"
import json, sys
rep, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got = {l["id"]: l for p in rep["publishers"] for l in p["layers"]}
assert sorted(rep["overdue"]) == sorted(k for k, v in want.items() if v["overdue"]) == ["loc", "mun", "pais"], rep["overdue"]
for k, w in want.items():
    assert got[k]["days_late"] == w["days_late"] and abs(got[k]["overdue_seconds"] - w["overdue_s"]) < 60, (k, got[k], w)
PY
ok
http_get "/metrics"
expect_status 200 "/metrics"
python3 - "$TEST_TMP/body" "$TEST_TMP/want-now.json" <<'PY' || fail "metrics: $(grep overdue "$TEST_TMP/body")"
import json, re, sys
text, want = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
series = dict(re.findall(r'^teselas_layer_overdue_seconds\{layer="([^"]+)"\} (\d+)$', text, re.M))
assert sorted(series) == sorted(want), series
for k, w in want.items():
    assert abs(int(series[k]) - w["overdue_s"]) < 60 and (int(series[k]) > 0) == w["overdue"], (k, series[k], w)
assert "# TYPE teselas_layer_overdue_seconds gauge" in text
PY
ok
http_get "/collections"
expect_status 200 "/collections"
python3 - "$TEST_TMP/body" "$TEST_TMP/want-now.json" <<'PY' || fail "collections"
import json, sys
doc, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for c in doc["collections"]:
    w, cal = want[c["id"]], c["calendar"]
    assert cal["overdue"] == w["overdue"] and cal["days_late"] == w["days_late"], (c["id"], cal, w)
    assert cal["next_delivery"] == w.get("due"), (c["id"], cal, w)
PY
http_get "/collections/loc"
expect_json 'd["calendar"]["overdue"] and d["calendar"]["frequency"] == "monthly" and d["calendar"]["status"].startswith("atrasada ")'
http_get "/collections/alc"
expect_json 'not d["calendar"]["overdue"] and d["calendar"]["status"] == "al día"'
http_get "/" -H "Accept: text/html"
expect_status 200 "catalog page"
days=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['mun']['days_late'])" "$TEST_TMP/want-now.json")
grep -q "<strong class=\"overdue\">atrasada $days días</strong>" "$TEST_TMP/body" || fail "catalog page: no 'atrasada $days días'"
[ "$(grep -o 'class="overdue"' "$TEST_TMP/body" | wc -l)" = 3 ] || fail "catalog page marks other than the 3 late layers"
http_get "/?lang=en" -H "Accept: text/html"
grep -q "$days days late" "$TEST_TMP/body" || fail "catalog page in English"
ok
http_get "/api/report?f=csv"
expect_status 200 "report csv"
expect_header Content-Type "text/csv"
head -1 "$TEST_TMP/body" | grep -q "^publisher,layer,title,frequency,last_delivery,next_delivery,overdue,days_late" || fail "csv header"
http_get "/api/report" -H "Accept: text/html,application/xhtml+xml"
expect_status 200 "report html"
expect_header Content-Type "text/html"
grep -q "<strong>atrasada $days días</strong>" "$TEST_TMP/body" || fail "html report"
expect_header Content-Security-Policy "default-src 'none'"
http_get "/api/report?grace_days=20"
expect_json 'd["overdue"] == ["loc", "mun"] and d["grace_days"] == 20'
for bad in "f=xyz" "f=text" "grace_days=-1" "grace_days=abc" "grace_days=366" "grace_days=" "foo=1"; do
  http_get "/api/report?$bad"
  expect_status 400 "/api/report?$bad"
  expect_json '"code" in d and "description" in d'
done
http_get "/api"
expect_json '"/api/report" in d["paths"]'
stop_server
done_checks
