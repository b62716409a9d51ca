#!/usr/bin/env bash
# `teselas check` on layers under a `generalize` privacy policy, whose stored boxes are rounded
# outwards to the policy's grid (so they say no more than the grid): a published version and a
# version uploaded over the API that waits for review read sound (exit 0, no problem), and a box
# that really moved is still named with its layer and version. Third-party data only (SSP-CDMX
# crime points, tests/data). Either backend (tests/http/backend_lib.sh): over PostgreSQL the
# check reads the copy of the file in a private cluster.
BACKEND_AWARE=1
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/backend_lib.sh"
D="$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2000.csv"
FILE="$TEST_TMP/f.db"
"$TESELAS" import "$D" --db "$FILE" --layer delitos --privacy generalize:grid=250 --quiet \
  > "$TEST_TMP/out" 2>&1 || fail "import: $(cat "$TEST_TMP/out")"
backend_open "$FILE"

# check_json: `check --json` of $DB, body in $TEST_TMP/body, exit status in $RC
check_json() {
  RC=0
  "$TESELAS" check --db "$DB" --json > "$TEST_TMP/body" 2> "$TEST_TMP/err" || RC=$?
}

check_json
[ "$RC" = 0 ] || fail "a published generalised version: exit $RC: $(cat "$TEST_TMP/body" "$TEST_TMP/err")"
expect_json 'd["sound"] and d["versions_read"] == 1 and d["problems"] == []'

# a version waiting for review, with a coarser grid (an upload with a policy is never published
# before a reviewer decides)
"$TESELAS" users add pub --db "$DB" --role publisher --layers delitos > /dev/null || fail "users add"
TOKEN=$("$TESELAS" tokens add pub --db "$DB" 2> /dev/null) || fail "tokens add"
start_server "$DB" --quiet
http_get "/api/layers/delitos/versions?filename=d.csv&lat=lat&lon=long&privacy=generalize%3Agrid%3D1000" \
  -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: text/csv" --data-binary "@$D"
expect_status 202 "an upload to review"
await_job "$TOKEN"
expect_json "d['state'] == 'done' and d['result'] == 'pending'"
stop_server || true

check_json
[ "$RC" = 0 ] || fail "a version pending review: exit $RC: $(cat "$TEST_TMP/body" "$TEST_TMP/err")"
expect_json 'd["sound"] and d["versions_read"] == 2 and d["problems"] == []'
"$TESELAS" check --db "$DB" > "$TEST_TMP/out" || fail "text check: $(cat "$TEST_TMP/out")"
grep -q "sound (1 layers, 2 versions read" "$TEST_TMP/out" || fail "text: $(cat "$TEST_TMP/out")"
ok

# real damage is still found: the catalog's box moved by a fraction of a grid cell
backend_sql "UPDATE teselas_layers SET maxx = maxx + 0.001 WHERE id = 'delitos'" > /dev/null
check_json
[ "$RC" = 1 ] || fail "a moved box: exit $RC: $(cat "$TEST_TMP/body")"
expect_json "any(p['layer'] == 'delitos' and p['version'] == 1 and 'the catalog says' in p['what'] for p in d['problems'])"
expect_json "all(p['layer'] == 'delitos' and p['version'] == 1 for p in d['problems'])"
done_checks
