#!/usr/bin/env bash
# Requests per client address and the client behind a trusted proxy (issue 21), on a database
# made only from a third-party file (Natural Earth countries) and accounts:
#  - --per-ip-rate: past an address's burst, 429 JSON with Retry-After, counted in /metrics;
#    /health keeps answering from that address (its own reserve); a write over the rate is
#    refused without its body being read;
#  - X-Forwarded-For from a peer that is not a --trusted-proxy is ignored, however it is spoofed;
#  - behind a trusted proxy (127.0.0.2 here) each client it names has its own bucket and its own
#    sign-in throttle, a client's own entries left of what the proxy appended are ignored, a
#    garbled header is answered (never a 5xx), and the proxy's connections are not bound by
#    --per-ip-connections while another address's are.
# The rate is slow (one request per 20 s) so that no refill happens between two checks.
source "$(dirname "$0")/lib.sh"
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2", 0))' 2>/dev/null ||
  skip "cannot bind 127.0.0.2 (loopback is not all of 127/8 here)"

DB="$TEST_TMP/ne.db"
"$TESELAS" import "$TESELAS_TEST_DATA/naturalearth/naturalearth_lowres.shp" --db "$DB" \
  --layer paises >"$TEST_TMP/import.log" 2>&1 || fail "import: $(tail -5 "$TEST_TMP/import.log")"
PW="adm-clave-$RANDOM-$RANDOM"
echo "$PW" | "$TESELAS" users add adm --db "$DB" --role admin --password >/dev/null

"$TESELAS" serve --db "$DB" --per-ip-rate 1.5/x >/dev/null 2>&1 && fail "--per-ip-rate 1.5/x accepted"
"$TESELAS" serve --db "$DB" --trusted-proxy 10.0.0.0/33 >/dev/null 2>&1 && fail "a /33 IPv4 block accepted"
ok

start_server "$DB" --quiet --per-ip-rate 0.05/s --per-ip-burst 5 --trusted-proxy 127.0.0.2 \
  --trusted-proxy fd00::/8 --per-ip-connections 2
metric() { curl -s "$BASE/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
is_429_json() { # the last http_get is a 429 with the JSON error and a Retry-After of 1 s or more
  expect_status 429 "$1"
  expect_json "d['code'] == 'too_many_requests' and d['description']"
  grep -qi '^Retry-After: [1-9][0-9]*' "$TEST_TMP/headers" || fail "429 without Retry-After: $1"
  grep -qi '^Content-Type: application/json' "$TEST_TMP/headers" || fail "429 not JSON: $1"
  ok
}

# 1. an address past its burst, spoofing X-Forwarded-For from an untrusted peer (127.0.0.1)
n200=0
for i in $(seq 1 8); do
  http_get /collections -H "X-Forwarded-For: 198.51.100.$i"
  [ "$STATUS" = 200 ] && n200=$((n200 + 1))
done
[ "$n200" -le 6 ] || fail "$n200 of 8 answered 200 with a burst of 5 (a spoofed X-Forwarded-For believed?)"
ok
http_get /collections -H "X-Forwarded-For: 203.0.113.77"
is_429_json "a fresh spoofed X-Forwarded-For from an untrusted peer"
http_get /health
expect_status 200 "/health from an address over its rate"
http_get /metrics
expect_status 200 "/metrics from an address over its rate"
head -c 3000000 /dev/zero > "$TEST_TMP/big"
http_get /api/layers/paises/versions -X POST -H "Authorization: Bearer x" --data-binary @"$TEST_TMP/big"
is_429_json "a write over the rate"
LIMITED=$(metric 'teselas_requests_rate_limited_total{class="requests"}')
[ "$LIMITED" -ge 2 ] || fail "rate-limited requests counted: $LIMITED"
ok

# 2. behind the trusted proxy: each client its own bucket, the client's own entries ignored
for i in 1 2 3 4 5 6 7; do
  http_get /collections --interface 127.0.0.2 -H "X-Forwarded-For: 192.0.2.$i"
  expect_status 200 "client 192.0.2.$i behind the trusted proxy"
done
n200=0
for i in $(seq 1 8); do # one client (192.0.2.50) writing a different address first each time
  http_get /collections --interface 127.0.0.2 -H "X-Forwarded-For: 10.9.$i.1, 192.0.2.50"
  [ "$STATUS" = 200 ] && n200=$((n200 + 1))
done
[ "$n200" -le 6 ] || fail "a client's spoofed left entries gave it $n200 answers of 8"
ok
http_get /collections --interface 127.0.0.2 -H "X-Forwarded-For: 8.8.8.8" -H "X-Forwarded-For: 192.0.2.50"
is_429_json "the rightmost of two X-Forwarded-For headers"
http_get /collections --interface 127.0.0.2 -H "X-Forwarded-For: 192.0.2.51"
expect_status 200 "another client behind the same proxy"
# garbled headers from the proxy: answered (the proxy's own bucket or the last address), no 5xx
for xff in "unknown" "$(head -c 20000 /dev/zero | tr '\0' ',')" "::::::" "[" "$(printf '1.1.1.1, %.0s' $(seq 1 500))x" \
           "999.1.1.1" "192.0.2.9:8080" "$(head -c 5000 /dev/zero | tr '\0' '9')"; do
  http_get /collections --interface 127.0.0.2 -H "X-Forwarded-For: $xff"
  case "$STATUS" in 200|429) ok ;; *) fail "X-Forwarded-For '${xff:0:40}...': HTTP $STATUS" ;; esac
done

# 3. the sign-in throttle counts the client the proxy names, not the proxy
signin() { # CLIENT PASSWORD
  http_get /admin/entrar -X POST --interface 127.0.0.2 -H "X-Forwarded-For: $1" \
    --data-urlencode "usuario=adm" --data-urlencode "contraseña=$2" -H "Accept: application/json"
}
stop_server
start_server "$DB" --quiet --trusted-proxy 127.0.0.2 --per-ip-connections 2
# 20 failures from one client behind the proxy, each on another account (an account's own
# throttle, 5 failures, is not what is tested here)
for i in $(seq 1 20); do
  http_get /admin/entrar -X POST --interface 127.0.0.2 -H "X-Forwarded-For: 198.51.100.30" \
    --data-urlencode "usuario=x$i" --data-urlencode "contraseña=mala"
done
signin 198.51.100.30 "$PW"
is_429_json "a client behind the proxy after 20 failures from it"
signin 198.51.100.31 "$PW"
expect_status 303 "the next client behind the proxy"

# 4. --per-ip-connections 2 binds 127.0.0.3, not the trusted proxy
python3 - "$SERVER_PORT" <<'PY' || fail "connections per address"
import socket, sys, time
port = int(sys.argv[1])
def hold(src, n):
    """n connections from src, each with a request sent: how many got an answer"""
    socks, answered = [], 0
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=20, source_address=(src, 0))
        socks.append(s)
    for s in socks:
        try:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            answered += s.recv(12).startswith(b"HTTP/1.1 200")
        except OSError:
            pass
    for s in socks:
        s.close()
    return answered
proxy, other = hold("127.0.0.2", 6), hold("127.0.0.3", 6)
print("answered: proxy", proxy, "other", other)
sys.exit(0 if proxy == 6 and other == 2 else 1)
PY
ok
http_get /health
expect_status 200
stop_server || fail "server exit code $?"
ok
done_checks
