#!/usr/bin/env bash
# The write API against a database made only from third-party files (INEGI's localidades and
# municipios of León, the CDMX crime points; tests/data/inegi/SOURCE.md and the shared data):
#  - the authorisation matrix: every write route × {no credentials, revoked token, another
#    department's publisher, publisher, reviewer, admin} → the documented status with a JSON body,
#    and on every refusal the database byte-identical (a dump; the audit log has its own file);
#  - 409 while a layer's import is running, for upload, rollback and removal alike;
#  - an upload's result equals `teselas import` of the same file: the same rows in the published
#    table and the same quality report (its elapsed time aside);
#  - the audit log has one line per attempt; no token or password in the log, the audit table,
#    the database file or the server's stderr.
# TESELAS_TEST_BACKEND=postgis runs it all on a private PostgreSQL cluster (backend_lib.sh): the
# accounts, tokens and audit log in the catalogue's schema, "unchanged" a pg_dump of the schema.
BACKEND_AWARE=1  # picks its backend itself (backend_lib.sh), not through the suite's switch in lib.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/backend_lib.sh"
DATA="$TESELAS_TEST_DATA/inegi"
BIG="${TESELAS_SHARED_DATA:-}/cdmx-ssp-delitos/crime-lat-long.csv"
[ -f "$BIG" ] || skip "the CDMX crime file is not in TESELAS_SHARED_DATA (needed for a long import)"

DB="$TEST_TMP/pub.db"
"$TESELAS" import "$DATA/AGLOC_11020_localidades_latin1.csv" --db "$DB" --layer localidades \
  --quiet >/dev/null
"$TESELAS" import "$DATA/AGEM_11020_old.geojson" --db "$DB" --layer municipios --quiet >/dev/null
"$TESELAS" import "$DATA/AGLOC_11020_localidades_latin1.csv" --db "$DB" --layer delitos \
  --quiet >/dev/null
FILE_DB=$DB  # the layers as imported, before any account: the CLI's side of the comparison
backend_open "$FILE_DB"
PASSWORD="clave-de-prueba-$RANDOM-$RANDOM"
"$TESELAS" users add pub --db "$DB" --role publisher --department obras \
  --layers localidades,delitos >/dev/null
"$TESELAS" users add otro --db "$DB" --role publisher --department agua --layers municipios >/dev/null
"$TESELAS" users add rev --db "$DB" --role reviewer >/dev/null
echo "$PASSWORD" | "$TESELAS" users add adm --db "$DB" --role admin --password >/dev/null
"$TESELAS" users add ido --db "$DB" --role publisher --layers localidades >/dev/null
tok() { "$TESELAS" tokens add "$1" --db "$DB" 2>/dev/null; }
T_PUB=$(tok pub); T_OTRO=$(tok otro); T_REV=$(tok rev); T_ADM=$(tok adm); T_IDO=$(tok ido)
"$TESELAS" tokens revoke 5 --db "$DB" >/dev/null
ALL_TOKENS="$T_PUB $T_OTRO $T_REV $T_ADM $T_IDO"
[ "$(echo "$ALL_TOKENS" | wc -w)" = 5 ] || fail "tokens not made"
start_server "$DB"

# The database without its audit log, as a hash: what a refusal must leave as it was. The server's
# own bookkeeping is left out: the usage counts and the download digests it writes in the
# background whatever the requests (the usage test checks those).
dump() { backend_dump | sha256sum | cut -c1-64; }
audit_n() { backend_audit_sql "SELECT count(*) FROM teselas_audit WHERE action IN ('upload','rollback','remove')"; }
N_ATTEMPTS=0
# call WHO METHOD PATH [curl args]: status in $STATUS, body in $TEST_TMP/body
call() {
  local who=$1 method=$2 path=$3; shift 3
  local auth=()
  case $who in
    none) ;;
    revoked) auth=(-H "Authorization: Bearer $T_IDO") ;;
    otro) auth=(-H "Authorization: Bearer $T_OTRO") ;;
    pub) auth=(-H "Authorization: Bearer $T_PUB") ;;
    rev) auth=(-H "Authorization: Bearer $T_REV") ;;
    adm) auth=(-H "Authorization: Bearer $T_ADM") ;;
  esac
  http_get "$path" -X "$method" "${auth[@]}" "$@"
  N_ATTEMPTS=$((N_ATTEMPTS + 1))
}
UPLOAD="/api/layers/localidades/versions?filename=AGLOC_11020_localidades.csv"
FILE=(--data-binary "@$DATA/AGLOC_11020_localidades.csv" -H "Content-Type: text/csv")
# route → expected status for none revoked otro pub rev adm (2xx checked after the refusals)
declare -A EXPECT=(
  [upload]="401 401 403 202 403 202"
  [rollback]="401 401 403 200 403 200"
  [remove]="401 401 403 403 403 200")
request() { # ROUTE WHO
  case $1 in
    upload) call "$2" POST "$UPLOAD" "${FILE[@]}" ;;
    rollback) call "$2" POST "/api/layers/localidades/rollback?to=1" ;;
    remove) call "$2" DELETE "/api/layers/localidades" ;;
  esac
}
WHO=(none revoked otro pub rev adm)
for route in upload rollback remove; do
  read -r -a want <<<"${EXPECT[$route]}"
  for i in 0 1 2 3 4 5; do
    [ "${want[$i]}" -ge 400 ] || continue
    before=$(dump)
    request "$route" "${WHO[$i]}"
    expect_status "${want[$i]}" "$route as ${WHO[$i]}"
    expect_json "isinstance(d.get('code'), str) and isinstance(d.get('description'), str)"
    [ "$(dump)" = "$before" ] || fail "$route as ${WHO[$i]} changed the database"
    ok
  done
done
[ "$(audit_n)" = "$N_ATTEMPTS" ] || fail "audit lines $(audit_n) for $N_ATTEMPTS attempts"
[ "$(backend_audit_sql "SELECT count(*) FROM teselas_audit WHERE result='refused'")" = "$N_ATTEMPTS" ] \
  || fail "every refusal is an audit line marked refused"
ok

# wait_job N: the job's document once it has ended, in $TEST_TMP/body
wait_job() {
  for _ in $(seq 1 600); do
    call "$2" GET "/api/jobs/$1"
    N_ATTEMPTS=$((N_ATTEMPTS - 1))  # a read: not a write attempt
    python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['state'] in ('done','failed'))" \
      "$TEST_TMP/body" || return 0
    sleep 0.2
  done
  fail "job $1 did not end"
}

# The publisher's upload equals the CLI's import of the same file into the database as it was.
cp "$FILE_DB" "$TEST_TMP/cli.db"
request upload pub
expect_status 202 "upload as publisher"
grep -qi '^Location: /api/jobs/1' "$TEST_TMP/headers" || fail "no Location of job 1"
ok
wait_job 1 pub
expect_json "d['result'] == 'published' and d['version'] == 2 and d['report']['counts']['imported'] == 161"
cp "$TEST_TMP/body" "$TEST_TMP/job1.json"
"$TESELAS" import "$DATA/AGLOC_11020_localidades.csv" --db "$TEST_TMP/cli.db" --layer localidades \
  --quiet --report "$TEST_TMP/cli-report.json" >/dev/null
if [ "$BACKEND" = postgis ]; then
  # the CLI's file copied beside (schema cli): the published tables compared row for row there
  "$TESELAS" copy --from "$TEST_TMP/cli.db" --to "$DB" --db-schema cli >/dev/null || fail "copy cli"
  rows() { # SCHEMA: version, row count and a hash of the published table's rows in fid order
    local t
    t=$(PGOPTIONS="-c search_path=$1,public" "${PSQL[@]}" -At -c \
      "SELECT table_name FROM teselas_layers WHERE id='localidades'")
    PGOPTIONS="-c search_path=$1,public" "${PSQL[@]}" -At -c "SELECT (SELECT version FROM \
      teselas_layers WHERE id='localidades'), count(*), md5(string_agg(t::text, '|' ORDER BY fid)) \
      FROM \"$t\" t"
  }
  up=$(rows teselas); cli=$(rows cli)
  [ "$up" = "$cli" ] && [[ "$up" == 2\|161\|* ]] || fail "upload and CLI import differ: $up / $cli"
  DB_ROWS=""
else
  DB_ROWS=$DB
fi
python3 - "$DB_ROWS" "$TEST_TMP/cli.db" "$TEST_TMP/job1.json" "$TEST_TMP/cli-report.json" <<'PY' || fail "upload and CLI import differ"
import json, sqlite3, sys
def rows(path):
    db = sqlite3.connect(path)
    (table, version) = db.execute("SELECT table_name, version FROM teselas_layers WHERE id='localidades'").fetchone()
    cols = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
    return version, cols, db.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
if sys.argv[1]:  # over PostgreSQL the rows were compared above, in the database
    up, cli = rows(sys.argv[1]), rows(sys.argv[2])
    assert up[0] == cli[0] == 2, (up[0], cli[0])
    assert up[1] == cli[1], (up[1], cli[1])
    assert len(up[2]) == 161 and up[2] == cli[2], "rows differ"
a = json.load(open(sys.argv[3]))['report']; b = json.load(open(sys.argv[4]))
for r in (a, b): r.pop('elapsed_s', None)
assert a == b, [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
PY
ok
request upload adm
expect_status 202 "upload as admin"
wait_job 2 adm
expect_json "d['result'] == 'unchanged'"  # the same file again: nothing new to publish
call pub GET /api/jobs/2
N_ATTEMPTS=$((N_ATTEMPTS - 1))
expect_status 403 "another account's job"
call rev GET /admin/auditoria
N_ATTEMPTS=$((N_ATTEMPTS - 1))
expect_status 403 "audit log as reviewer"

# 409: while the long import of delitos runs, every write to that layer waits its turn.
call pub POST "/api/layers/delitos/versions?filename=crime-lat-long.csv&lat=lat&lon=long&privacy=generalize%3Agrid%3D250%2Ck%3D5" \
  --data-binary "@$BIG"
expect_status 202 "long upload"
LONG_JOB=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['job'])" "$TEST_TMP/body")
before=$(dump)
call pub POST "/api/layers/delitos/versions?filename=AGLOC_11020_localidades.csv" "${FILE[@]}"
expect_status 409 "second upload of a busy layer"
expect_json "d['code'] == 'conflict'"
call pub POST "/api/layers/delitos/rollback?to=1"
expect_status 409 "rollback of a busy layer"
call adm DELETE "/api/layers/delitos"
expect_status 409 "removal of a busy layer"
call pub GET "/api/jobs/$LONG_JOB"
N_ATTEMPTS=$((N_ATTEMPTS - 1))
expect_json "d['state'] in ('queued', 'running')"  # the conflicts above were real
wait_job "$LONG_JOB" pub
[ "$(backend_audit_sql "SELECT count(*) FROM teselas_audit WHERE result='refused' AND detail LIKE '%in progress%'")" = 3 ] \
  || fail "the three conflicts are not in the audit log"
ok

# dry run: the report, nothing published
before=$(dump)
call pub POST "$UPLOAD&dry_run=true&force=true" "${FILE[@]}"
expect_status 202 "dry run"
wait_job "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['job'])" "$TEST_TMP/body")" pub
expect_json "d['dry_run'] is True and d['result'] == 'would_publish' and d['report']['counts']['imported'] == 161"
[ "$(dump)" = "$before" ] || fail "a dry run changed the database"
ok

# the successes of the matrix
request rollback pub
expect_status 200 "rollback as publisher"
expect_json "d['rollback_of'] == 1"
request rollback adm
expect_status 200 "rollback as admin"
request remove adm
expect_status 200 "remove as admin"
http_get /collections/localidades
expect_status 404 "removed layer"
[ "$(audit_n)" = "$N_ATTEMPTS" ] || fail "audit lines $(audit_n) for $N_ATTEMPTS write attempts"
ok

# the audit log for admins, CSV and HTML
call adm GET "/admin/auditoria?f=csv"
N_ATTEMPTS=$((N_ATTEMPTS - 1))
expect_status 200 "audit CSV"
backend_audit_sql "SELECT id, at, who, action, target, result, detail FROM teselas_audit ORDER BY id" \
  >"$TEST_TMP/audit.txt"
python3 - "$TEST_TMP/body" "$TEST_TMP/audit.txt" <<'PY' || fail "the CSV is not the audit table"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
db = [tuple(l.rstrip('\n').split('|', 6)) for l in open(sys.argv[2], encoding='utf-8')]
assert rows[0] == ['id', 'at', 'who', 'action', 'target', 'result', 'detail']
assert [tuple(r) for r in rows[1:]] == db[:len(rows) - 1] and len(rows) - 1 == len(db), (len(rows), len(db))
PY
ok
call adm GET "/admin/auditoria"
expect_status 200 "audit HTML"
grep -q '<td>remove</td><td>localidades</td><td>ok</td>' "$TEST_TMP/body" || fail "HTML audit table"
ok

# no secret anywhere: server log, audit table, database file, responses of the audit log
stop_server
for s in $ALL_TOKENS "$PASSWORD"; do
  for f in "$SERVER_LOG" $(backend_secret_files) "$TEST_TMP/body"; do
    [ -f "$f" ] || continue
    ! grep -aqF -- "$s" "$f" || fail "a secret was found in $(basename "$f")"
  done
  ! backend_audit_sql "SELECT * FROM teselas_audit" | grep -qF -- "$s" || fail "a secret in the audit table"
done
ok
done_checks
