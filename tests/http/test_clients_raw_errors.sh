#!/usr/bin/env bash
# What no HTTP client library sends (tests/clients/raw_cases.py: a NUL byte in the request line or
# a header, a request line or header block of megabytes, an HTTP version teselas does not speak or
# a garbled one, a header line without a colon, a garbled Content-Length or chunk size, an HTTP/1.1
# request without Host): each case is answered by teselas itself, with a JSON error {"code",
# "description"} and a 4xx status (505 for an HTTP version other than 1.x), never a dropped
# connection or a page of another format;
# the oversized ones are answered although the client is still sending (the engine stops reading
# the head past its bound, answers, and drains the rest before it closes). The server then still
# answers, and every case is counted in /metrics (a flood of malformed requests is visible).
source "$(dirname "$0")/features_lib.sh"

serve_countries
CASES="$(dirname "$0")/../clients/raw_cases.py"

# refused_answers: the 4xx and 5xx answers /metrics has counted so far
refused_answers() {
  get /metrics
  status_is 200
  python3 -c "
import re, sys
t = open(sys.argv[1]).read()
print(sum(int(n) for n in re.findall(r'teselas_http_requests_total\{code=\"[45]xx\"\} (\d+)', t)))" "$TEST_TMP/body"
}
BEFORE=$(refused_answers)

req "every raw case is a JSON 4xx (505 for a version teselas does not speak)"
python3 "$CASES" "$SERVER_PORT" all > "$TEST_TMP/answers" || fail "raw_cases.py failed"
N=$(python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import raw_cases; print(len(raw_cases.CASES))" \
  "$(dirname "$CASES")")
while read -r line; do
  python3 -c "
import json, sys
a = json.loads(sys.argv[1])
want = 505 if a['case'] in ('version-2.0', 'version-0.9') else None
ok_status = a['status'] == want if want else 400 <= a['status'] < 500
b = json.loads(a['body']) if a['type'] == 'application/json' else {}
named = a['case'] != 'no-host' or 'Host' in b.get('description', '')
sys.exit(0 if ok_status and named and 'code' in b and 'description' in b else 1)" "$line" ||
    rfail "expected a JSON 4xx: $line"
  ok
done < "$TEST_TMP/answers"
[ "$(wc -l < "$TEST_TMP/answers")" = "$N" ] || rfail "$N answers expected: $(cat "$TEST_TMP/answers")"
req "every raw case is counted in /metrics"
AFTER=$(refused_answers)
[ "$((AFTER - BEFORE))" = "$N" ] || rfail "$N refusals answered, /metrics counted $((AFTER - BEFORE))"
ok
req "HTTP/1.0 needs no Host (RFC 9112 §3.2 asks it of HTTP/1.1 only)"
[ "$(python3 "$CASES" "$SERVER_PORT" --http10-no-host)" = 200 ] ||
  rfail "an HTTP/1.0 request without Host was not answered 200"
ok
get /health
status_is 200
stop_server
done_checks
