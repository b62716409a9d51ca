#!/usr/bin/env bash
# Graceful operations (issue 21), on a database made only from a third-party file (Natural Earth
# countries):
#  - systemd's notify protocol, with a stand-in for its socket (tests/clients/notify_listener.py):
#    READY=1 once /health answers, WATCHDOG=1 pings when WATCHDOG_USEC is set, RELOADING=1 and
#    READY=1 around a SIGHUP, STOPPING=1 on SIGTERM;
#  - SIGHUP under steady load: 0 failed requests across the reload, the new style served after;
#  - SIGTERM with a download in flight: new connections refused at once, the download finishes
#    whole (byte for byte the same as at rest), then exit 0;
#  - --log-format json: every line of the log is one JSON object with ts, level and msg, and
#    access lines carry the request's fields.
source "$(dirname "$0")/lib.sh"
CLIENTS="$(dirname "$0")/../clients"

countries_db
# A user style over the layer; the reload changes its background colour
paises_style "#0a3d62"

# --- notify protocol, SIGHUP under load, JSON log ---
NOTIFY="$TEST_TMP/notify.sock"
python3 "$CLIENTS/notify_listener.py" "$NOTIFY" "$TEST_TMP/notify.log" &
LISTENER=$!
trap '[ -z "$LISTENER" ] || kill "$LISTENER" 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do [ -S "$NOTIFY" ] && break; sleep 0.05; done
[ -S "$NOTIFY" ] || fail "the notify listener did not start"
: > "$SERVER_LOG"
NOTIFY_SOCKET="$NOTIFY" WATCHDOG_USEC=400000 "$TESELAS" serve --db "$DB" --port 0 \
  --bind 127.0.0.1 --styles "$TEST_TMP/styles" --log-format json 2>"$SERVER_LOG" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  SERVER_PORT=$(python3 -c '
import json, re, sys
for line in open(sys.argv[1]):
    m = re.search(r"at http://127.0.0.1:(\d+)/", json.loads(line).get("msg", ""))
    if m: print(m.group(1)); break' "$SERVER_LOG" 2>/dev/null || true)
  [ -n "$SERVER_PORT" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited at start"
  sleep 0.05
done
[ -n "$SERVER_PORT" ] || fail "server did not start (or its log is not JSON)"
BASE="http://127.0.0.1:$SERVER_PORT"
for _ in $(seq 1 100); do grep -q "READY=1" "$TEST_TMP/notify.log" && break; sleep 0.05; done
grep -q "READY=1" "$TEST_TMP/notify.log" || fail "no READY=1: $(cat "$TEST_TMP/notify.log")"
ok
http_get /health
expect_status 200
sleep 1.5
PINGS=$(grep -c "^WATCHDOG=1$" "$TEST_TMP/notify.log" || true)
[ "$PINGS" -ge 3 ] || fail "watchdog pings in 1.5 s with WATCHDOG_USEC=400000: $PINGS"
ok

http_get /styles/paises/style.json
expect_json 'd["layers"][0]["paint"]["background-color"] == "#0a3d62"'
STOP="$TEST_TMP/stop-load"
python3 "$CLIENTS/steady_load.py" "$SERVER_PORT" "$STOP" 4 /styles/paises/style.json \
  /styles/paises/1/0/0.png /tiles/paises/1/1/0.pbf /health > "$TEST_TMP/load.json" &
LOAD=$!
# requests_seen N: wait until the access log holds N more lines than now (the load is running)
requests_seen() {
  local want=$(( $(grep -c '"msg":"access"' "$SERVER_LOG") + $1 ))
  for _ in $(seq 1 600); do
    [ "$(grep -c '"msg":"access"' "$SERVER_LOG")" -ge "$want" ] && return 0
    kill -0 "$LOAD" 2>/dev/null || fail "the load stopped: $(cat "$TEST_TMP/load.json")"
    sleep 0.1
  done
  fail "the load made no progress"
}
requests_seen 20
paises_style "#e55039"
kill -HUP "$SERVER_PID"
for _ in $(seq 1 100); do
  grep -q "RELOADING=1" "$TEST_TMP/notify.log" && [ "$(grep -c "READY=1" "$TEST_TMP/notify.log")" -ge 2 ] && break
  sleep 0.05
done
requests_seen 20
touch "$STOP"
wait "$LOAD"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["failed"] == 0 and d["ok"] > 20 else 1)' "$TEST_TMP/load.json" ||
  fail "requests across the reload: $(cat "$TEST_TMP/load.json")"
ok
echo "across the reload: $(cat "$TEST_TMP/load.json")"
grep -q "RELOADING=1" "$TEST_TMP/notify.log" || fail "no RELOADING=1: $(cat "$TEST_TMP/notify.log")"
ok
http_get /styles/paises/style.json
expect_json 'd["layers"][0]["paint"]["background-color"] == "#e55039"'
# a style that no longer parses: the reload says so and the previous styles stay
echo '{"version": 8, "layers": [' > "$TEST_TMP/styles/paises.json"
kill -HUP "$SERVER_PID"
sleep 1
http_get /styles/paises/style.json
expect_status 200 "the style after a reload that found it broken"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "exit code $? after SIGTERM"
SERVER_PID=""
ok
grep -q "STOPPING=1" "$TEST_TMP/notify.log" || fail "no STOPPING=1: $(cat "$TEST_TMP/notify.log")"
ok
kill "$LISTENER"
LISTENER=""
python3 - "$SERVER_LOG" <<'EOF' || fail "JSON log: $(head -c 1500 "$SERVER_LOG")"
import json, sys
access = 0
for n, line in enumerate(open(sys.argv[1]), 1):
    d = json.loads(line)  # every line one object
    assert {"ts", "level", "msg"} <= d.keys(), (n, line)
    if d["msg"] == "access":
        access += 1
        assert {"method", "path", "status", "bytes", "duration_us", "aborted"} <= d.keys(), line
        assert isinstance(d["status"], int)
assert access > 20, access
EOF
ok

# --- SIGTERM drains a download in flight ---
start_server "$DB" --quiet --drain-seconds 20
DL=/collections/paises/download.geojson
curl -s -o "$TEST_TMP/reference.geojson" "$BASE$DL"
SIZE=$(stat -c %s "$TEST_TMP/reference.geojson")
[ "$SIZE" -gt 200000 ] || fail "the download is too small to hold in flight: $SIZE bytes"
GO="$TEST_TMP/go"
python3 "$CLIENTS/slow_download.py" "$SERVER_PORT" "$DL" 50000 "$GO" "$TEST_TMP/slow.geojson" \
  > "$TEST_TMP/slow.out" &
SLOW=$!
# the download is in flight (the /metrics request itself is the other one)
for _ in $(seq 1 300); do
  N=$(curl -s "$BASE/metrics" | awk '$1 == "teselas_http_requests_in_flight" {print $2}')
  [ "${N:-0}" -ge 2 ] && break
  sleep 0.1
done
[ "${N:-0}" -ge 2 ] || fail "the download never started"
kill -TERM "$SERVER_PID"
sleep 0.5
kill -0 "$SERVER_PID" || fail "the server exited with a download in flight"
ok
# no new connections while draining
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$BASE/health" || true)
[ "$STATUS" = "000" ] || fail "a new request during the drain got HTTP $STATUS"
ok
touch "$GO"
wait "$SLOW" || fail "the download in flight did not complete: $(cat "$TEST_TMP/slow.out")"
wait "$SERVER_PID" || fail "exit code $? after the drain"
SERVER_PID=""
cmp -s "$TEST_TMP/slow.geojson" "$TEST_TMP/reference.geojson" ||
  fail "the drained download differs from the reference ($(stat -c %s "$TEST_TMP/slow.geojson") of $SIZE bytes)"
ok
grep -q "draining in-flight requests" "$SERVER_LOG" || fail "no drain in the log"
ok
done_checks
