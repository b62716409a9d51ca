#!/usr/bin/env bash
# What third-party clients and scanners send at the edges of HTTP, on a database made only from a
# third-party file (Natural Earth countries): every refusal is a JSON error of the right status,
# never an HTML page, never a 200 for a path it did not ask for.
#  - an encoded NUL (%00) in the path or in a parameter is a 400 (it used to cut the decoded path
#    short: /collections/{id}/items/%00%ff answered the list);
#  - a URL over 16 KiB is a 414, headers over 32 KiB a 431, a body over 64 KiB a 413 (a 100 KB URL
#    once got an HTML "Request too big" page), a method other than GET/HEAD/OPTIONS a 405, with
#    or without a body.
source "$(dirname "$0")/features_lib.sh"

serve_countries
RAW="$(dirname "$0")/../clients/raw_request.py"

is_json_error() { # STATUS [what]
  status_is "$1" "${2:-}"
  content_type_is application/json
  json '"code" in d and "description" in d' "a JSON error"
}

req "an encoded NUL is a 400"
for path in "/collections/paises/items/%00%ff" "/collections/paises/items/1%00" \
            "/collections/pai%00ses/items" "/collections/paises/items?name=Spain%00x" \
            "/collections/paises/items?na%00me=Spain" "/tiles/paises/0/0/0.pbf?x=%00" \
            "/%00"; do
  get "$path"
  is_json_error 400 "$path"
done
# a '%' that is not %00 is not a NUL
get "/collections/paises/items?name=100%25"
status_is 200
get "/collections/paises/items?name=%2500"
status_is 200

req "oversized requests get JSON, not an HTML page"
port=$SERVER_PORT
raw() { python3 "$RAW" "$port" "$@" > "$TEST_TMP/body" || rfail "no answer to $*"; }
raw_is() { # STATUS: the raw answer is that status with a JSON error body
  python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
b = json.loads(r['body'])
sys.exit(0 if r['status'] == int(sys.argv[2]) and r['type'] == 'application/json' and 'code' in b else 1)" \
    "$TEST_TMP/body" "$1" || rfail "expected a JSON $1: $(head -c 300 "$TEST_TMP/body")"
  ok
}
raw "GET /collections/paises/items HTTP/1.1" --target-pad 100000; raw_is 414
raw "GET /tiles/paises.json HTTP/1.1" --header-pad 100000; raw_is 431
raw "GET /tiles/paises.json HTTP/1.1" --body-bytes 100000; raw_is 413
raw "GET /tiles/paises.json HTTP/1.1" --body-bytes 5000000; raw_is 413
raw "POST /collections/paises/items HTTP/1.1" --body-bytes 5000000; raw_is 405
raw "PUT /collections HTTP/1.1" --body-bytes 10; raw_is 405
raw "DELETE /collections/paises HTTP/1.1"; raw_is 405
# under the bounds, teselas answers as usual
raw "GET /tiles/paises.json HTTP/1.1" --header-pad 20000
python3 -c "import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))['status'] == 200 else 1)" \
  "$TEST_TMP/body" || rfail "20 KB of headers should be served: $(head -c 300 "$TEST_TMP/body")"
ok
raw "GET /tiles/paises.json HTTP/1.1" --body-bytes 1000
python3 -c "import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))['status'] == 200 else 1)" \
  "$TEST_TMP/body" || rfail "a small ignored body should be served: $(head -c 300 "$TEST_TMP/body")"
ok
# the server is still there and answers
get /health
status_is 200

stop_server
done_checks
