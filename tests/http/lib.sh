# lib.sh — helpers for the integration tests: start the real `teselas serve` on a free loopback
# port, stop it by PID, and small assertions. Source it; $TESELAS is the binary under test.
set -euo pipefail

: "${TESELAS:?TESELAS must point at the teselas binary}"
TEST_TMP=$(mktemp -d /tmp/teselas-http-XXXXXX)
SERVER_PID=""
SERVER_PORT=""
SERVER_LOG="$TEST_TMP/server.log"
# the build's output id, which tile and image URLs carry after the layer versions (?v=1.2-<id>)
OUTPUT_ID=$("$TESELAS" --version | sed -n 's/.*(output \([0-9a-f]\{8\}\)).*/\1/p')
[ -n "$OUTPUT_ID" ] || { echo "teselas --version names no output id" >&2; exit 1; }
N_CHECKS=0

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$TEST_TMP"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  [ -f "$SERVER_LOG" ] && { echo "--- server log (tail) ---" >&2; tail -20 "$SERVER_LOG" >&2; }
  exit 1
}
ok() { N_CHECKS=$((N_CHECKS + 1)); }

# skip REASON: the test cannot run here (a peer or tool is not installed). Exit code 77 is what
# tests/CMakeLists.txt gives ctest as SKIP_RETURN_CODE, so ctest reports a skip, never a pass.
skip() {
  echo "SKIP: $*"
  exit 77
}

# A sample database shared by the tests of one script (small and fast to build).
demo_db() {
  local db="$TEST_TMP/leon.db"
  [ -f "$db" ] || "$TESELAS" demo --db "$db" --build-only --incidents "${1:-5000}" 2>/dev/null
  echo "$db"
}

# start_server DB [extra serve flags...]: port 0 lets the kernel pick a free port; the server
# prints the one it got.
start_server() {
  local db=$1; shift
  : > "$SERVER_LOG"  # exists before the loop reads it (the shell may not have opened it yet)
  "$TESELAS" serve --db "$db" --port 0 --bind 127.0.0.1 "$@" 2>"$SERVER_LOG" &
  SERVER_PID=$!
  for _ in $(seq 1 "${SERVER_START_STEPS:-100}"); do  # steps of 0.05 s
    SERVER_PORT=$(sed -n 's|.*serving .* at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$SERVER_LOG")
    [ -n "$SERVER_PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited at start: $(cat "$SERVER_LOG")"
    sleep 0.05
  done
  [ -n "$SERVER_PORT" ] || fail "server did not start"
  BASE="http://127.0.0.1:$SERVER_PORT"
}

stop_server() {
  kill -TERM "$SERVER_PID"
  local rc=0
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=""
  return $rc
}

# http_get PATH [curl args...]: body to $TEST_TMP/body, status in $STATUS, headers in $TEST_TMP/headers
http_get() {
  local path=$1; shift
  STATUS=$(curl -s -o "$TEST_TMP/body" -D "$TEST_TMP/headers" -w '%{http_code}' "$@" "$BASE$path")
}

expect_status() {
  [ "$STATUS" = "$1" ] || fail "expected HTTP $1, got $STATUS for ${2:-request}: $(head -c 300 "$TEST_TMP/body")"
  ok
}

# expect_json 'python expression over `d`' — the body parsed as JSON must satisfy it.
expect_json() {
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" \
    "$TEST_TMP/body" || fail "JSON check failed: $1 on $(head -c 400 "$TEST_TMP/body")"
  ok
}

expect_header() {
  grep -qi "^$1: $2" "$TEST_TMP/headers" || fail "header $1: $2 missing in $(cat "$TEST_TMP/headers")"
  ok
}

# etag: the ETag of the last http_get.
etag() { sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$TEST_TMP/headers"; }

# expect_304 PATH ETAG LENGTH [curl args...]: If-None-Match: ETAG answers 304 with that ETag, no
# body, no Content-Type, and a Content-Length, when there is one, equal to LENGTH, the 200's
# (RFC 9110 §8.6; the server writes the 200's).
expect_304() {
  local path=$1 tag=$2 len=$3; shift 3
  rm -f "$TEST_TMP/body"
  http_get "$path" -H "If-None-Match: $tag" "$@"
  expect_status 304 "If-None-Match on $path"
  # (curl -I writes the headers where the body would go)
  [ ! -s "$TEST_TMP/body" ] || [[ " $* " == *" -I "* ]] || fail "304 with a body"
  expect_header ETag "$tag"
  local cl
  cl=$(sed -n 's/^Content-Length: *\([0-9]*\)\r$/\1/Ip' "$TEST_TMP/headers")
  [ -z "$cl" ] || [ "$cl" = "$len" ] || fail "304 of $path has Content-Length $cl, the 200 has $len"
  ! grep -qi '^Content-Type' "$TEST_TMP/headers" || fail "304 with a Content-Type"
  ok
}

# The upload job a 202 answer in $TEST_TMP/body names, asked with bearer TOKEN every 0.2 s until
# it ends (STEPS tries, default 600); then JOB is its number and $TEST_TMP/body its document.
await_job() { # TOKEN [STEPS]
  JOB=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['job'])" "$TEST_TMP/body")
  for _ in $(seq 1 "${2:-600}"); do
    http_get "/api/jobs/$JOB" -H "Authorization: Bearer $1"
    python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['state'] in ('done','failed'))" \
      "$TEST_TMP/body" || return 0
    sleep 0.2
  done
  fail "job $JOB did not end"
}

done_checks() { echo "ok: $N_CHECKS checks in $(basename "$0")"; }

# TESELAS_TEST_BACKEND=postgis: the same test, every server reading a PostgreSQL copy of its
# database (tests/postgis/backend_lib.sh; ctest's *_pg tests, label postgis). A test that sets
# BACKEND_AWARE picks its backend itself (tests/http/backend_lib.sh).
if [ "${TESELAS_TEST_BACKEND:-}" = postgis ] && [ -z "${BACKEND_AWARE:-}" ]; then
  source "$(dirname "${BASH_SOURCE[0]}")/../postgis/backend_lib.sh"
fi

# countries_db: Natural Earth's countries (a third-party file) as the layer paises in
# $TEST_TMP/ne.db, for the tests of the server's operation; sets DB.
countries_db() {
  DB="$TEST_TMP/ne.db"
  "$TESELAS" import "$TESELAS_TEST_DATA/naturalearth/naturalearth_lowres.shp" --db "$DB" \
    --layer paises > "$TEST_TMP/import.log" 2>&1 || fail "import: $(tail -5 "$TEST_TMP/import.log")"
}

# paises_style COLOUR [LAYER_JSON]: $TEST_TMP/styles/paises.json, a user style over paises (a
# background of COLOUR, the land filled, then LAYER_JSON), written whole and then renamed, so a
# reload (SIGHUP) never reads it half-written.
paises_style() {
  mkdir -p "$TEST_TMP/styles"
  cat > "$TEST_TMP/styles/paises.json.tmp" <<STYLE
{"version": 8, "name": "paises", "sources": {"t": {"type": "vector", "url": "teselas://paises"}},
 "layers": [{"id": "fondo", "type": "background", "paint": {"background-color": "$1"}},
            {"id": "tierra", "type": "fill", "source": "t", "source-layer": "paises",
             "paint": {"fill-color": "#d8d0c0"}}${2:+,
            $2}]}
STYLE
  mv "$TEST_TMP/styles/paises.json.tmp" "$TEST_TMP/styles/paises.json"
}

# outside_writer_db: for the tests of locks, a database ($DB) of INEGI's municipality of León
# with a table (outside_writes) that an outside sqlite3 writes; sets D (the test data) and DB.
outside_writer_db() {
  command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
  D="$TESELAS_TEST_DATA"
  DB="$TEST_TMP/f.db"
  "$TESELAS" import "$D/inegi/AGEM_11020_old.geojson" --db "$DB" --layer municipio --quiet \
    > /dev/null || fail "import municipio"
  sqlite3 "$DB" "CREATE TABLE outside_writes(x TEXT)"
}

# outside_writer_hold: an outside sqlite3 takes $DB's write lock (BEGIN EXCLUSIVE and a row
# written; like any well-behaved writer it waits for the server's own short writes) and holds it
# until outside_writer_release. Returns once the lock is held ($TEST_TMP/held exists);
# $TEST_TMP/held.done appears once it is let go. OUTSIDE is its PID.
outside_writer_hold() {
  rm -f "$TEST_TMP/held" "$TEST_TMP/release" "$TEST_TMP/held.done"
  # (it also lets go when the test's directory is gone: a test that fails leaves no writer)
  printf '.timeout 20000\nBEGIN EXCLUSIVE;\nINSERT INTO outside_writes VALUES(%s);\n.shell touch %s\n.shell while [ ! -f %s ] && [ -d %s ]; do sleep 0.1; done\nCOMMIT;\n.shell touch %s.done\n' \
    "'x'" "$TEST_TMP/held" "$TEST_TMP/release" "$TEST_TMP" "$TEST_TMP/held" \
    | sqlite3 -bail "$DB" > "$TEST_TMP/outside.log" 2>&1 &
  OUTSIDE=$!
  for _ in $(seq 1 600); do [ -f "$TEST_TMP/held" ] && break; sleep 0.05; done
  [ -f "$TEST_TMP/held" ] || fail "the outside writer did not take the lock: $(cat "$TEST_TMP/outside.log")"
}

outside_writer_release() {
  touch "$TEST_TMP/release"
  wait "$OUTSIDE" || fail "outside writer: $(cat "$TEST_TMP/outside.log")"
}
