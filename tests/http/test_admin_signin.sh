#!/usr/bin/env bash
# Sign-in and the pages for publishers, on a database that starts as accounts alone and gets its
# layers from third-party files only (INEGI's localidades of León; tests/data/inegi/SOURCE.md):
#  - `teselas users add` on a new file, then `serve`: an empty catalogue (health, OGC, pages);
#    the first upload, from a signed-in page, creates the layer;
#  - wrong password or unknown account → 401 page and an audit line; after 5 failures of an
#    account (20 of an address) → 429 with Retry-After, as a page or JSON;
#  - the session cookie's flags (Secure only behind an https --public-url);
#  - CSRF: a form or API write from a session without its token, or with a wrong one → 403 and
#    the database as it was; with the token (form field or X-CSRF-Token) it goes through;
#  - the authorisation matrix of the write routes with session cookies instead of tokens;
#  - sign-out ends the session; no password, session id or CSRF token in the server's log, the
#    audit log or the database.
# TESELAS_TEST_BACKEND=postgis runs it on a private PostgreSQL cluster (backend_lib.sh): accounts
# alone in an empty schema, sessions and the audit log there.
BACKEND_AWARE=1  # picks its backend itself (backend_lib.sh), not through the suite's switch in lib.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/backend_lib.sh"
DATA="$TESELAS_TEST_DATA/inegi"

backend_open "$TEST_TMP/ciudad.db"
PW_PUB="pub-clave-$RANDOM-$RANDOM"; PW_OTRO="otro-clave-$RANDOM-$RANDOM"
PW_REV="rev-clave-$RANDOM-$RANDOM"; PW_ADM="adm-clave-$RANDOM-$RANDOM"
echo "$PW_PUB" | "$TESELAS" users add pub --db "$DB" --role publisher --department obras \
  --layers localidades --password >/dev/null
echo "$PW_OTRO" | "$TESELAS" users add otro --db "$DB" --role publisher --department agua \
  --layers municipios --password >/dev/null
echo "$PW_REV" | "$TESELAS" users add rev --db "$DB" --role reviewer --password >/dev/null
echo "$PW_ADM" | "$TESELAS" users add adm --db "$DB" --role admin --password >/dev/null
PASSWORDS="$PW_PUB $PW_OTRO $PW_REV $PW_ADM"

# 1. a database of accounts alone is served, with an empty catalogue
start_server "$DB"
http_get /health
expect_status 200 "health of an empty catalogue"
expect_json "d['status'] == 'ok' and d['layers'] == 0"
http_get "/collections?f=json"
expect_status 200 "collections of an empty catalogue"
expect_json "d['collections'] == []"
for p in / "/?f=json" /conformance /api /catalog.jsonld /admin/entrar; do
  http_get "$p"
  expect_status 200 "$p on an empty catalogue"
done
http_get /collections/localidades
expect_status 404 "a layer not yet uploaded"

SECRETS=""  # session ids and CSRF tokens seen, for the final search
# signin NAME PASSWORD: the session cookie ("teselas_sesion=...") in $COOKIE, or "" when refused
signin() {
  http_get /admin/entrar -X POST --data-urlencode "usuario=$1" --data-urlencode "contraseña=$2" \
    "${@:3}"
  COOKIE=$(sed -n 's/^Set-Cookie: \(teselas_sesion=[^;]*\);.*/\1/Ip' "$TEST_TMP/headers" | tr -d '\r')
  [ -z "$COOKIE" ] || SECRETS="$SECRETS ${COOKIE#teselas_sesion=}"
}
# csrf_of COOKIE: the CSRF token the layer page gives that session
csrf_of() {
  curl -s -H "Cookie: $1" "$BASE/admin" | grep -o 'name="csrf" value="[^"]*"' | head -1 \
    | sed 's/.*value="\([^"]*\)"/\1/'
}
audit_q() { backend_audit_sql "$1"; }
dump() { backend_dump | sha256sum | cut -c1-64; }

# 2. sign in: the cookie and its flags
signin pub "$PW_PUB"
expect_status 303 "sign-in"
expect_header Location /admin
C_PUB=$COOKIE
[ -n "$C_PUB" ] || fail "no session cookie"
sc=$(grep -i '^Set-Cookie:' "$TEST_TMP/headers")
for flag in HttpOnly SameSite=Strict "Path=/" Max-Age=; do
  [[ "$sc" == *"$flag"* ]] || fail "cookie without $flag: $sc"
done
[[ "$sc" != *Secure* ]] || fail "Secure on a plain-HTTP server"
[ "${#C_PUB}" = $((15 + 43)) ] || fail "a session id is 43 base64url characters: ${#C_PUB}"
[ "$(audit_q "SELECT count(*) FROM teselas_audit WHERE action='login' AND who='pub' AND result='ok'")" = 1 ] \
  || fail "the sign-in is not in the audit log"
[ "$(backend_sql "SELECT count(*) FROM teselas_sessions WHERE account='pub' AND length(hash)=32")" = 1 ] \
  || fail "the session is not kept as a 32-byte hash"
ok
http_get /admin -H "Cookie: $C_PUB"
expect_status 200 "tus capas"
grep -q 'href="/admin/capas/localidades"' "$TEST_TMP/body" || fail "the account's layer is not listed"
grep -q 'sin publicar todavía' "$TEST_TMP/body" || fail "the layer's state"
ok
http_get /admin
expect_status 303 "/admin without a session"
expect_header Location /admin/entrar
T_PUB=$(csrf_of "$C_PUB"); SECRETS="$SECRETS $T_PUB"
[ "${#T_PUB}" = 43 ] || fail "no CSRF token in the page"

# 3. CSRF: refused without the token or with a wrong one, and nothing changes
before=$(dump); n_audit=$(audit_q "SELECT count(*) FROM teselas_audit")
UP_FORM="/admin/capas/localidades/versiones"
http_get "$UP_FORM" -H "Cookie: $C_PUB" -F "archivo=@$DATA/AGLOC_11020_localidades.csv"
expect_status 403 "form upload without its CSRF token"
grep -q 'role="alert"' "$TEST_TMP/body" || fail "the refusal is not a page in words"
http_get "$UP_FORM" -H "Cookie: $C_PUB" -F "csrf=${T_PUB%?}x" \
  -F "archivo=@$DATA/AGLOC_11020_localidades.csv"
expect_status 403 "form upload with a wrong CSRF token"
http_get "/api/layers/localidades/versions?filename=l.csv" -H "Cookie: $C_PUB" \
  --data-binary "@$DATA/AGLOC_11020_localidades.csv"
expect_status 403 "API upload from a session without X-CSRF-Token"
expect_json "d['code'] == 'forbidden'"
http_get "/api/layers/localidades/rollback?to=1" -X POST -H "Cookie: $C_PUB"
expect_status 403 "API rollback from a session without X-CSRF-Token"
http_get /admin/capas/localidades/rollback -X POST -H "Cookie: $C_PUB" --data "to=1"
expect_status 403 "rollback form without its CSRF token"
[ "$(dump)" = "$before" ] || fail "a refused CSRF changed the database"
[ "$(audit_q "SELECT count(*) FROM teselas_audit WHERE detail LIKE 'CSRF%' AND result='refused'")" = 5 ] \
  || fail "the CSRF refusals are not in the audit log"
ok

# 4. the first upload, from the layer page, creates the layer
http_get "$UP_FORM" -H "Cookie: $C_PUB" -F "csrf=$T_PUB" \
  -F "archivo=@$DATA/AGLOC_11020_localidades.csv"
expect_status 303 "form upload"
JOB_URL=$(sed -n 's/^Location: *\([^\r]*\)\r$/\1/Ip' "$TEST_TMP/headers")
[[ "$JOB_URL" == /admin/trabajos/1 ]] || fail "the upload does not lead to its job page: $JOB_URL"
for _ in $(seq 1 300); do
  http_get "$JOB_URL" -H "Cookie: $C_PUB"
  grep -q 'http-equiv="refresh"' "$TEST_TMP/body" || break
  sleep 0.2
done
expect_status 200 "job page"
grep -q 'Publicada la versión 1' "$TEST_TMP/body" || fail "the job page does not say it was published"
grep -q '161 registros publicados de 161' "$TEST_TMP/body" || fail "the report in words"
ok
http_get /collections/localidades/items?limit=1
expect_status 200 "the uploaded layer is served"
expect_json "d['numberMatched'] == 161"
# a second version through the API, with the session and its token in a header
http_get "/api/layers/localidades/versions?filename=l.csv" -H "Cookie: $C_PUB" \
  -H "X-CSRF-Token: $T_PUB" --data-binary "@$DATA/AGLOC_11020_localidades_latin1.csv"
expect_status 202 "API upload from a session with X-CSRF-Token"
for _ in $(seq 1 300); do
  http_get /api/jobs/2 -H "Cookie: $C_PUB"
  python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['state'] in ('done','failed'))" \
    "$TEST_TMP/body" || break
  sleep 0.2
done
expect_json "d['result'] == 'published' and d['version'] == 2"

# 5. the authorisation matrix with sessions (each with its own CSRF token)
signin otro "$PW_OTRO"; C_OTRO=$COOKIE
signin rev "$PW_REV"; C_REV=$COOKIE
signin adm "$PW_ADM"; C_ADM=$COOKIE
signin pub "$PW_PUB"; C_ENDED=$COOKIE; T_ENDED=$(csrf_of "$C_ENDED")
http_get /admin/salir -X POST -H "Cookie: $C_ENDED" --data "csrf=$T_ENDED"
expect_status 303 "sign-out"
expect_header Location /admin/entrar
grep -qi '^Set-Cookie: teselas_sesion=;.*Max-Age=0' "$TEST_TMP/headers" || fail "the cookie is not cleared"
http_get /admin -H "Cookie: $C_ENDED"
expect_status 303 "a page after sign-out"
declare -A CK=([otro]=$C_OTRO [rev]=$C_REV [adm]=$C_ADM [pub]=$C_PUB [ended]=$C_ENDED)
declare -A TK
for w in otro rev adm pub; do TK[$w]=$(csrf_of "${CK[$w]}"); SECRETS="$SECRETS ${TK[$w]}"; done
TK[ended]=$T_ENDED
declare -A EXPECT=(
  [upload]="401 401 403 202 403 202"
  [rollback]="401 401 403 200 403 200"
  [remove]="401 401 403 403 403 200")
WHO=(none ended otro pub rev adm)
as() { # WHO METHOD PATH [curl args]
  local who=$1 method=$2 path=$3; shift 3
  local cred=()
  [ "$who" = none ] || cred=(-H "Cookie: ${CK[$who]}" -H "X-CSRF-Token: ${TK[$who]}")
  http_get "$path" -X "$method" "${cred[@]}" "$@"
}
request() {
  case $1 in
    upload) as "$2" POST "/api/layers/localidades/versions?filename=l.csv" \
      --data-binary "@$DATA/AGLOC_11020_localidades.csv" ;;
    rollback) as "$2" POST "/api/layers/localidades/rollback?to=1" ;;
    remove) as "$2" DELETE /api/layers/localidades ;;
  esac
}
for route in upload rollback remove; do
  read -r -a want <<<"${EXPECT[$route]}"
  for i in 0 1 2 3 4 5; do
    [ "${want[$i]}" -ge 400 ] || continue
    before=$(dump)
    request "$route" "${WHO[$i]}"
    expect_status "${want[$i]}" "$route from a session of ${WHO[$i]}"
    expect_json "isinstance(d.get('code'), str) and isinstance(d.get('description'), str)"
    [ "$(dump)" = "$before" ] || fail "$route from ${WHO[$i]} changed the database"
  done
done
# the successes: rollback from the layer page's form, then the page shows it
http_get /admin/capas/localidades -H "Cookie: $C_PUB"
grep -q 'Volver a publicar la versión 1' "$TEST_TMP/body" || fail "no rollback button"
http_get /admin/capas/localidades/rollback -X POST -H "Cookie: $C_PUB" --data "csrf=$T_PUB&to=1"
expect_status 303 "rollback form"
expect_header Location /admin/capas/localidades
http_get /api/layers/localidades/versions
expect_json "d['versions'][-1]['version'] == 3 and d['versions'][-1]['rollback_of'] == 1" 
request rollback adm
expect_status 200 "rollback from an admin's session"
http_get /admin/capas/localidades -H "Cookie: $C_OTRO"
expect_status 403 "another department's layer page"

# 6. wrong passwords, the throttle per account and per address
before_n=$(audit_q "SELECT count(*) FROM teselas_audit WHERE action='login' AND result='refused'")
signin rev "mala-$RANDOM-clave"
expect_status 401 "wrong password"
grep -q 'Usuario o contraseña incorrectos' "$TEST_TMP/body" || fail "the error in words"
signin nadie "$PW_PUB"
expect_status 401 "unknown account"
for _ in 1 2 3 4; do signin rev "mala-$RANDOM-clave"; expect_status 401 "wrong password"; done
signin rev "$PW_REV"
expect_status 429 "the right password after 5 failures of the account"
grep -qi '^Retry-After: [1-9]' "$TEST_TMP/headers" || fail "429 without Retry-After"
grep -q 'Demasiados intentos' "$TEST_TMP/body" || fail "the 429 page in words"
[ -z "$COOKIE" ] || fail "a session after 429"
signin rev "$PW_REV" -H "Accept: application/json"
expect_status 429 "429 as JSON"
expect_json "d['code'] == 'too_many_requests'"
signin adm "$PW_ADM"
expect_status 303 "another account from the same address still signs in"
[ "$(audit_q "SELECT count(*) FROM teselas_audit WHERE action='login' AND result='refused'")" = $((before_n + 8)) ] \
  || fail "every refused sign-in is an audit line"
[ "$(audit_q "SELECT count(*) FROM teselas_audit WHERE action='login' AND target='nadie'")" = 0 ] \
  || fail "an unknown name typed at sign-in is in the audit log"
ok
for _ in $(seq 1 14); do signin "x$RANDOM" "mala-$RANDOM-clave"; done
signin adm "$PW_ADM"
expect_status 429 "any account after 20 failures from one address"

# 7. sign-out ended the session for the API too
http_get "/api/layers/localidades/rollback?to=1" -X POST -H "Cookie: $C_ENDED" -H "X-CSRF-Token: $T_ENDED"
expect_status 401 "an ended session"

# 8. behind https the cookie is Secure
stop_server
cp "$SERVER_LOG" "$TEST_TMP/server-1.log"
start_server "$DB" --public-url https://datos.example.org
signin pub "$PW_PUB"
expect_status 303 "sign-in behind https"
grep -qi '^Set-Cookie: teselas_sesion=.*; Secure' "$TEST_TMP/headers" || fail "no Secure behind https"
ok
stop_server

# 9. no secret anywhere: the server's log, the audit log, the database
for s in $PASSWORDS $SECRETS; do
  for f in "$SERVER_LOG" "$TEST_TMP/server-1.log" $(backend_secret_files); do
    [ -f "$f" ] || continue
    ! grep -aqF -- "$s" "$f" || fail "a secret was found in $(basename "$f")"
  done
  ! audit_q "SELECT * FROM teselas_audit" | grep -qF -- "$s" || fail "a secret in the audit table"
done
ok
done_checks
