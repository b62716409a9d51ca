#!/usr/bin/env bash
# An address that ignores its 429s is refused at accept (issue 21: --per-ip-penalty), on a
# database made only from a third-party file (Natural Earth countries). One address floods,
# a new connection per request, one after the other (tests/clients/penalty_flood.py):
#  - it is first answered 429 JSON with Retry-After, and refused at accept (the connection
#    closed unanswered) only after that, counted as refused_total{reason="rate_penalty"};
#  - a connection it kept alive from before gets one more 429, with Connection: close and
#    Retry-After the window's end, and is closed;
#  - another address is served meanwhile; the flooder is served again after the window;
#  - never refused: a client behind a trusted proxy (the proxy carries everyone), a flood from the
#    proxy itself, and any flooder with --per-ip-penalty 0 (429s only).
# No timing is asserted: the window is short (5 s) and every wait is bounded generously.
source "$(dirname "$0")/lib.sh"
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.6.1", 0))' 2>/dev/null ||
  skip "cannot bind 127.0.6.1 (loopback is not all of 127/8 here)"
FLOOD="python3 $(dirname "$0")/../clients/penalty_flood.py"
countries_db
PATH_ASKED=/collections/paises
WINDOW=5

for bad in -1 abc 3601 2.5; do
  "$TESELAS" serve --db "$DB" --per-ip-rate 5/s --per-ip-penalty "$bad" > /dev/null 2>&1 &&
    fail "--per-ip-penalty $bad accepted"
done
ok

metric() { curl -s "$BASE/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
# check NAME JSON_FILE 'python expression over d': prints d on failure
check() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
    "$2" "$3" || fail "$1: $(head -c 3000 "$2")"
  ok
}

start_server "$DB" --quiet --threads 2 --per-ip-rate 5/s --per-ip-burst 5 \
  --per-ip-penalty $WINDOW --trusted-proxy 127.0.0.2

# 1. a client behind the trusted proxy, and the proxy itself, flood for 3 s: 429s, never refused
$FLOOD "$SERVER_PORT" 127.0.0.2 $PATH_ASKED --xff 192.0.2.10 --until-closed 0 --max-secs 3 \
  > "$TEST_TMP/proxied.json" || fail "driver (proxied)"
check "a client behind a trusted proxy is never refused at accept" "$TEST_TMP/proxied.json" \
  "d['closed'] == 0 and d['limited'] >= 32"
$FLOOD "$SERVER_PORT" 127.0.0.2 $PATH_ASKED --until-closed 0 --max-secs 3 \
  > "$TEST_TMP/proxy.json" || fail "driver (proxy)"
check "the trusted proxy itself is never refused at accept" "$TEST_TMP/proxy.json" \
  "d['closed'] == 0 and d['limited'] >= 32"
[ "$(metric 'teselas_connections_refused_total{reason="rate_penalty"}')" = 0 ] ||
  fail "a penalty counted for a trusted proxy's clients"
ok

# 2. the flooder: its burst, 429s, then refused; its kept-alive connection told once and closed;
# another address served meanwhile; back after the window
$FLOOD "$SERVER_PORT" 127.0.6.1 $PATH_ASKED --until-closed 10 --max-secs 120 --keepalive \
  --other 127.0.6.2 --back-within 60 > "$TEST_TMP/flood.json" || fail "driver (flood)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("flood:", d["answers"], "back after", d["back_after_secs"], "s")' "$TEST_TMP/flood.json"
check "the kept-alive connection was served before the flood" "$TEST_TMP/flood.json" \
  "d['keepalive_first'] == {'status': 200}"
check "refused at accept only after a 429" "$TEST_TMP/flood.json" \
  "d['first_429_at'] is not None and d['first_closed_at'] is not None and d['first_429_at'] < d['first_closed_at']"
check "the first 429: JSON with Retry-After" "$TEST_TMP/flood.json" \
  "d['first_429']['headers']['content-type'] == 'application/json' and int(d['first_429']['headers']['retry-after']) >= 1 and json.loads(d['first_429']['body'])['code'] == 'too_many_requests'"
check "the flood ended refused at accept" "$TEST_TMP/flood.json" "d['closed'] >= 10"
check "its kept-alive connection: 429 JSON, Connection: close, Retry-After the window, closed" \
  "$TEST_TMP/flood.json" \
  "d['keepalive_after']['status'] == 429 and d['keepalive_after']['closed'] and d['keepalive_after']['headers'].get('connection', '').lower() == 'close' and 1 <= int(d['keepalive_after']['headers']['retry-after']) <= $WINDOW and json.loads(d['keepalive_after']['body'])['code'] == 'too_many_requests'"
check "another address served during the flooder's window" "$TEST_TMP/flood.json" \
  "d['other_status'] == 200"
check "the flooder served again after the window" "$TEST_TMP/flood.json" \
  "d['back_after_secs'] is not None"
PENALTY=$(metric 'teselas_connections_refused_total{reason="rate_penalty"}')
SEEN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["closed"])' "$TEST_TMP/flood.json")
echo "refused at accept for the penalty: $PENALTY counted, the flooder saw $SEEN"
[ "$PENALTY" -ge "$SEEN" ] || fail "rate_penalty refusals counted $PENALTY, the flooder saw $SEEN"
ok
[ "$(metric 'teselas_connections_refused_total{reason="per_ip"}')" = 0 ] ||
  fail "the penalty counted as per_ip"
ok
http_get /health
expect_status 200 "/health after the flood"
stop_server || fail "server exit code $?"
ok

# 3. --per-ip-penalty 0: a flooder is answered 429 however long it goes on, never refused
start_server "$DB" --quiet --threads 2 --per-ip-rate 5/s --per-ip-burst 5 --per-ip-penalty 0
$FLOOD "$SERVER_PORT" 127.0.6.1 $PATH_ASKED --until-closed 0 --max-secs 3 \
  > "$TEST_TMP/off.json" || fail "driver (no penalty)"
check "no penalty: 429s only" "$TEST_TMP/off.json" "d['closed'] == 0 and d['limited'] >= 32"
[ "$(metric 'teselas_connections_refused_total{reason="rate_penalty"}')" = 0 ] ||
  fail "a penalty counted with --per-ip-penalty 0"
ok
stop_server || fail "server exit code $?"
ok
done_checks
