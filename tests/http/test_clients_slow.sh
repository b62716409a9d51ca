#!/usr/bin/env bash
# Slow and greedy clients (issue 21), on a database made only from a third-party file (Natural
# Earth countries): 1,000 slowloris connections (a header byte every 10 s), 1,000 idle keep-alive
# connections, a client reading its answer a byte at a time, a flood from one address (of the
# collections list, cheap enough for a sanitizer build to pass --per-ip-rate 25/s: answered 429
# JSON with Retry-After, or refused at accept past --per-ip-connections or once it ignores its
# 429s), and more connections
# than --max-connections. Throughout, a normal
# client from another address gets its /health and its tile (each within a generous liveness
# bound: this is not a speed test), every refusal, 429 and timeout is counted in /metrics, and the
# server's descriptors return to where they were. The driver is tests/clients/hostile_clients.py; bench/clients/run.sh reports its figures.
source "$(dirname "$0")/lib.sh"

# the driver holds ~2,000 sockets at once, the server as many
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge 4096 ] || skip "the open-file limit ($(ulimit -n)) is below 4096"
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.1.1", 0))' 2>/dev/null ||
  skip "cannot bind 127.0.1.1 (loopback is not all of 127/8 here)"

countries_db
MAX=1500
start_server "$DB" --quiet --threads 2 --max-connections $MAX --per-ip-connections 50 \
  --request-timeout 3 --per-ip-rate 25/s  # the normal client asks at most 20 tiles a second
TILE=/tiles/paises/1/1/0.pbf
BIG="/collections/paises/items?limit=1000"

metric() { # NAME_WITH_LABELS: its value in /metrics
  curl -s "$BASE/metrics" | awk -v m="$1" '$1 == m {print $2}'
}
fds() { ls "/proc/$SERVER_PID/fd" | wc -l; }

# Warm up: every worker has opened its database connection, the tile is cached
pids=()
for _ in $(seq 1 20); do
  curl -s -o /dev/null "$BASE$TILE" & pids+=($!)
  curl -s -o /dev/null "$BASE$BIG" & pids+=($!)
done
wait "${pids[@]}"
sleep 1
kill -0 "$SERVER_PID" || fail "the server died during the warm-up"
BASE_FDS=$(fds)
[ "$(metric teselas_connections_open)" = 1 ] || fail "open connections at rest: $(metric teselas_connections_open)"
ok

python3 "$(dirname "$0")/../clients/hostile_clients.py" "$SERVER_PORT" "$TILE" "$BIG" \
  --byte-every 10 --hold 12 --flood 200 --flood-path /collections --over $((MAX + 100)) \
  > "$TEST_TMP/run.json" ||
  fail "driver failed"
kill -0 "$SERVER_PID" || fail "the server died under the attacks"
ok

# The normal client: every request answered (within the driver's 30 s bound per request) in
# every phase, and each phase saw some (the client kept running)
python3 - "$TEST_TMP/run.json" <<'EOF' || fail "normal client: $(cat "$TEST_TMP/run.json" | head -c 2000)"
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
for phase in ("rest", "slowloris", "idle_keepalive", "slow_reader", "flood_one_address", "after"):
    for kind in ("health", "tile"):
        s = d["normal"].get(phase, {}).get(kind)
        if not s or s["ok"] == 0 or s["failed"]:
            bad.append((phase, kind, s and {k: s[k] for k in ("ok", "failed")}))
        # liveness, not speed (the machine running the tests is shared): every request was
        # answered, each within the driver's 30 s bound; bench/clients/run.sh reports latencies
p = d["phases"]
# slowloris and idle connections were closed by the server (request timeout), none refused.
# the server walks its connections' idle times four times a second; on a loaded machine the
# closes can still lag (seen with libmicrohttpd before the engine: 719 of 1,000 within a 36 s
# phase): half within the phase is asserted, and every one closed is counted
for name in ("slowloris", "idle_keepalive"):
    if p[name]["closed"] < 500 or p[name]["refused"]:
        bad.append((name, p[name]))
if p["slow_reader"]["read"] == 0:
    bad.append(("slow_reader", p["slow_reader"]))
# the flood: some served (its burst, then 25 a second), the rest 429 or refused at accept; never
# another answer (a 5xx, a hang)
f = p["flood_one_address"]
if f["ok"] == 0 or f["limited"] == 0 or f["refused"] == 0 or f["other"]:
    bad.append(("flood", f))
# past the bound: the workers accept (and the accept policy refuses) in their own time, so the
# clients may still be waiting in the listen backlog when they give up; /metrics is checked below.
# These clients send nothing and give up before the request timeout (2.5 s < 3 s), so a
# connection the server closed is a refusal, however late it came on a loaded machine (the
# driver calls "refused" only a close within 0.2 s)
o = p["over_max_connections"]
if o["refused"] + o["closed"] + o["held"] != 1600:
    bad.append(("over", o))
print(json.dumps({k: v for k, v in p.items()}))
if bad:
    print("problems:", bad, file=sys.stderr)
    sys.exit(1)
EOF
ok

# /metrics counted what happened: each slowloris and idle connection timed out, the flood was
# refused per address (past --per-ip-connections, or for ignoring its 429s: --per-ip-penalty's
# default 10 s), the connections past the bound for it
sleep 4  # the last idle connections reach their timeout
TIMED=$(metric teselas_connections_timed_out_total)
PER_IP=$(metric 'teselas_connections_refused_total{reason="per_ip"}')
PENALTY=$(metric 'teselas_connections_refused_total{reason="rate_penalty"}')
OVER=$(metric 'teselas_connections_refused_total{reason="max_connections"}')
echo "timed out $TIMED, refused per address $PER_IP and for ignoring 429s $PENALTY, refused over the bound $OVER"
CLOSED=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["phases"]; print(p["slowloris"]["closed"] + p["idle_keepalive"]["closed"])' "$TEST_TMP/run.json")
[ "$TIMED" -ge "$CLOSED" ] || fail "timed out connections counted: $TIMED, the clients saw $CLOSED closed"
ok
FLOOD_REFUSED=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["phases"]["flood_one_address"]["refused"])' "$TEST_TMP/run.json")
[ $((PER_IP + PENALTY)) -ge "$FLOOD_REFUSED" ] ||
  fail "per-address refusals counted $PER_IP + $PENALTY, the flood saw $FLOOD_REFUSED"
ok
LIMITED=$(metric 'teselas_requests_rate_limited_total{class="requests"}')
FLOOD_LIMITED=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["phases"]["flood_one_address"]["limited"])' "$TEST_TMP/run.json")
echo "answered 429 over the rate: $LIMITED (the flood saw $FLOOD_LIMITED)"
[ "$LIMITED" -ge "$FLOOD_LIMITED" ] || fail "429s counted $LIMITED, the flood saw $FLOOD_LIMITED"
ok
# what a 429 looks like: another address asks on one kept-alive connection until its bucket is
# spent (a burst of 100 at most, refilled at 25 a second: the requests go faster than that); the
# flood's address may still be refused at accept for its penalty (tests/http/test_clients_penalty.sh)
python3 - "$SERVER_PORT" <<'EOF' || fail "no JSON 429 with Retry-After from an address over its rate"
import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30,
                               source_address=("127.0.8.2", 0))
for i in range(2000):
    c.request("GET", "/collections")
    r = c.getresponse()
    body = r.read()
    if r.status == 429:
        d = json.loads(body)
        good = (d["code"] == "too_many_requests" and int(r.getheader("Retry-After")) >= 1
                and r.getheader("Content-Type") == "application/json")
        print("429 after", i, "requests:", body.decode().strip(), "Retry-After",
              r.getheader("Retry-After"))
        sys.exit(0 if good else 1)
    if r.status != 200:
        sys.exit("HTTP %d" % r.status)
sys.exit("no 429")
EOF
ok
OVER_SEEN=$(python3 -c 'import json,sys; o=json.load(open(sys.argv[1]))["phases"]["over_max_connections"]; print(o["refused"] + o["closed"])' "$TEST_TMP/run.json")
[ "$OVER" -ge 1 ] && [ "$OVER" -ge "$OVER_SEEN" ] || fail "refusals over --max-connections counted $OVER, the clients saw $OVER_SEEN"
ok

# Back to rest: no connection left open but this one, descriptors where they were
# (the descriptors as the loop saw them: the usage flush opens the database for a moment once a
# minute, so a second reading may catch it)
for _ in $(seq 1 20); do
  FDS=$(fds)
  [ "$(metric teselas_connections_open)" = 1 ] && [ "$FDS" -le "$BASE_FDS" ] && break
  sleep 0.5
done
[ "$(metric teselas_connections_open)" = 1 ] || fail "connections still open: $(metric teselas_connections_open)"
ok
[ "$FDS" -le "$BASE_FDS" ] || fail "descriptors $FDS, $BASE_FDS before the attacks"
ok
[ "$(metric teselas_http_requests_in_flight)" = 1 ] || fail "requests in flight: $(metric teselas_http_requests_in_flight)"
ok
http_get /health
expect_status 200
stop_server || fail "server exit code $?"
ok
done_checks
