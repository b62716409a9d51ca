#!/usr/bin/env bash
# The review of sensitive layers (issue 19) on a database made only from third-party files
# (INEGI's municipios of León; 2,000 SSP-CDMX crime points: tests/data/cdmx-ssp/SOURCE.md):
#  - an upload of the crimes with a privacy policy is imported as a version pending review:
#    the job, the history and GET /api/reviews say "pendiente de revisión", and no public
#    endpoint shows it (404), nor does the diff reach its data;
#  - the authorisation matrix: every review route × {no credentials, revoked token, publisher
#    (the uploader), another department's publisher, reviewer, admin} → 401/403/2xx with a JSON
#    body, and the database unchanged on every refusal; a decision without a reason is a 400;
#  - a rejection (reason recorded in the history and the audit log) leaves the published data as
#    they were: the database dump equals the one before the upload, but for the review's own
#    records (its row, its history row);
#  - the preview (tiles and items) equals byte for byte what the public URLs serve after the
#    approval, and never carries a source coordinate; the count published equals a Python count
#    over the file of the records with coordinates;
#  - an approval of an already decided review is a 409; the CLI lists and shows reviews.
# TESELAS_TEST_BACKEND=postgis runs it on a private PostgreSQL cluster (backend_lib.sh): reviews,
# accounts and the audit log in the catalogue's schema, decisions through the PostgreSQL writes.
BACKEND_AWARE=1  # picks its backend itself (backend_lib.sh), not through the suite's switch in lib.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/backend_lib.sh"
CSV="$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2000.csv"
INEGI="$TESELAS_TEST_DATA/inegi"

DB="$TEST_TMP/review.db"
"$TESELAS" import "$INEGI/AGEM_11020_old.geojson" --db "$DB" --layer municipios --quiet >/dev/null
backend_open "$DB"
"$TESELAS" users add pub --db "$DB" --role publisher --department seguridad --layers delitos >/dev/null
"$TESELAS" users add otro --db "$DB" --role publisher --department agua --layers municipios >/dev/null
"$TESELAS" users add rev --db "$DB" --role reviewer >/dev/null
"$TESELAS" users add adm --db "$DB" --role admin >/dev/null
"$TESELAS" users add ido --db "$DB" --role reviewer >/dev/null
tok() { "$TESELAS" tokens add "$1" --db "$DB" 2>/dev/null; }
T_PUB=$(tok pub); T_OTRO=$(tok otro); T_REV=$(tok rev); T_ADM=$(tok adm); T_IDO=$(tok ido)
"$TESELAS" tokens revoke 5 --db "$DB" >/dev/null
start_server "$DB"

# The database as text, without the server's own bookkeeping (usage counts, download digests).
dump() { backend_dump | sha256sum | cut -c1-64; }
# call WHO METHOD PATH [curl args]: status in $STATUS, body in $TEST_TMP/body
call() {
  local who=$1 method=$2 path=$3; shift 3
  local auth=()
  case $who in
    revoked) auth=(-H "Authorization: Bearer $T_IDO") ;;
    otro) auth=(-H "Authorization: Bearer $T_OTRO") ;;
    pub) auth=(-H "Authorization: Bearer $T_PUB") ;;
    rev) auth=(-H "Authorization: Bearer $T_REV") ;;
    adm) auth=(-H "Authorization: Bearer $T_ADM") ;;
  esac
  http_get "$path" -X "$method" "${auth[@]}" "$@"
}
jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$TEST_TMP/body"; }
wait_job() {
  for _ in $(seq 1 600); do
    call pub GET "/api/jobs/$1"
    python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['state'] in ('done','failed'))" \
      "$TEST_TMP/body" || return 0
    sleep 0.2
  done
  fail "job $1 did not end"
}
upload() { # GRID: uploads the crimes as the publisher, generalised to GRID metres; job in $JOB
  call pub POST "/api/layers/delitos/versions?filename=delitos.csv&lat=lat&lon=long&privacy=generalize%3Agrid%3D$1" \
    --data-binary "@$CSV" -H "Content-Type: text/csv"
  expect_status 202 "upload of the crimes"
  JOB=$(jq_py "d['job']")
  wait_job "$JOB"
}
public_404() { # nothing of delitos on the public endpoints
  for path in /collections/delitos /collections/delitos/items /tiles/delitos.json \
              /tiles/delitos/10/230/458.mvt /collections/delitos/download.geojson; do
    http_get "$path"
    expect_status 404 "public $path while pending"
  done
  http_get /collections
  expect_json "all(c['id'] != 'delitos' for c in d['collections'])"
  ok
}

# 1. the first upload waits for review; the public endpoints do not show it
OWN_PG=(-T teselas.teselas_reviews -T teselas.teselas_review_layers)  # the review's own records
if [ "$BACKEND" = postgis ]; then
  backend_dump "${OWN_PG[@]}" >"$TEST_TMP/before.sql"
else
  sqlite3 "$DB" ".backup '$TEST_TMP/before.db'"
fi
upload 250
expect_json "d['state'] == 'done' and d['result'] == 'pending' and d['review_state'] == 'pendiente de revisión' and d['review'] == 1 and d['report']['status'] == 'pending'"
ok
public_404
http_get /api/layers/delitos/versions
expect_status 200 "history of a pending layer"
expect_json "d['published'] is False and d['versions'][-1]['review']['text'] == 'pendiente de revisión' and d['versions'][-1]['kept'] is False"
http_get "/api/layers/delitos/diff?from=1&to=1"
[ "$STATUS" -ge 400 ] && [ "$STATUS" -lt 500 ] || fail "diff of a pending version: $STATUS"
ok
call pub POST "/api/layers/delitos/versions?filename=delitos.csv&lat=lat&lon=long&privacy=generalize%3Agrid%3D250" \
  --data-binary "@$CSV"
expect_status 409 "a second upload while one waits"
ok

# 2. the authorisation matrix of the review routes; refusals change nothing
REASON=(-H "Content-Type: application/json" --data-binary '{"reason": "prueba de la matriz"}')
declare -A EXPECT=(
  [list]="401 401 403 403 200 200"
  [show]="401 401 403 403 200 200"
  [tile]="401 401 403 403 200 200"
  [items]="401 401 403 403 200 200"
  [approve]="401 401 403 403 - -"
  [reject]="401 401 403 403 - -")
request() { # ROUTE WHO
  case $1 in
    list) call "$2" GET /api/reviews ;;
    show) call "$2" GET /api/reviews/1 ;;
    tile) call "$2" GET /api/reviews/1/preview/tiles/10/230/455.mvt ;;
    items) call "$2" GET "/api/reviews/1/preview/items?limit=5" ;;
    approve) call "$2" POST /api/reviews/1/approve "${REASON[@]}" ;;
    reject) call "$2" POST /api/reviews/1/reject "${REASON[@]}" ;;
  esac
}
WHO=(none revoked pub otro rev adm)
audit_refused() { backend_audit_sql "SELECT count(*) FROM teselas_audit WHERE action='review' AND result='refused'"; }
n_refused=0
before=$(dump)
for route in list show tile items approve reject; do
  read -r -a want <<<"${EXPECT[$route]}"
  for i in 0 1 2 3 4 5; do
    [ "${want[$i]}" = - ] && continue
    request "$route" "${WHO[$i]}"
    expect_status "${want[$i]}" "$route as ${WHO[$i]}"
    if [ "${want[$i]}" -ge 400 ]; then
      expect_json "isinstance(d.get('code'), str) and isinstance(d.get('description'), str)"
      n_refused=$((n_refused + 1))
    fi
    # a refused decision changes nothing (reads are checked once, after the matrix)
    if [ "$route" = approve ] || [ "$route" = reject ]; then
      [ "$(dump)" = "$before" ] || fail "$route as ${WHO[$i]} changed the database"
    fi
    ok
  done
done
[ "$(dump)" = "$before" ] || fail "the review routes' refusals and reads changed the database"
[ "$(audit_refused)" = "$n_refused" ] || fail "$(audit_refused) refusals in the audit log for $n_refused"
ok
# the review's document: the quality report and the privacy decision
call rev GET /api/reviews/1
expect_json "d['state_text'] == 'pendiente de revisión' and d['privacy']['mode'] == 'generalize' and d['privacy']['grid_m'] == 250 and d['findings']['mode'] == 'generalize' and d['report']['counts']['read'] == 2000 and d['submitted_by'] == 'pub'"
ok
# a decision needs a reason
before=$(dump)
call rev POST /api/reviews/1/reject -H "Content-Type: application/json" --data-binary '{"reason": "  "}'
expect_status 400 "rejection without a reason"
call rev POST /api/reviews/1/approve
expect_status 400 "approval without a body"
call rev POST /api/reviews/1/approve --data-binary 'no es JSON'
expect_status 400 "approval with a body that is not JSON"
[ "$(dump)" = "$before" ] || fail "a decision without a reason changed the database"
ok

# 3. the reviewer rejects: the published data are as before the upload
call rev POST /api/reviews/1/reject -H "Content-Type: application/json" \
  --data-binary '{"reason": "falta quitar la hora exacta"}'
expect_status 200 "rejection by the reviewer"
expect_json "d['state'] == 'rejected' and d['decided_by'] == 'rev' and d['version'] == 1"
ok
public_404
# what may differ: the review's own records (its tables; the history row of the rejected
# version) and SpatiaLite's log of what was done (spatialite_history, sql_statements_log)
if [ "$BACKEND" = postgis ]; then
  # the same over the schema's dump, rows as sets: the review's own tables and the history rows
  # of delitos set aside (each table's COPY block starts "COPY teselas.<table> (...")
  backend_dump "${OWN_PG[@]}" >"$TEST_TMP/after.sql"
  python3 - "$TEST_TMP/before.sql" "$TEST_TMP/after.sql" <<'PY' || fail "the rejection left a change"
import re, sys
def snapshot(path):
    out, table = [], None
    for line in open(path, encoding='utf-8'):
        m = re.match(r'COPY teselas\.(\w+) ', line)
        if m:
            table = m.group(1)
        elif line.startswith('\\.'):
            table = None
        if table == 'teselas_history' and line.startswith('delitos\t'):
            continue
        out.append(line)
    return sorted(out)  # rows in any physical order: a write rewrites the layer's rows
a, b = snapshot(sys.argv[1]), snapshot(sys.argv[2])
assert a == b, (sorted(set(b) - set(a))[:3], sorted(set(a) - set(b))[:3])
PY
else
sqlite3 "$DB" ".backup '$TEST_TMP/after.db'"
python3 - "$TEST_TMP/before.db" "$TEST_TMP/after.db" <<'PY' || fail "the rejection left a change"
import sqlite3, sys
OWN = {'teselas_reviews', 'teselas_review_layers', 'spatialite_history', 'sql_statements_log',
       'teselas_usage', 'teselas_download_digests', 'sqlite_sequence'}
def snapshot(path):
    db = sqlite3.connect(path)
    out = {'schema': sorted(r for r in db.execute("SELECT type, name, sql FROM sqlite_master")
                            if r[1] not in OWN and r[2] not in OWN)}
    for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
        if t in OWN:
            continue
        try:
            rows = sorted(repr(r) for r in db.execute(f'SELECT * FROM "{t}"'))
        except sqlite3.OperationalError:  # SpatiaLite's virtual tables: no module here
            continue
        if t == 'teselas_history':
            rows = [r for r in rows if not r.startswith("('delitos',")]
        out[t] = rows
    return out
a, b = snapshot(sys.argv[1]), snapshot(sys.argv[2])
diff = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
assert not diff, (diff, [(set(b.get(k, [])) - set(a.get(k, [])), set(a.get(k, [])) - set(b.get(k, []))) for k in diff][:2])
PY
fi
[ "$(backend_tables_like 'lyr_delitos%')" = 0 ] || fail "the rejected version's table is still there"
python3 - "$(backend_sql "SELECT table_name FROM teselas_history WHERE layer_id='delitos' AND version=1")" \
  "$(backend_sql "SELECT report FROM teselas_history WHERE layer_id='delitos' AND version=1")" <<'PY' || fail "the history does not record the rejection"
import json, sys
table, r = sys.argv[1], json.loads(sys.argv[2])
assert table == '' and r['status'] == 'rejected', (table, r['status'])
assert r['review'] == {'state': 'rejected', 'by': 'rev', 'at': r['review']['at'], 'reason': 'falta quitar la hora exacta'}, r['review']
PY
[ "$(backend_audit_sql "SELECT count(*) FROM teselas_audit WHERE action='review' AND who='rev' AND target='delitos' AND result='rejected' AND detail LIKE '%falta quitar la hora exacta%'")" = 1 ] \
  || fail "the rejection is not in the audit log"
call rev POST /api/reviews/1/approve "${REASON[@]}"
expect_status 409 "approval of a rejected review"
expect_json "d['code'] == 'conflict'"
ok

# 4. a second upload; the preview of what approval would publish, kept to compare
upload 500
expect_json "d['result'] == 'pending' and d['review'] == 2 and d['version'] == 2"
public_404
call pub GET /api/reviews/2
expect_status 403 "the uploader reads the review"
# the URLs compared: the tiles holding the source's points at a few zooms, and item pages
python3 - "$CSV" >"$TEST_TMP/tiles.txt" <<'PY'
import csv, math, sys
tiles = set()
for row in csv.DictReader(open(sys.argv[1], encoding='utf-8')):
    try:
        lat, lon = float(row['lat']), float(row['long'])
    except ValueError:
        continue
    for z in (5, 9, 12, 15):
        n = 2 ** z
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        tiles.add((z, x, y))
for t in sorted(tiles)[:: max(1, len(tiles) // 16)]:
    print('%d/%d/%d' % t)
PY
ITEMS=("limit=10000" "limit=100&offset=50" "bbox=-99.2,19.3,-99.1,19.45&limit=500" "crime=VIOLACION&limit=1000")
n_tiles=0
while read -r t; do
  call rev GET "/api/reviews/2/preview/tiles/$t.mvt"
  [ "$STATUS" = 200 ] || [ "$STATUS" = 204 ] || fail "preview tile $t: $STATUS"
  cp "$TEST_TMP/body" "$TEST_TMP/prev-tile-${t//\//-}"
  n_tiles=$((n_tiles + 1))
done <"$TEST_TMP/tiles.txt"
[ "$n_tiles" -ge 12 ] || fail "only $n_tiles tiles to compare"
for i in "${!ITEMS[@]}"; do
  call rev GET "/api/reviews/2/preview/items?${ITEMS[$i]}"
  expect_status 200 "preview items ${ITEMS[$i]}"
  cp "$TEST_TMP/body" "$TEST_TMP/prev-items-$i"
done
ok
# no source coordinate in the preview nor in the review's document
call rev GET /api/reviews/2
cp "$TEST_TMP/body" "$TEST_TMP/review2.json"
python3 - "$CSV" "$TEST_TMP"/prev-items-* "$TEST_TMP/review2.json" <<'PY' || fail "a raw coordinate in the preview"
import csv, json, sys
raw, pts = set(), set()
for row in csv.DictReader(open(sys.argv[1], encoding='utf-8')):
    try:
        pts.add((round(float(row['long']), 6), round(float(row['lat']), 6)))
    except ValueError:  # "NA": no location, rejected by the import
        continue
    raw.update((row['lat'], row['long']))
for path in sys.argv[2:]:
    text = open(path, encoding='utf-8').read()
    hits = [v for v in raw if v in text]
    assert not hits, (path, hits[:3])
    if 'prev-items' in path:
        for f in json.loads(text)['features']:
            lon, lat = f['geometry']['coordinates']
            assert (round(lon, 6), round(lat, 6)) not in pts, (path, lon, lat)
PY
ok

# 5. a publisher cannot approve, not even its own upload; the reviewer approves
call pub POST /api/reviews/2/approve "${REASON[@]}"
expect_status 403 "the uploader approves"
call rev POST /api/reviews/2/approve -H "Content-Type: application/json" \
  --data-binary '{"reason": "generalizado a 500 m, sin identificador de origen"}'
expect_status 200 "approval by the reviewer"
expect_json "d['state'] == 'approved' and d['version'] == 2"
ok
http_get /collections/delitos
expect_status 200 "the approved layer is served"
# what the public URLs serve now is what the preview showed
while read -r t; do
  http_get "/tiles/delitos/$t.mvt"
  [ "$STATUS" = 200 ] || [ "$STATUS" = 204 ] || fail "public tile $t: $STATUS"
  cmp -s "$TEST_TMP/body" "$TEST_TMP/prev-tile-${t//\//-}" || fail "tile $t differs from its preview"
done <"$TEST_TMP/tiles.txt"
for i in "${!ITEMS[@]}"; do
  http_get "/collections/delitos/items?${ITEMS[$i]}"
  expect_status 200 "public items ${ITEMS[$i]}"
  python3 - "$TEST_TMP/prev-items-$i" "$TEST_TMP/body" <<'PY' || fail "items ${ITEMS[$i]} differ from their preview"
import json, sys
a, b = (json.load(open(p, encoding='utf-8')) for p in sys.argv[1:])
for d in (a, b): d.pop('timeStamp')  # the time of the answer
assert a == b
PY
  # and byte for byte, once the time of the answer is set aside
  sed 's/"timeStamp":"[^"]*"//' "$TEST_TMP/prev-items-$i" >"$TEST_TMP/a"
  sed 's/"timeStamp":"[^"]*"//' "$TEST_TMP/body" >"$TEST_TMP/b"
  cmp -s "$TEST_TMP/a" "$TEST_TMP/b" || fail "items ${ITEMS[$i]}: bytes differ"
done
ok
# the count published equals a Python count over the file (records with both coordinates)
http_get "/collections/delitos/items?limit=10000"
python3 - "$CSV" "$TEST_TMP/body" <<'PY' || fail "the published count is not the file's"
import csv, json, sys
n = 0
for row in csv.DictReader(open(sys.argv[1], encoding='utf-8')):
    try:
        lat, lon = float(row['lat']), float(row['long'])
    except ValueError:
        continue
    n += -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0, 0)
d = json.load(open(sys.argv[2], encoding='utf-8'))
assert d['numberReturned'] == len(d['features']) == n, (len(d['features']), n)
assert all('id' not in f['properties'] for f in d['features'])  # the source's id is withheld
PY
ok
http_get /api/layers/delitos/versions
expect_json "d['current'] == 2 and [v['review']['state'] for v in d['versions']] == ['rejected', 'approved'] and d['versions'][1]['report']['review']['reason'] == 'generalizado a 500 m, sin identificador de origen'"
ok
call rev POST /api/reviews/2/reject "${REASON[@]}"
expect_status 409 "rejection of an approved review"
call rev GET /api/reviews/2/preview/items
expect_status 404 "the preview of a decided review"
ok

# 6. an admin decides on a third upload
upload 1000
expect_json "d['result'] == 'pending' and d['review'] == 3"
call adm POST /api/reviews/3/approve -H "Content-Type: application/json" \
  --data-binary '{"reason": "cuadrícula de 1 km"}'
expect_status 200 "approval by an admin"
http_get /api/layers/delitos/versions
expect_json "d['current'] == 3"
ok

# 7. the CLI: list and show; the audit log has every decision
"$TESELAS" review list --db "$DB" --all >"$TEST_TMP/list.txt" || fail "review list"
grep -q 'rechazada' "$TEST_TMP/list.txt" && grep -q 'aprobada' "$TEST_TMP/list.txt" || fail "review list --all"
"$TESELAS" review list --db "$DB" | grep -q 'nada pendiente' || fail "review list: nothing waits"
"$TESELAS" review show 2 --db "$DB" | grep -q 'decidida por rev' || fail "review show"
"$TESELAS" review approve 2 --db "$DB" --user rev --reason "otra vez" 2>/dev/null \
  && fail "the CLI approved a decided review"
rc=0; "$TESELAS" review approve 2 --db "$DB" --user rev 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "no --reason: usage (exit $rc)"
[ "$(backend_audit_sql "SELECT who || ' ' || target || ' ' || result FROM teselas_audit WHERE action='review' AND result IN ('approved','rejected') ORDER BY id" | tr '\n' ,)" = \
  "rev delitos rejected,rev delitos approved,adm delitos approved," ] || fail "the audit log of the decisions"
[ "$(backend_audit_sql "SELECT count(*) FROM teselas_audit WHERE action='publish' AND result='pending'")" = 3 ] \
  || fail "the audit log of the pending uploads"
ok
stop_server
done_checks
