#!/usr/bin/env bash
# A NUL byte sent as such in the request line, on a database made only from a third-party file
# (Natural Earth countries): a 400 JSON error, never the request the string before the NUL makes
# (a server that ends the target at the NUL answers "/collections/paises/items?bbox=\0..." with
# the whole list, "/collections/pai\0ses/items" with a 404 for "/collections/pai").
source "$(dirname "$0")/features_lib.sh"

serve_countries
CASES="$(dirname "$0")/../clients/raw_cases.py"

req "a NUL byte in the request target is a 400 JSON error"
python3 "$CASES" "$SERVER_PORT" nul-in-path nul-in-query nul-in-item-id nul-at-target-end \
  > "$TEST_TMP/answers" || fail "raw_cases.py failed"
while read -r line; do
  python3 -c "
import json, sys
a = json.loads(sys.argv[1])
b = json.loads(a['body']) if a['type'] == 'application/json' else {}
sys.exit(0 if a['status'] == 400 and b.get('code') == 'invalid_parameter' else 1)" "$line" ||
    rfail "expected a JSON 400: $line"
  ok
done < "$TEST_TMP/answers"
[ "$(wc -l < "$TEST_TMP/answers")" = 4 ] || rfail "4 answers expected: $(cat "$TEST_TMP/answers")"

req "the same requests without the NUL are served"
get "/collections/paises/items?bbox=-10,35,5,45"
status_is 200
json 'len(d["features"]) > 0' "countries in the box"
get "/collections/paises/items"
status_is 200
# a keep-alive connection serves the next request after a refused one alike
python3 - "$SERVER_PORT" <<'PY' || rfail "keep-alive after a NUL refusal"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"GET /collections/pai\x00ses/items HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
out = b""
while chunk := s.recv(65536):
    out += chunk
sys.exit(0 if out.startswith(b"HTTP/1.1 400") and b"HTTP/1.1 200" in out else 1)
PY
ok
get /health
status_is 200

stop_server
done_checks
