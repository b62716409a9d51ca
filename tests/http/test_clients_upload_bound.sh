#!/usr/bin/env bash
# An upload over `serve --upload-max-mb` is refused as soon as it passes the bound, whatever its
# framing, on a database made only from a third-party file (INEGI's municipality of León):
#  - a chunked body that never ends (tests/clients/endless_upload.py) gets a 413 JSON naming the
#    bound once 1 MiB is read, and the connection closes: the server does not read on to the end
#    (it used to drain the whole body first, so an endless one held a connection for ever);
#  - an endless body that has already failed for another reason (multipart/form-data without a
#    boundary) gets its 400 at once, not after its end (there is none);
#  - a declared Content-Length over the bound gets its 413 before a byte of the body is sent;
#  - without credentials, the same endless body gets its 401 at the head;
#  - nothing is published, no upload file is left in the server's temporary directory, and the
#    server keeps answering.
source "$(dirname "$0")/lib.sh"
D="$TESELAS_TEST_DATA"
DB="$TEST_TMP/m.db"
"$TESELAS" import "$D/inegi/AGEM_11020_old.geojson" --db "$DB" --layer municipios --quiet \
  > /dev/null || fail "import municipios"
"$TESELAS" users add pub --db "$DB" --role publisher --layers municipios > /dev/null || fail "users add"
TOKEN=$("$TESELAS" tokens add pub --db "$DB" 2>/dev/null) || fail "tokens add"
mkdir -p "$TEST_TMP/up"
TMPDIR="$TEST_TMP/up" start_server "$DB" --upload-max-mb 1 --quiet
ENDLESS="$(dirname "$0")/../clients/endless_upload.py"
UPLOAD="/api/layers/municipios/versions?filename=m.csv"
# the layer's history as the server sees it (either backend)
versions() {
  http_get /api/layers/municipios/versions -H "Authorization: Bearer $TOKEN"
  [ "$STATUS" = 200 ] || fail "the history: $STATUS $(head -c 200 "$TEST_TMP/body")"
  python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print(len(d['versions'] if isinstance(d, dict) else d))" "$TEST_TMP/body"
}
BEFORE=$(versions)
[ "$BEFORE" -ge 1 ] || fail "the history should hold the imported version: $BEFORE"

# 1. an endless chunked body from a publisher
python3 "$ENDLESS" "$SERVER_PORT" "$UPLOAD" "$TOKEN" $((1024 * 1024)) > "$TEST_TMP/a.json" ||
  fail "endless_upload.py failed"
python3 - "$TEST_TMP/a.json" <<'PY' || fail "the endless upload: $(cat "$TEST_TMP/a.json")"
import json, sys
a = json.load(open(sys.argv[1]))
b = json.loads(a["body"])
assert a["status"] == 413, a["status"]
assert "code" in b and "1 MiB" in b["description"], b
# answered once the bound was read, not after the 64 MiB the client would send: what was sent
# before the answer was seen is the bound plus what the sockets' buffers took
assert a["sent"] < 24 * 1024 * 1024, a["sent"]
assert a["closed"], "the connection stayed open"
PY
ok

# 1b. an endless body whose upload failed before the bound: answered at once all the same
python3 "$ENDLESS" "$SERVER_PORT" "$UPLOAD" "$TOKEN" $((1024 * 1024)) multipart/form-data \
  > "$TEST_TMP/a2.json" || fail "endless_upload.py failed"
python3 - "$TEST_TMP/a2.json" <<'PY' || fail "the endless multipart body without a boundary: $(cat "$TEST_TMP/a2.json")"
import json, sys
a = json.load(open(sys.argv[1]))
assert a["status"] == 400, a["status"]
assert "code" in json.loads(a["body"])
assert a["sent"] < 24 * 1024 * 1024, a["sent"]
assert a["closed"], "the connection stayed open"
PY
ok

# 2. a declared length over the bound: refused before the body
python3 - "$SERVER_PORT" "$UPLOAD" "$TOKEN" > "$TEST_TMP/b.txt" <<'PY' || fail "declared length: $(cat "$TEST_TMP/b.txt")"
import socket, sys
port, path, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
           f"Content-Type: text/csv\r\nContent-Length: {3 * 1024 * 1024}\r\n\r\n").encode())
answer = b""
while b'"code"' not in answer:  # the head and the JSON body, however the server writes them
    part = s.recv(65536)
    if not part:
        break
    answer += part
answer = answer.decode("utf-8", "replace")
print(answer)
assert answer.startswith("HTTP/1.1 413 "), answer
assert '"code"' in answer, answer
PY
ok

# 3. no credentials: refused at the head, the body never read
python3 "$ENDLESS" "$SERVER_PORT" "$UPLOAD" "not-a-token" $((1024 * 1024)) > "$TEST_TMP/c.json" ||
  fail "endless_upload.py failed"
python3 - "$TEST_TMP/c.json" <<'PY' || fail "the endless upload without credentials: $(cat "$TEST_TMP/c.json")"
import json, sys
a = json.load(open(sys.argv[1]))
assert a["status"] == 401, a["status"]
assert "code" in json.loads(a["body"])
assert a["sent"] < 24 * 1024 * 1024, a["sent"]
PY
ok

[ "$(versions)" = "$BEFORE" ] || fail "a refused upload published a version"
left=$(find "$TEST_TMP/up" -mindepth 1 | head -5)
[ -z "$left" ] || fail "upload files left behind: $left"
http_get /health
[ "$STATUS" = 200 ] || fail "/health after the uploads: $STATUS"
ok
stop_server || fail "the server did not stop cleanly"
done_checks
