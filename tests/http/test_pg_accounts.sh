#!/usr/bin/env bash
# Two teselas on one PostgreSQL (a private cluster), as behind a load balancer, on third-party
# data (INEGI's localidades of León: tests/data/inegi/SOURCE.md; the hostile files of
# tests/data/hostile):
#  - server A runs as the schema's owner (it takes uploads), server B as a role with only the
#    grants the README lists for a server that reads and signs in;
#  - a session made by signing in on A is valid on B (same CSRF token), and signing out on B ends
#    it on A: the sessions are the database's, not a server's;
#  - an upload through A is served by B (the NOTIFY), and a job's dry run changes nothing;
#  - hostile files uploaded through A are refused, each with a job that names the reason, and
#    the schema's dump (audit log aside) is the same after every one;
#  - one audit log for both servers: sign-in on A, sign-out on B, the upload and the refusals;
#    an UPDATE, DELETE or TRUNCATE of it is refused to the serving role and to the owner alike.
source "$(dirname "$0")/lib.sh"
TESELAS_TEST_BACKEND=postgis
source "$(dirname "$0")/backend_lib.sh"
DATA="$TESELAS_TEST_DATA/inegi"
H="$TESELAS_TEST_DATA/hostile"

"$TESELAS" import "$DATA/AGLOC_11020_localidades_latin1.csv" --db "$TEST_TMP/src.db" \
  --layer localidades --quiet >/dev/null || fail "import"
backend_open "$TEST_TMP/src.db"
trap '[ -n "${A_PID:-}" ] && kill "$A_PID" 2>/dev/null; pg_stop; cleanup' EXIT
PW="clave-$RANDOM-$RANDOM"
echo "$PW" | "$TESELAS" users add pub --db "$DB" --role publisher --layers localidades \
  --password >/dev/null || fail "users add"
T_PUB=$("$TESELAS" tokens add pub --db "$DB" 2>/dev/null)
[ -n "$T_PUB" ] || fail "no token"

# the serving role of B: what the README says a server that reads and signs in needs
"${PSQL[@]}" -c "CREATE ROLE teselas_web LOGIN;
  GRANT USAGE ON SCHEMA teselas TO teselas_web;
  GRANT SELECT ON ALL TABLES IN SCHEMA teselas TO teselas_web;
  ALTER DEFAULT PRIVILEGES IN SCHEMA teselas GRANT SELECT ON TABLES TO teselas_web;
  GRANT INSERT, DELETE ON teselas.teselas_sessions TO teselas_web;
  GRANT INSERT ON teselas.teselas_audit TO teselas_web;
  GRANT USAGE ON SEQUENCE teselas.teselas_audit_id_seq TO teselas_web;" >/dev/null \
  || fail "the serving role"
WEB_URI="postgresql://teselas_web@127.0.0.1:$PG_PORT/postgres"

SERVER_LOG="$TEST_TMP/a.log" start_server "$DB"
A_PID=$SERVER_PID A=$BASE
SERVER_LOG="$TEST_TMP/b.log" start_server "$WEB_URI"
B=$BASE
at() { BASE=$1; shift; http_get "$@"; }  # at SERVER PATH [curl args]
csrf_at() {
  curl -s -H "Cookie: $2" "$1/admin" | grep -o 'name="csrf" value="[^"]*"' | head -1 \
    | sed 's/.*value="\([^"]*\)"/\1/'
}

# 1. a session made on A is B's too, and ends on B for both
at "$A" /admin/entrar -X POST --data-urlencode "usuario=pub" --data-urlencode "contraseña=$PW"
expect_status 303 "sign-in on A"
C=$(sed -n 's/^Set-Cookie: \(teselas_sesion=[^;]*\);.*/\1/Ip' "$TEST_TMP/headers" | tr -d '\r')
[ -n "$C" ] || fail "no session cookie from A"
at "$B" /admin -H "Cookie: $C"
expect_status 200 "A's session on B"
grep -q 'href="/admin/capas/localidades"' "$TEST_TMP/body" || fail "B does not list the account's layer"
T_A=$(csrf_at "$A" "$C"); T_B=$(csrf_at "$B" "$C")
[ "${#T_A}" = 43 ] && [ "$T_A" = "$T_B" ] || fail "the session's CSRF token differs between A and B"
ok
at "$B" /admin/salir -X POST -H "Cookie: $C" --data "csrf=$T_B"
expect_status 303 "sign-out on B"
at "$A" /admin -H "Cookie: $C"
expect_status 303 "A after the sign-out on B"
expect_header Location /admin/entrar
[ "$(backend_sql "SELECT count(*) FROM teselas_sessions")" = 0 ] || fail "the session is still kept"
ok

# 2. an upload through A is served by B; a dry run changes nothing
dump() { backend_dump | sha256sum | cut -c1-64; }
wait_job() { # N: the job's document, once ended, in $TEST_TMP/body
  for _ in $(seq 1 600); do
    at "$A" "/api/jobs/$1" -H "Authorization: Bearer $T_PUB"
    python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['state'] in ('done','failed'))" \
      "$TEST_TMP/body" || return 0
    sleep 0.2
  done
  fail "job $1 did not end"
}
upload() { # FILE NAME: the upload through A as the publisher; its job's number in $JOB
  at "$A" "/api/layers/localidades/versions?filename=$2${3:-}" -H "Authorization: Bearer $T_PUB" \
    --data-binary "@$1"
  JOB=""
  [ "$STATUS" = 202 ] && JOB=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['job'])" "$TEST_TMP/body")
  return 0
}
before=$(dump)
upload "$DATA/AGLOC_11020_localidades.csv" l.csv "&dry_run=true&force=true"
expect_status 202 "dry run"
wait_job "$JOB"
expect_json "d['result'] == 'would_publish' and d['report']['counts']['imported'] == 161"
[ "$(dump)" = "$before" ] || fail "a dry run changed the database"
upload "$DATA/AGLOC_11020_localidades.csv" l.csv
expect_status 202 "upload through A"
wait_job "$JOB"
expect_json "d['result'] == 'published' and d['version'] == 2"
seen=""
for _ in $(seq 1 100); do  # NOTIFY, else B's poll every 2 s
  at "$B" /api/layers/localidades/versions
  python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1])).get('current') != 2)" \
    "$TEST_TMP/body" && { seen=1; break; }
  sleep 0.2
done
[ -n "$seen" ] || fail "B does not serve version 2 within 20 s"
N=$(python3 - "$DATA/AGLOC_11020_localidades.csv" <<'PY'
import csv, sys
print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding='utf-8'))))
PY
)
at "$B" "/collections/localidades/items?limit=1"
expect_status 200 "B's items"
expect_json "d['numberMatched'] == $N"

# 3. hostile files: refused, and the schema as it was
W="$TEST_TMP/in"
mkdir -p "$W"
python3 "$H/make_hostile.py" "$W" 9 >/dev/null || fail "make_hostile"
sed "s/@PORT@/9/" "$H/crs_link.geojson.in" >"$W/crs_link.geojson"
before=$(dump)
n_hostile=0
for f in "$H/passwd.vrt" "$H/xxe.kml" "$H/billion_laughs.kml" "$H/vsicurl.geojson" \
         "$H/vsizip.csv" "$H/xxe.gpx" "$W/crs_link.geojson" "$W/zip_bomb.zip" "$W/dotdot.zip" \
         "$W/absolute.zip" "$W/dotdot.kmz" "$W/networklink.kmz"; do
  name=$(basename "$f")
  upload "$f" "$name"
  if [ "$STATUS" = 202 ]; then
    wait_job "$JOB"
    expect_json "d['state'] == 'failed' and d['result'] == 'rejected' and len(d['message']) > 0"
  else
    [ "$STATUS" -ge 400 ] && [ "$STATUS" -lt 500 ] || fail "$name: $STATUS"
    expect_json "isinstance(d.get('code'), str) and isinstance(d.get('description'), str)"
  fi
  [ "$(dump)" = "$before" ] || fail "the refused $name changed the database"
  n_hostile=$((n_hostile + 1))
done
[ "$n_hostile" = 12 ] || fail "$n_hostile hostile files"
ok

# 4. one audit log for both servers, append-only for every role
q() { backend_audit_sql "SELECT count(*) FROM teselas_audit WHERE $1"; }
[ "$(q "action='login' AND who='pub' AND result='ok' AND detail=''")" = 1 ] || fail "A's sign-in"
[ "$(q "action='login' AND who='pub' AND result='ok' AND detail='sign-out'")" = 1 ] \
  || fail "B's sign-out"
[ "$(q "action='publish' AND result='ok' AND detail LIKE 'job 2,%'")" = 1 ] || fail "the upload's line"
[ "$(q "action='publish' AND result='rejected'")" -ge 10 ] || fail "the refused files' lines"
ok
n=$(q "true")
for sql in "UPDATE teselas.teselas_audit SET detail = 'x'" "DELETE FROM teselas.teselas_audit" \
           "TRUNCATE teselas.teselas_audit"; do
  ! psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U teselas_web -d postgres -c "$sql" 2>/dev/null \
    || fail "the serving role ran: $sql"
  out=$("${PSQL[@]}" -c "$sql" 2>&1) && fail "the owner ran: $sql"
  [[ "$out" == *"append-only"* ]] || fail "not refused by the log's trigger: $out"
done
[ "$(q "true")" = "$n" ] || fail "the audit log changed"
ok

# both servers stop cleanly (under the sanitizers: no error, no leak)
stop_server || fail "B did not stop cleanly"
SERVER_PID=$A_PID A_PID=""
stop_server || fail "A did not stop cleanly"

# no secret in either server's log nor in the schema
for s in "$PW" "$T_PUB" "${C#teselas_sesion=}" "$T_A"; do
  for f in "$TEST_TMP/a.log" "$TEST_TMP/b.log" $(backend_secret_files); do
    ! grep -aqF -- "$s" "$f" || fail "a secret was found in $(basename "$f")"
  done
done
ok
done_checks
