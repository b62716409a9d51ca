#!/usr/bin/env bash
# A rollback keeps a privacy layer private: the SSP-CDMX crime points (third-party,
# tests/data/cdmx-ssp) published as counts (aggregate:grid=500,k=5,by=tipo,date=date), an edited
# second version (tests/http/versions_check.py) under the same policy, then a rollback to the
# first. The new version carries the first one's policy and counts: its answers equal version 1's,
# the counts are checked against the CSV and for k-anonymity (tests/privacy/check_kanon.py), every
# endpoint is crawled for a published position within 1 m of a source point
# (tests/privacy/crawl.py), and the database files hold no exact coordinate
# (tests/privacy/check_db.py): the checks the privacy tests make of a first import.
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
PRIV="$(cd "$HERE/../privacy" && pwd)"
command -v gdaltransform > /dev/null || skip "gdaltransform is not installed"
[ -f "$HERE/../browser/node_modules/@mapbox/vector-tile/package.json" ] ||
  fail "npm packages missing: run (cd tests/browser && npm ci)"
DB="$TEST_TMP/p.db"
P1="$TEST_TMP/incidentes.csv"
P2="$TEST_TMP/incidentes-v2.csv"
POLICY='aggregate:grid=500,k=5,by=tipo,date=date'
# the located records, with `lon` for `long` and `tipo` for `crime`, published as `incidentes`:
# the names the privacy checks read (tests/privacy/crawl.py also visits the León style's map)
python3 - "$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2000.csv" "$P1" <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as g:
    r = csv.DictReader(f)
    ren = {"long": "lon", "crime": "tipo"}
    names = [ren.get(n, n) for n in r.fieldnames]
    w = csv.DictWriter(g, names)
    w.writeheader()
    for row in r:
        if row["lat"] != "NA":
            row["lon"], row["tipo"] = row.pop("long"), row.pop("crime")
            w.writerow(row)
PY
python3 "$HERE/versions_check.py" edit "$P1" "$P2" --lat lat --lon lon --id id --drop hour
PATHS=(/tiles/incidentes.json /collections/incidentes "/collections/incidentes/aggregate?by=tipo"
       "/collections/incidentes/aggregate?by=month" "/collections/incidentes/items?limit=100&f=json"
       "/collections/incidentes/aggregate?by=tipo&bbox=-99.2,19.3,-99.1,19.45"
       /tiles/incidentes/11/460/909.pbf /tiles/incidentes/12/920/1818.pbf /tiles/incidentes/13/1840/3637.pbf)
snapshot() {
  mkdir -p "$1"
  local k=0
  for p in "${PATHS[@]}"; do
    http_get "$p"
    # the port changes with each start, and "updated" is when the version was published
    { echo "$STATUS"; sed -E "s|$BASE|BASE|g; s/([?&]v=)[0-9]+/\\1N/g; s/\"(timeStamp|updated|last_delivery|next_delivery)\": *\"[^\"]*\"//" \
        "$TEST_TMP/body"; } > "$1/$k"
    k=$((k + 1))
  done
}
import_v() {
  "$TESELAS" import "$1" --db "$DB" --layer incidentes --lat lat --lon lon --privacy "$POLICY" \
    --quiet > "$TEST_TMP/out" 2>&1 || fail "import $1: $(cat "$TEST_TMP/out")"
}
import_v "$P1"
start_server "$DB" --quiet
snapshot "$TEST_TMP/v1"
import_v "$P2"
snapshot "$TEST_TMP/v2"
stop_server || fail "server exited non-zero"
diff -rq "$TEST_TMP/v1" "$TEST_TMP/v2" > /dev/null && fail "version 2 answers as version 1 (the control)"

"$TESELAS" rollback incidentes --db "$DB" --to 1 > "$TEST_TMP/out" 2>&1 || fail "rollback: $(cat "$TEST_TMP/out")"
python3 -c "import json,sys; a,b=(json.loads(x) for x in sys.argv[1:]); sys.exit(not (a == b and a.get('mode') == 'aggregate'))" \
  "$(sqlite3 "$DB" "SELECT privacy FROM teselas_layers")" \
  "$(sqlite3 "$DB" "SELECT json_extract(catalog, '\$.privacy') FROM teselas_history WHERE version=1")" \
  || fail "the rolled-back version lost its privacy policy: $(sqlite3 "$DB" "SELECT privacy FROM teselas_layers")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM teselas_agg_units WHERE version=3")" = \
  "$(sqlite3 "$DB" "SELECT count(*) FROM teselas_agg_units WHERE version=1")" ] || fail "units not copied"
ok
start_server "$DB" --quiet
snapshot "$TEST_TMP/v3"
diff -r "$TEST_TMP/v1" "$TEST_TMP/v3" > "$TEST_TMP/d" || fail "version 3 differs from version 1: $(head -c 600 "$TEST_TMP/d")"
ok
python3 "$PRIV/check_kanon.py" --base "$BASE" --layer incidentes --csv "$P1" --grid 500 --k 5 \
  --by tipo --date date --lat lat --lon lon --whole --boxes 6 --cells 6 --cats 3 \
  || fail "counts or k-anonymity of the rolled-back version"
ok
mkdir -p "$TEST_TMP/styles"
sqlite3 -cmd ".load mod_spatialite" "$DB" "SELECT AsGeoJSON(geom, 9) FROM lyr_incidentes_v3" \
  > "$TEST_TMP/published.txt"
python3 "$PRIV/crawl.py" --base "$BASE" --layer incidentes --csv "$P1" --mode aggregate \
  --published "$TEST_TMP/published.txt" --work "$TEST_TMP" --max-tiles 40 > "$TEST_TMP/crawl.out" \
  || fail "a response of the rolled-back version leaks: $(grep LEAK "$TEST_TMP/crawl.out" | head -5)"
ok
stop_server || fail "server exited non-zero"
python3 "$PRIV/check_db.py" --csv "$P1" --mode aggregate "$DB" "$DB-wal" "$DB-shm" \
  || fail "the database holds exact coordinates"
ok
done_checks
