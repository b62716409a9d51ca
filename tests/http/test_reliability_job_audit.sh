#!/usr/bin/env bash
# An upload's publication happens only with its audit line: the job's outcome line ("publish",
# ok or pending) is written inside the import's transaction, before its COMMIT. A trigger added to
# the audit log by this test refuses the "publish" lines alone (as a full disk or a broken log
# would refuse them, after the upload's own line was taken): the job ends "failed" naming the
# audit log, the database is unchanged (its dump without the log) and the layer still serves its
# published version. Without the trigger the same upload publishes, its line there. Either
# backend (tests/http/backend_lib.sh). Third-party data only (SSP-CDMX quadrants, tests/data).
BACKEND_AWARE=1
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/backend_lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
D="$TESELAS_TEST_DATA"
FILE="$TEST_TMP/f.db"
"$TESELAS" import "$D/inegi/AGEM_11020_old.geojson" --db "$FILE" --layer municipio --quiet \
  > "$TEST_TMP/out" 2>&1 || fail "import: $(cat "$TEST_TMP/out")"
backend_open "$FILE"
"$TESELAS" users add pub --db "$DB" --role publisher --layers municipio > /dev/null || fail "users add"
TOKEN=$("$TESELAS" tokens add pub --db "$DB" 2> /dev/null) || fail "tokens add"
start_server "$DB" --quiet

upload() {
  http_get "/api/layers/municipio/versions?filename=cuadrantes.zip" -X POST \
    -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/zip" \
    --data-binary "@$D/cdmx-ssp/cuadrantes_shp.zip"
  expect_status 202 "an upload"
  await_job "$TOKEN"
}

backend_audit_refuse test_refuse_publish "NEW.action = 'publish'"
BEFORE=$(backend_dump | sha256sum)
upload
expect_json "d['state'] == 'failed' and 'audit log' in json.dumps(d)"
echo "the job: $(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('message', ''))" "$TEST_TMP/body")"
[ "$(backend_dump | sha256sum)" = "$BEFORE" ] || fail "the database changed: a publication without its line"
[ "$(backend_audit_sql "SELECT count(*) FROM teselas_audit WHERE action='publish'")" = 0 ] \
  || fail "a publish line in a log that refuses them"
http_get "/collections/municipio"
expect_json "d['id'] == 'municipio'"
[ "$(backend_sql "SELECT version FROM teselas_layers WHERE id='municipio'")" = 1 ] \
  || fail "municipio does not serve version 1"
ok

backend_audit_take test_refuse_publish
upload
expect_json "d['state'] == 'done'"
[ "$(backend_sql "SELECT version FROM teselas_layers WHERE id='municipio'")" -gt 1 ] \
  || fail "the upload did not publish once its line could be written"
[ "$(backend_audit_sql "SELECT count(*) FROM teselas_audit WHERE action='publish' AND who='pub'
      AND target='municipio' AND result='ok'")" = 1 ] || fail "no publish line"
ok
done_checks
