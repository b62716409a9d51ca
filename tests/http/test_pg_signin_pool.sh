#!/usr/bin/env bash
# Sign-ins over PostgreSQL keep their connections: each server thread keeps one for the account,
# session and audit calls instead of opening one per call (a sign-in is three calls). On a
# private cluster with PostgreSQL's own log of connections (log_connections):
#  - 50 sign-ins, each followed by a page of its session, to a server with 2 threads open at
#    most 2 connections more (PostgreSQL's log counts them; one per call would be 150 or more),
#    and the server's connections open at the end (pg_stat_activity) stay as few;
#  - each sign-in gave a working session and wrote its audit line (50 lines, counted in SQL);
#  - PostgreSQL restarted under the server: the next sign-in works at once (a kept connection
#    that the restart closed is noticed before use and replaced).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
pg_test_start
URI=$(pg_uri)
PW="pub-clave-$RANDOM-$RANDOM"
echo "$PW" | "$TESELAS" users add pub --db "$URI" --role publisher --password >/dev/null ||
  fail "users add"
pg_sql "ALTER SYSTEM SET log_connections = on" >/dev/null
pg_sql "SELECT pg_reload_conf()" >/dev/null
# connections PostgreSQL logged that no psql of this test made
server_connections() {
  grep "connection authorized" "$PG_DIR/server.log" | grep -vc "application_name=psql" || true
}

start_server "$URI" --threads 2
http_get /health
expect_status 200 "health"
signin pub "$PW"
[ -n "$COOKIE" ] || fail "the first sign-in was refused: $(head -c 300 "$TEST_TMP/body")"
ok
before=$(server_connections)
for i in $(seq 1 50); do
  signin pub "$PW"
  [ -n "$COOKIE" ] || fail "sign-in $i was refused: $STATUS $(head -c 300 "$TEST_TMP/body")"
  http_get /admin -H "Cookie: $COOKIE"
  expect_status 200 "the page of session $i"
done
after=$(server_connections)
echo "50 sign-ins and pages: $((after - before)) new connections to PostgreSQL"
[ $((after - before)) -le 2 ] ||
  fail "50 sign-ins opened $((after - before)) connections to PostgreSQL (2 threads)"
ok
# the server's connections now: its readers, the catalogue's watch, the usage writer and one
# kept per thread (the bound is generous: a connection per call would have left none open, so
# the log above is the proof of reuse; this says they do not pile up)
open_now=$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'
                   AND application_name <> 'psql'")
[ "$open_now" -le 10 ] || fail "$open_now connections of the server are open"
ok
n_logins=$(pg_sql "SELECT count(*) FROM teselas.teselas_audit WHERE action = 'login'
                   AND result = 'ok'")
[ "$n_logins" = 51 ] || fail "the audit log holds $n_logins sign-ins, not 51"
ok

# PostgreSQL restarts under the server: the kept connections are dead; the next sign-in works
BIN=$(pg_bin_dir)
as_pg "$BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -m fast -w -t 60 restart >/dev/null ||
  fail "pg_ctl restart"
for _ in $(seq 1 100); do
  http_get /health
  [ "$STATUS" = 200 ] && break
  sleep 0.1
done
expect_status 200 "health after the restart"
signin pub "$PW"
[ -n "$COOKIE" ] || fail "the sign-in after a restart was refused: $STATUS $(head -c 300 "$TEST_TMP/body")"
http_get /admin -H "Cookie: $COOKIE"
expect_status 200 "the page of the session made after the restart"
stop_server || fail "the server did not stop cleanly"
done_checks
