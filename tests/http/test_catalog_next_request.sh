#!/usr/bin/env bash
# A commit by another process is seen by the very next request, on every worker thread: the
# server asks SQLite for the data version only when the WAL index moved (store/reader.c), so
# this checks that no commit slips past that shortcut. The writer keeps its connection open
# between commits (no close, no checkpoint to give the change away), and the requests go out as
# soon as each commit returns, over new connections (any worker) and over one kept-alive
# connection (the same worker every time), with tile requests from the cache in between.
source "$(dirname "$0")/lib.sh"

DB=$(demo_db 2000)
start_server "$DB" --quiet --threads 2
python3 - "$DB" "$BASE" <<'EOF' || fail "a commit was not seen by the next request"
import http.client, json, sqlite3, sys, urllib.request
db, base = sys.argv[1], sys.argv[2]
host, port = base.removeprefix("http://").split(":")
w = sqlite3.connect(db, isolation_level=None, timeout=10)
kept = http.client.HTTPConnection(host, int(port), timeout=10)

def title(fresh):
    path = "/collections/parques?f=json"
    if fresh:
        with urllib.request.urlopen(base + path, timeout=10) as r:
            return json.load(r)["title"]
    kept.request("GET", path)
    return json.load(kept.getresponse())["title"]

def tile():  # a cached tile between the checks: the path this shortcut is for
    kept.request("GET", "/tiles/parques/14/3608/7196.pbf")
    kept.getresponse().read()

for i in range(200):
    want = f"Parques {i}"
    w.execute("UPDATE teselas_layers SET title = ? WHERE id = 'parques'", (want,))
    got = title(fresh=i % 2 == 0)
    if got != want:
        sys.exit(f"commit {i}: the next request saw {got!r}, not {want!r}")
    tile()
    if title(fresh=i % 2 == 1) != want:
        sys.exit(f"commit {i}: a later request lost it")
print("200 commits, each seen by the next request")
EOF
ok
# the commit of an import by the real importer, then at once a tile of the new version
X=$(python3 -c "import math; print(int((-101.68 + 180) / 360 * 2**14))")
Y=$(python3 -c "import math; r=math.radians(21.12); print(int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * 2**14))")
http_get "/tiles/incidentes/14/$X/$Y.pbf"
expect_status 200 "tile before the import"
E1=$(sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$TEST_TMP/headers")
"$TESELAS" demo --db "$DB" --build-only --incidents 2001 2>/dev/null || fail "re-import"
http_get "/tiles/incidentes/14/$X/$Y.pbf"
expect_status 200 "tile after the import"
E2=$(sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$TEST_TMP/headers")
[ -n "$E1" ] && [ "$E1" != "$E2" ] || fail "the tile after the import kept its ETag: $E1 / $E2"
ok
stop_server
done_checks
