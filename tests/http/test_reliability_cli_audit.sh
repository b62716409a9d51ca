#!/usr/bin/env bash
# Every write of the command line is audited, and none happens unaudited or unbounded:
#  - rollback, remove, users add/remove, tokens add/revoke, import and publish each write one
#    audit line with
#    who "cli:<OS user>", the action, its target, result "ok" and its detail;
#  - when the audit log refuses the line (a trigger added to the log by this test stands for a
#    full disk or a broken log), each of them exits 1 naming the audit log, and the database is
#    unchanged (its dump without the log);
#  - SpatiaLite: an outside `sqlite3` holds BEGIN EXCLUSIVE; each of them with --busy-timeout-ms
#    300 exits 1 saying busy, naming the database and the wait, the database unchanged; a bad
#    wait is a usage error (exit 2).
# Either backend (tests/http/backend_lib.sh); the lock is a SpatiaLite file's (PostgreSQL writers
# queue on an advisory lock), so that part runs on the file alone. Third-party data only.
BACKEND_AWARE=1
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/backend_lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
D="$TESELAS_TEST_DATA"
FILE="$TEST_TMP/f.db"
imp() {
  "$TESELAS" import "$1" --db "$FILE" --layer "$2" --quiet --force > "$TEST_TMP/out" 2>&1 \
    || fail "import $1: $(cat "$TEST_TMP/out")"
}
imp "$D/cdmx-ssp/cuadrantes_shp.zip" cuadrantes
imp "$D/cdmx-ssp/cuadrantes_shp.zip" cuadrantes
imp "$D/inegi/AGEM_11020_old.geojson" municipio
imp "$D/inegi/AGLOC_11020_30.geojsons" localidades
backend_open "$FILE"
WHO="cli:$(id -un)"
audit_count() { backend_audit_sql "SELECT count(*) FROM teselas_audit"; }

# run NAME ARGS...: the command must succeed
run() {
  local name=$1; shift
  "$TESELAS" "$@" > "$TEST_TMP/$name.out" 2> "$TEST_TMP/$name.err" \
    || fail "$name: $(cat "$TEST_TMP/$name.err")"
}
# line ACTION TARGET DETAIL: exactly one line of this write, by $WHO, ok
line() {
  local n
  n=$(backend_audit_sql "SELECT count(*) FROM teselas_audit WHERE who='$WHO' AND action='$1'
        AND target='$2' AND result='ok' AND detail='$3'")
  [ "$n" = 1 ] || fail "audit line $1 $2 '$3': $n lines; the log: $(backend_audit_sql \
    "SELECT who || '|' || action || '|' || target || '|' || result || '|' || detail FROM teselas_audit")"
  ok
}

# 1. each write, its line
run users_add users add pub --db "$DB" --role publisher --layers cuadrantes
line "users add" pub publisher
TOKEN_N=$("$TESELAS" tokens add pub --db "$DB" 2>&1 >/dev/null | sed -n 's/^token número \([0-9]*\) .*/\1/p')
[ -n "$TOKEN_N" ] || fail "tokens add printed no number"
line "tokens add" pub "$TOKEN_N"
run revoke tokens revoke "$TOKEN_N" --db "$DB"
line "tokens revoke" "$TOKEN_N" ""
run rollback rollback cuadrantes --db "$DB" --to 1
line rollback cuadrantes "version 3 from 1"
run remove remove localidades --db "$DB" --reason "prueba"
line remove localidades "prueba"
run users_remove users remove pub --db "$DB"
line "users remove" pub ""
run import import "$D/inegi/AGEM_11020_old.geojson" --db "$DB" --layer municipio --force --quiet
line import municipio "version 2"
mkdir "$TEST_TMP/defs"
printf '{"id": "cuadros", "source": "%s", "title": "Cuadrantes"}\n' "$D/cdmx-ssp/cuadrantes_shp.zip" \
  > "$TEST_TMP/defs/cuadros.json"
run publish publish "$TEST_TMP/defs" --db "$DB" --quiet
line publish cuadros "version 1"
echo "eight command-line writes, eight lines by $WHO"

# 2. a log that refuses the command line's lines: nothing is written
backend_audit_refuse test_refuse_cli "NEW.who LIKE 'cli:%'"
# (a PostgreSQL sequence is not transactional: a token refused still used its number)
state() { # FILE: the database as text, without the log
  backend_dump | grep -v "setval('teselas.teselas_tokens_id_seq'" > "$1"
}
state "$TEST_TMP/before"
LINES=$(audit_count)
refused() { # NAME ARGS...: exit 1 naming the audit log, nothing changed
  local name=$1 rc=0; shift
  "$TESELAS" "$@" > "$TEST_TMP/$name.out" 2> "$TEST_TMP/$name.err" < /dev/null || rc=$?
  [ "$rc" = 1 ] || fail "$name with a log that refuses its line: exit $rc: $(cat "$TEST_TMP/$name.err")"
  grep -q "audit log" "$TEST_TMP/$name.err" || fail "$name: $(cat "$TEST_TMP/$name.err")"
  state "$TEST_TMP/after"
  diff "$TEST_TMP/before" "$TEST_TMP/after" > "$TEST_TMP/diff" \
    || fail "$name changed the database without its line: $(head -20 "$TEST_TMP/diff")"
  [ "$(audit_count)" = "$LINES" ] || fail "$name: a line in a log that refuses them"
  ok
}
refused users_add3 users add rev --db "$DB" --role reviewer
refused rollback2 rollback cuadrantes --db "$DB" --to 2
refused remove2 remove municipio --db "$DB"
refused import2 import "$D/inegi/AGEM_11020_old.geojson" --db "$DB" --layer municipio --force --quiet
refused publish2 publish "$TEST_TMP/defs" --db "$DB" --quiet --force
# an account and a token to act on, written while the log takes lines
backend_audit_take test_refuse_cli
run users_add4 users add ana --db "$DB" --role publisher --layers municipio
T_ANA=$("$TESELAS" tokens add ana --db "$DB" 2>&1 >/dev/null | sed -n 's/^token número \([0-9]*\) .*/\1/p')
backend_audit_refuse test_refuse_cli "NEW.who LIKE 'cli:%'"
state "$TEST_TMP/before"
LINES=$(audit_count)
refused tokens_add2 tokens add ana --db "$DB"
refused revoke2 tokens revoke "$T_ANA" --db "$DB"
refused users_remove2 users remove ana --db "$DB"
echo "a log that refuses the lines: users, tokens, rollback and remove refused, nothing changed"

# 3. the write lock held by an outside writer (a SpatiaLite file's)
backend_audit_take test_refuse_cli
if [ "$BACKEND" = spatialite ]; then
  sqlite3 "$DB" "CREATE TABLE outside_writes(x TEXT)"
  dump() { sqlite3 "$DB" .dump | grep -v 'outside_writes' | sha256sum | cut -c1-64; }
  printf '.timeout 20000\nBEGIN EXCLUSIVE;\nINSERT INTO outside_writes VALUES(%s);\n.shell touch %s\n.shell while [ ! -f %s ]; do sleep 0.1; done\nCOMMIT;\n' \
    "'x'" "$TEST_TMP/held" "$TEST_TMP/release" | sqlite3 -bail "$DB" > "$TEST_TMP/outside.log" 2>&1 &
  OUTSIDE=$!
  trap 'touch "$TEST_TMP/release"; cleanup' EXIT
  for _ in $(seq 1 600); do [ -f "$TEST_TMP/held" ] && break; sleep 0.05; done
  [ -f "$TEST_TMP/held" ] || fail "the outside writer did not take the lock: $(cat "$TEST_TMP/outside.log")"
  BEFORE=$(dump)
  busy() { # NAME ARGS...: exit 1, busy, the database and the wait named
    local name=$1 rc=0; shift
    "$TESELAS" "$@" --busy-timeout-ms 300 > "$TEST_TMP/$name.out" 2> "$TEST_TMP/$name.err" \
      < /dev/null || rc=$?
    [ "$rc" = 1 ] || fail "$name on a locked database: exit $rc: $(cat "$TEST_TMP/$name.err")"
    grep -q "busy" "$TEST_TMP/$name.err" || fail "$name: not busy: $(cat "$TEST_TMP/$name.err")"
    grep -qF "$DB" "$TEST_TMP/$name.err" || fail "$name: the database is not named"
    grep -q "300 ms" "$TEST_TMP/$name.err" || fail "$name: the wait is not named"
    ok
  }
  busy rollback3 rollback cuadrantes --db "$DB" --to 2
  busy remove3 remove municipio --db "$DB"
  busy publish3 publish "$TEST_TMP/defs" --db "$DB" --quiet --force
  busy users_add5 users add rev --db "$DB" --role reviewer
  busy users_remove3 users remove ana --db "$DB"
  busy tokens_add3 tokens add ana --db "$DB"
  busy revoke3 tokens revoke "$T_ANA" --db "$DB"
  echo "busy: $(cat "$TEST_TMP/rollback3.err")"
  [ -f "$TEST_TMP/release" ] && fail "the lock was released before the commands gave up"
  touch "$TEST_TMP/release"
  wait "$OUTSIDE" || fail "outside writer: $(cat "$TEST_TMP/outside.log")"
  [ "$(dump)" = "$BEFORE" ] || fail "the database changed under writes that found it busy"
  ok
  for bad in 0 -5 abc 86400001; do
    rc=0
    "$TESELAS" rollback cuadrantes --db "$DB" --to 2 --busy-timeout-ms "$bad" > /dev/null 2>&1 || rc=$?
    [ "$rc" = 2 ] || fail "--busy-timeout-ms '$bad' exited $rc"
  done
  ok
fi
done_checks
