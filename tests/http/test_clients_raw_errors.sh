#!/usr/bin/env bash
# The requests libmicrohttpd 0.9.75 (Debian 12) answers by itself, before teselas sees them, with
# its own fixed page (HTML or empty, no Content-Type): teselas cannot make these JSON with that
# library, and this test proves it case by case. In src/microhttpd/connection.c, each of them goes
# to transmit_error_response_len, which queues a response built from a compiled-in string and
# closes the connection; no callback of the public interface runs first (the access handler and
# the request-completed hook are not called: the request never reached the application, and the
# URI log hook runs only once a whole request line has been parsed):
#  - a request line or header block larger than the connection's memory pool
#    (MHD_OPTION_CONNECTION_MEMORY_LIMIT, 128 KiB in http/server.c): 414 or 431 "Request too
#    big". teselas answers its own JSON 414/431 for every URL over 16 KiB and headers over 32 KiB
#    that fit the pool (tests/http/test_clients_requests.sh, 100 KB of either); a larger pool
#    would move the bound, not remove it, and libmicrohttpd zeroes the whole pool after every
#    request of a kept-alive connection (MHD_pool_reset), so its size is paid on every request
#    (with 1 MiB, 28-41 % of a dense bbox page's instructions);
#  - an HTTP version other than 1.x (505, the one 5xx) or a garbled one, a NUL byte in the
#    version or in a header name, a header line without a colon, a garbled Content-Length or
#    chunk size: 400 or 505 "Request malformed".
# A NUL byte in a header value is not seen at all: libmicrohttpd cuts the value at the NUL (the
# headers teselas reads, Accept, Accept-Encoding, Host, If-None-Match, Range, If-Range, are then
# read shorter) and the request is answered as usual.
# The test checks that each case is answered (never a dropped connection or a dead server), with
# a 4xx, or the 505 above, and with teselas's JSON or libmicrohttpd's own page; then it reports a
# SKIP naming the cases still answered by libmicrohttpd, so that a library that lets teselas
# answer them turns this into a pass.
source "$(dirname "$0")/features_lib.sh"

serve_countries
CASES="$(dirname "$0")/../clients/raw_cases.py"

req "requests libmicrohttpd answers by itself"
python3 "$CASES" "$SERVER_PORT" url-2mb headers-1200kb nul-in-version version-2.0 version-0.9 \
  version-garbled nul-in-header-name header-no-colon content-length-garbled chunk-garbled \
  nul-in-header-value > "$TEST_TMP/answers" || fail "raw_cases.py failed"
LIBRARY=()
while read -r line; do
  verdict=$(python3 -c "
import json, sys
a = json.loads(sys.argv[1])
if a['status'] == 0:
    print('none')
elif a['type'] == 'application/json':
    b = json.loads(a['body'])
    print('json' if 'code' in b and 400 <= a['status'] < 500 else 'bad')
elif a['case'] == 'nul-in-header-value':
    print('served' if a['status'] == 200 else 'bad')
elif a['type'] == '' and (400 <= a['status'] < 500 or a['status'] == 505) and (
        a['body'] == '' or a['body'].startswith('<html><head><title>') or
        a['body'].startswith('HTTP/1.1 ')):
    print('library')
else:
    print('bad')" "$line")
  case "$verdict" in
    json) ok ;;
    library|served) LIBRARY+=("$(python3 -c "import json,sys; a=json.loads(sys.argv[1]); print(a['case'], a['status'])" "$line")"); ok ;;
    none) rfail "no answer: $line" ;;
    *) rfail "neither teselas's JSON nor libmicrohttpd's own page: $line" ;;
  esac
done < "$TEST_TMP/answers"
[ "$(wc -l < "$TEST_TMP/answers")" = 11 ] || rfail "11 answers expected: $(cat "$TEST_TMP/answers")"
get /health
status_is 200
stop_server
[ ${#LIBRARY[@]} = 0 ] || skip "answered by libmicrohttpd $(pkg-config --modversion libmicrohttpd 2>/dev/null), not teselas (no hook runs before its fixed page; see the comment at the top): $(IFS=,; echo "${LIBRARY[*]}")"
done_checks
