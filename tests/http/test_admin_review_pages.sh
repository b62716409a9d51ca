#!/usr/bin/env bash
# The reviewer's pages (issue 19) on a database made only from third-party files (INEGI's
# municipios of León; 2,000 SSP-CDMX crime points: tests/data/cdmx-ssp/SOURCE.md):
#  - a dry run that would wait for review keeps the generalised points it would publish (none at
#    a coordinate of the file) for its job page's map, and leaves no review behind;
#  - /admin/revision lists the pending version for a reviewer and an admin; a publisher gets a
#    403 page, nobody signed in a 303 to the sign-in page;
#  - /admin/revision/{n} says the policy, the fields dropped and kept with the reason given, what
#    the import found, the quality report, and holds the map of the preview tiles (which the
#    reviewer's session reads, and which carry as many features as the API's preview items);
#  - the form refuses a decision without its CSRF token (403) or without a reason (400), each
#    as a page, database unchanged; with both it approves (303), the audit log has the reason
#    and the layer is served;
#  - «Tus capas» says «pendiente de revisión» for a pending layer and the refusal with its
#    reason for a rejected one;
#  - the layer page's privacy choice: "none" without a stated reason is a 400 page; a choice of
#    aggregation is imported with that policy (the review says so) and the audit log has it;
#  - removing a layer never published whose first version waits (DELETE /api/layers/{id}, and
#    `teselas remove`) drops that version's table and its review row instead of answering 404,
#    and the removal is in the audit log.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/admin_lib.sh"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
CSV="$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2000.csv"
INEGI="$TESELAS_TEST_DATA/inegi"

DB="$TEST_TMP/review.db"
"$TESELAS" import "$INEGI/AGEM_11020_old.geojson" --db "$DB" --layer municipios --quiet >/dev/null
PW="clave-$RANDOM-$RANDOM-larga"
for a in "pub publisher --layers delitos,robos" "rev reviewer" "adm admin"; do
  set -- $a
  echo "$PW" | "$TESELAS" users add "$1" --db "$DB" --role "$2" "${@:3}" --password >/dev/null
done
T_PUB=$("$TESELAS" tokens add pub --db "$DB" 2>/dev/null)
T_ADM=$("$TESELAS" tokens add adm --db "$DB" 2>/dev/null)
start_server "$DB"
dump() { sqlite3 "$DB" .dump | grep -v 'teselas_usage\|teselas_download_digests' | sha256sum | cut -c1-64; }
audit_q() { sqlite3 "$DB.audit" "$1"; }

# 0. a dry run that would wait for review keeps what it would publish, for its job page's map:
#    generalised points only, none at a coordinate of the file; nothing is published or waits
http_get "/api/layers/delitos/versions?filename=delitos.csv&lat=lat&lon=long&privacy=generalize%3Agrid%3D500&dry_run=true" \
  -X POST -H "Authorization: Bearer $T_PUB" --data-binary "@$CSV" -H "Content-Type: text/csv"
expect_status 202 "a dry run of the crimes"
await_job "$T_PUB"
expect_json "d['result'] == 'would_await_review' and 0 < len(d['preview']['features']) <= 5000"
python3 - "$TEST_TMP/body" "$CSV" <<'PY' || fail "the dry run's preview holds a point of the file"
import csv, json, sys
doc = json.load(open(sys.argv[1]))
def num(v):
    try:
        return round(float(v), 6)
    except ValueError:  # "NA": a record without coordinates
        return None
src = {(num(r['long']), num(r['lat'])) for r in csv.DictReader(open(sys.argv[2]))}
pts = [tuple(round(c, 6) for c in f['geometry']['coordinates']) for f in doc['preview']['features']]
assert all(f['geometry']['type'] == 'Point' for f in doc['preview']['features'])
assert not src & set(pts), len(src & set(pts))
PY
ok
[ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name='teselas_reviews'")" = 0 ] || \
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM teselas_reviews")" = 0 ] || fail "a dry run left a review"
ok

# 1. the publisher uploads the crimes generalised to 500 m, dropping "cuadrante"; it waits
http_get "/api/layers/delitos/versions?filename=delitos.csv&lat=lat&lon=long&privacy=generalize%3Agrid%3D500&drop=cuadrante&keep-field=hour" \
  -X POST -H "Authorization: Bearer $T_PUB" --data-binary "@$CSV" -H "Content-Type: text/csv"
expect_status 202 "upload of the crimes"
await_job "$T_PUB"
expect_json "d['result'] == 'pending' and d['review'] == 1"

signin pub "$PW"; C_PUB=$COOKIE
signin rev "$PW"; C_REV=$COOKIE
signin adm "$PW"; C_ADM=$COOKIE
[ -n "$C_PUB" ] && [ -n "$C_REV" ] && [ -n "$C_ADM" ] || fail "a sign-in failed"

# 2. who sees the list
http_get /admin/revision
expect_status 303 "the list without a session"
grep -qi '^Location: /admin/entrar' "$TEST_TMP/headers" || fail "not sent to the sign-in page"
http_get /admin/revision -H "Cookie: $C_PUB"
expect_status 403 "the list for a publisher"
expect_body_has "unidad de transparencia" "the 403 page"
for c in "$C_REV" "$C_ADM"; do
  http_get /admin/revision -H "Cookie: $c"
  expect_status 200 "the list for a reviewer"
  expect_body_has 'href="/admin/revision/1"' "the list"
done
http_get /admin -H "Cookie: $C_PUB"
expect_body_has "pendiente de revisión" "the publisher's layers while pending"
http_get /admin -H "Cookie: $C_REV"
expect_body_has 'href="/admin/revision"' "the reviewer's home"

# 3. the review's page: what the decision rests on, and the map of the preview
http_get /admin/revision/1 -H "Cookie: $C_REV"
expect_status 200 "the review page"
grep -qi "^Content-Security-Policy:.*script-src 'self'" "$TEST_TMP/headers" || fail "no script CSP"
cp "$TEST_TMP/body" "$TEST_TMP/page.html"
expect_body_has "500 m" "the policy"
expect_body_has "<dt>cuadrante</dt><dd>No se publica" "the dropped field"
expect_body_has "<dt>hour</dt><dd>Se publica aunque parece personal. Razón dada: " "the kept field"
expect_body_has 'id="informe"' "the quality report"
expect_body_has 'action="/admin/revision/1/decision"' "the decision form"
expect_body_has 'name="reason" required' "the required reason"
python3 - "$TEST_TMP/page.html" <<'PY' >"$TEST_TMP/cfg" || fail "no map configuration"
import json, re, sys
m = re.search(r'<script type="application/json" id="review-config">(.*?)</script>', open(sys.argv[1]).read())
c = json.loads(m.group(1))
assert c['tiles'] == '/api/reviews/1/preview/tiles/{z}/{x}/{y}.mvt' and c['layer'] == 'delitos', c
assert c['privacy_mode'] == 'generalize', c
print(c['bounds'][0], c['bounds'][1], c['bounds'][2], c['bounds'][3])
PY
read -r W S E N <"$TEST_TMP/cfg"
# the tile at zoom 8 that holds the centre of the bounds, read with the reviewer's session
read -r TX TY < <(python3 -c "
import math,sys
lon=($W+$E)/2; lat=($S+$N)/2; n=2**8
x=int((lon+180)/360*n); y=int((1-math.asinh(math.tan(math.radians(lat)))/math.pi)/2*n)
print(x, y)")
http_get "/api/reviews/1/preview/tiles/8/$TX/$TY.mvt" -H "Cookie: $C_REV"
expect_status 200 "a preview tile with the reviewer's session"
[ "$(stat -c %s "$TEST_TMP/body")" -gt 0 ] || fail "an empty preview tile"
ok
http_get "/api/reviews/1/preview/tiles/8/$TX/$TY.mvt" -H "Cookie: $C_PUB"
expect_status 403 "a preview tile with the publisher's session"
# the text alternative's table: the preview's elements as HTML, with the reviewer's session
grep -qF 'href="/api/reviews/1/preview/items?f=html"' "$TEST_TMP/page.html" || fail "no link to the table"
http_get "/api/reviews/1/preview/items?f=html" -H "Cookie: $C_REV"
expect_status 200 "the preview as a table"
grep -qi '^Content-Type: text/html' "$TEST_TMP/headers" || fail "the table is not HTML"
http_get /admin/revision/1 -H "Cookie: $C_ADM"
expect_body_has 'action="/admin/revision/1/decision"' "the form for another admin"
http_get /admin/revision/99 -H "Cookie: $C_REV"
expect_status 404 "a review that does not exist"
http_get /admin/revision/abc -H "Cookie: $C_REV"
expect_status 404 "a review number that is not one"

# 4. the form: a CSRF token and a reason are required; refusals change nothing
T_REV=$(csrf_of "$C_REV")
before=$(dump)
http_get /admin/revision/1/decision -X POST -H "Cookie: $C_REV" \
  --data-urlencode "decision=approve" --data-urlencode "reason=bien"
expect_status 403 "a decision without its CSRF token"
expect_body_has "<!doctype html>" "the refusal as a page"
http_get /admin/revision/1/decision -X POST -H "Cookie: $C_REV" --data-urlencode "csrf=$T_REV" \
  --data-urlencode "decision=approve" --data-urlencode "reason=   "
expect_status 400 "a decision without a reason"
http_get /admin/revision/1/decision -X POST -H "Cookie: $C_REV" --data-urlencode "csrf=$T_REV" \
  --data-urlencode "decision=publicar" --data-urlencode "reason=bien"
expect_status 400 "a decision that is neither"
T_PUBF=$(csrf_of "$C_PUB")
http_get /admin/revision/1/decision -X POST -H "Cookie: $C_PUB" --data-urlencode "csrf=$T_PUBF" \
  --data-urlencode "decision=approve" --data-urlencode "reason=mía"
expect_status 403 "the uploader's own decision"
[ "$(dump)" = "$before" ] || fail "a refused decision changed the database"
ok
http_get /collections/delitos
expect_status 404 "the layer before the approval"

# 5. the approval from the page
http_get /admin/revision/1/decision -X POST -H "Cookie: $C_REV" --data-urlencode "csrf=$T_REV" \
  --data-urlencode "decision=approve" --data-urlencode "reason=cuadrante fuera, rejilla de 500 m"
expect_status 303 "the approval"
grep -qi '^Location: /admin/revision/1' "$TEST_TMP/headers" || fail "not sent back to the review"
[ "$(audit_q "SELECT count(*) FROM teselas_audit WHERE action='review' AND who='rev' AND target='delitos' AND result='approved' AND detail LIKE '%rejilla de 500 m%'")" = 1 ] \
  || fail "the approval is not in the audit log"
ok
http_get /collections/delitos/items?limit=1
expect_status 200 "the layer after the approval"
expect_json "'cuadrante' not in d['features'][0]['properties']"
http_get /admin/revision/1 -H "Cookie: $C_REV"
expect_body_has "Aprobada por rev" "the decided review"
http_get /admin -H "Cookie: $C_PUB"
grep -q "pendiente de revisión" "$TEST_TMP/body" && fail "still pending on «Tus capas»"
ok

# 6. a second version, refused: «Tus capas» says so with the reason
T_ADMF=$(csrf_of "$C_ADM")
http_get "/api/layers/delitos/versions?filename=delitos.csv&lat=lat&lon=long&privacy=generalize%3Agrid%3D250" \
  -X POST -H "Authorization: Bearer $T_PUB" --data-binary "@$CSV" -H "Content-Type: text/csv"
expect_status 202 "a second upload"
await_job "$T_PUB"
expect_json "d['result'] == 'pending' and d['review'] == 2"
http_get /admin/revision/2/decision -X POST -H "Cookie: $C_ADM" --data-urlencode "csrf=$T_ADMF" \
  --data-urlencode "decision=reject" --data-urlencode "reason=la rejilla de 250 m <es> fina"
expect_status 303 "the rejection"
http_get /admin -H "Cookie: $C_PUB"
expect_body_has "rechazada" "the publisher's layers after a rejection"
expect_body_has "la rejilla de 250 m &lt;es&gt; fina" "the rejection's reason, escaped"

# 7. a layer never published, its first version waiting: removed, not 404
pending_upload() { # LAYER: uploads the crimes as LAYER and waits for its job
  http_get "/api/layers/$1/versions?filename=delitos.csv&lat=lat&lon=long&privacy=generalize%3Agrid%3D500" \
    -X POST -H "Authorization: Bearer $T_PUB" --data-binary "@$CSV" -H "Content-Type: text/csv"
  expect_status 202 "upload of $1"
  await_job "$T_PUB"
  expect_json "d['result'] == 'pending'"
}
pending_upload robos
[ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name LIKE 'lyr_robos%'")" -gt 0 ] \
  || fail "the pending version has no table"
http_get /api/layers/robos -X DELETE -H "Authorization: Bearer $T_ADM"
expect_status 200 "removal of a layer whose only version waits"
expect_json "d['removed'] is True"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name LIKE 'lyr_robos%'")" = 0 ] \
  || fail "the pending version's table is still there"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM teselas_reviews WHERE layer_id='robos'")" = 0 ] \
  || fail "the review row is still there"
[ "$(audit_q "SELECT count(*) FROM teselas_audit WHERE action='remove' AND target='robos' AND result='ok'")" = 1 ] \
  || fail "the removal is not in the audit log"
ok
http_get /api/layers/robos -X DELETE -H "Authorization: Bearer $T_ADM"
expect_status 404 "a second removal"
http_get /admin -H "Cookie: $C_PUB"
grep -q "pendiente de revisión" "$TEST_TMP/body" && fail "a removed version still pending"
ok
# 8. the privacy choice of the layer page's form
T_PUBF=$(csrf_of "$C_PUB")
before=$(dump)
http_get /admin/capas/robos/versiones -X POST -H "Cookie: $C_PUB" -F "csrf=$T_PUBF" \
  -F "archivo=@$CSV;filename=robos.csv" -F "privacy_mode=none" -F "privacy_reason=  "
expect_status 400 "exact locations without a reason"
expect_body_has "escribe por qué" "the refusal"
[ "$(dump)" = "$before" ] || fail "a refused choice changed the database"
http_get /admin/capas/robos/versiones -X POST -H "Cookie: $C_PUB" -F "csrf=$T_PUBF" \
  -F "archivo=@$CSV;filename=robos.csv" -F "privacy_mode=aggregate" -F "privacy_grid=1000" \
  -F "privacy_k=3" -F "privacy_by=crime" -F "lat=lat" -F "lon=long"
expect_status 303 "an upload with a choice of aggregation"
for _ in $(seq 1 600); do
  http_get "/api/reviews?state=pending" -H "Authorization: Bearer $T_ADM"
  python3 -c "import json,sys; sys.exit(not any(r['layer']=='robos' for r in json.load(open(sys.argv[1]))['reviews']))" \
    "$TEST_TMP/body" && break
  sleep 0.2
done
N_ROBOS=$(python3 -c "import json,sys; print([r['review'] for r in json.load(open(sys.argv[1]))['reviews'] if r['layer']=='robos'][0])" "$TEST_TMP/body")
http_get "/api/reviews/$N_ROBOS" -H "Authorization: Bearer $T_ADM"
expect_json "d['privacy']['mode'] == 'aggregate' and d['privacy']['grid_m'] == 1000 and d['privacy']['k'] == 3 and d['privacy']['by'] == ['crime']"
[ "$(audit_q "SELECT count(*) FROM teselas_audit WHERE action='upload' AND target='robos' AND result='accepted' AND detail LIKE '%privacy aggregate:grid=1000,k=3,by=crime%'")" = 1 ] \
  || fail "the choice is not in the audit log"
ok
http_get "/admin/revision/$N_ROBOS" -H "Cookie: $C_REV"
expect_body_has '"privacy_mode":"aggregate"' "the map of an aggregated preview"
stop_server
"$TESELAS" remove robos --db "$DB" >/dev/null || fail "teselas remove of a pending layer"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM teselas_reviews WHERE layer_id='robos'")" = 0 ] \
  || fail "the review row is still there after teselas remove"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name LIKE 'lyr_robos%'")" = 0 ] \
  || fail "the pending version's table is still there after teselas remove"
[ "$(audit_q "SELECT count(*) FROM teselas_audit WHERE action='remove' AND who LIKE 'cli:%' AND target='robos' AND result='ok'")" = 1 ] \
  || fail "teselas remove is not in the audit log"
ok

echo "ok - $N_CHECKS checks"
