#!/usr/bin/env bash
# Usage per layer, on the demo and on a database made only from a third-party file (INEGI's
# localities of León, tests/data/inegi):
# - N requests of each kind to a layer (vector tiles, PNG tiles, items, downloads, map pages),
#   sent with curl from another loopback address (127.0.0.2) and with an unusual token in their
#   query strings, show up as exactly N in /metrics, with the bytes curl received; a tile of two
#   layers counts for each, a 404 for nobody, a style of several layers under "_other";
# - after a clean stop, `teselas usage` (CSV, JSON, by day and month) says the same N and bytes,
#   and so does /admin/uso?f=csv of the next server; counts of two runs add up;
# - no client address and no query string is stored: every row of every table of the database
#   (usage_dump.py) and the raw bytes of its files hold neither the address nor the token, while the
#   dump does hold the usage rows (so the search can find what is there);
# - two servers on one database at once: their counts add up (increments, never overwrites);
# - bad parameters of /admin/uso and bad flags of `teselas usage` are a 400 JSON and exit 2.
# TESELAS_TEST_BACKEND=postgis runs it on a private PostgreSQL cluster (backend_lib.sh): the
# counts in the catalogue's schema, the search for the address and token over a dump of the whole
# database and the cluster's files.
BACKEND_AWARE=1  # picks its backend itself (backend_lib.sh), not through the suite's switch in lib.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/backend_lib.sh"
D="$TESELAS_TEST_DATA"
HERE=$(dirname "$0")
# Debian's python3 when there is one: a version manager's shim costs seconds per start here
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
N=3
CLIENT=127.0.0.2
TOKEN=QZXW-secreto-48151
rc=0
curl -s --interface "$CLIENT" -o /dev/null "http://127.0.0.1:9/" 2>/dev/null || rc=$?
[ $rc -ne 45 ] || skip "cannot send from $CLIENT here"

# The database must not hold the address or the token before the test (else its grep proves
# nothing); a fresh database holding them by chance fails loudly rather than passing.
no_secrets() {
  local db=$1 f
  if [ "$BACKEND" = postgis ]; then
    pg_dump -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres --data-only >"$TEST_TMP/all.sql" ||
      fail "pg_dump"
    grep -q . "$TEST_TMP/all.sql" || fail "an empty dump"
    ! grep -a -q -e "$CLIENT" -e "$TOKEN" "$TEST_TMP/all.sql" ||
      fail "the database holds the client address or a query string"
    backend_sql CHECKPOINT >/dev/null
    ! grep -r -a -q -e "$CLIENT" -e "$TOKEN" "$PG_DIR/data" ||
      fail "the cluster's files hold the client address or the token"
    ok
    return
  fi
  "$PY" - "$db" "$CLIENT" "$TOKEN" "$HERE" <<'EOF' || fail "$db holds the client address or a query string"
import sys
sys.path.insert(0, sys.argv[4])
from usage_dump import dump
db, client, token = sys.argv[1:4]
text = dump(db)
assert client not in text and token not in text
EOF
  for f in "$db" "$db-wal" "$db-shm"; do
    [ -f "$f" ] || continue
    ! grep -a -q -e "$CLIENT" -e "$TOKEN" "$f" || fail "the bytes of $f hold the client address or the token"
  done
  ok
}

# get PATH: a request from CLIENT; appends "kind status bytes" to $TEST_TMP/sent.
get() {
  local kind=$1 path=$2 out
  out=$(curl -s --interface "$CLIENT" -o /dev/null -w '%{http_code} %{size_download}' "$BASE$path")
  echo "$kind $out" >> "$TEST_TMP/sent"
  case "${out%% *}" in 200|204) ok ;; *) fail "$path answered ${out%% *}" ;; esac
}

# one_layer LAYER TILE FIELD: N requests of each kind to LAYER.
one_layer() {
  local l=$1 tile=$2 field=$3 filt
  filt="filter=$field%20%3C%3E%20%27$TOKEN%27"  # field <> 'TOKEN': every feature
  : > "$TEST_TMP/sent"
  for _ in $(seq 1 $N); do
    get tile "/tiles/$l/$tile.pbf?$filt"
    get image "/styles/$l/$tile.png"
    get items "/collections/$l/items?limit=2&$filt"
    get download "/collections/$l/download.csv?$filt"
    get page "/maps/$l?q=$TOKEN"
  done
}

# expect_metrics LAYER: /metrics says N requests of each kind and the bytes curl received.
expect_metrics() {
  http_get /metrics
  expect_status 200 /metrics
  "$PY" - "$TEST_TMP/body" "$TEST_TMP/sent" "$1" "$N" <<'EOF' || fail "/metrics: $(grep "layer=\"$1\",kind" "$TEST_TMP/body")"
import re, sys
body, sent, layer, n = open(sys.argv[1]).read(), open(sys.argv[2]).read().split("\n"), sys.argv[3], int(sys.argv[4])
want = {}
for line in filter(None, sent):
    kind, status, size = line.split()
    r, b = want.get(kind, (0, 0))
    want[kind] = (r + 1, b + int(size))
for kind, (r, b) in want.items():
    got_r = int(re.search(rf'teselas_layer_requests_total{{layer="{layer}",kind="{kind}"}} (\d+)', body).group(1))
    got_b = int(re.search(rf'teselas_layer_response_bytes_total{{layer="{layer}",kind="{kind}"}} (\d+)', body).group(1))
    assert r == n and got_r == r and got_b == b, (kind, r, got_r, b, got_b)
EOF
  ok
}

# expect_usage DB LAYER REQUESTS: `teselas usage` (CSV by day and by month, JSON) says REQUESTS of
# each kind for LAYER (one more tile: check_db's tile of two layers), and at least the bytes of
# $TEST_TMP/sent times REQUESTS/N.
expect_usage() {
  local db=$1 l=$2 want=$3 by
  for by in day month; do
    "$TESELAS" usage --db "$db" --by "$by" --format csv > "$TEST_TMP/usage.csv" || fail "usage --by $by"
    "$PY" - "$TEST_TMP/usage.csv" "$l" "$want" <<'EOF' || fail "usage --by $by: $(cat "$TEST_TMP/usage.csv")"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["layer"] == sys.argv[2]]
want = int(sys.argv[3])
assert rows, "no row"
for kind in ("tile", "image", "items", "download", "page"):
    assert sum(int(r[kind]) for r in rows) == want + (kind == "tile"), (kind, rows)
EOF
    ok
  done
  "$TESELAS" usage --db "$db" --format json > "$TEST_TMP/usage.json" || fail "usage --format json"
  "$PY" - "$TEST_TMP/usage.json" "$TEST_TMP/sent" "$l" "$want" "$N" <<'EOF' || fail "usage json: $(head -c 600 "$TEST_TMP/usage.json")"
import json, sys
d = json.load(open(sys.argv[1]))
layer, want, n = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
sent = {}
for line in filter(None, open(sys.argv[2]).read().split("\n")):
    kind, _, size = line.split()
    sent[kind] = sent.get(kind, 0) + int(size)
rows = [u for u in d["usage"] if u["layer"] == layer]
for kind, b in sent.items():
    assert sum(u[kind]["requests"] for u in rows) == want + (kind == "tile")
    # a kind whose answers all had one size (tiles, pages) scales exactly; the rest at least
    assert sum(u[kind]["bytes"] for u in rows) >= b * want // n, (kind, rows, b)
assert "IP" in d["privacy"]
EOF
  ok
}

check_db() {
  local db=$1 l=$2 tile=$3 field=$4 other=$5
  no_secrets "$db"
  start_server "$db"
  one_layer "$l" "$tile" "$field"
  # a tile of two layers counts for each; an unknown layer and a bad request count for nobody
  curl -s --interface "$CLIENT" -o /dev/null "$BASE/tiles/$l,$other/$tile.pbf"
  curl -s --interface "$CLIENT" -o /dev/null "$BASE/tiles/no-such-layer/$tile.pbf"
  curl -s --interface "$CLIENT" -o /dev/null "$BASE/collections/$l/items?limit=abc"
  http_get /metrics
  grep -q "^teselas_layer_requests_total{layer=\"$other\",kind=\"tile\"} 1$" "$TEST_TMP/body" ||
    fail "the tile of $l,$other did not count once for $other"
  ! grep -q 'layer="no-such-layer"' "$TEST_TMP/body" || fail "an unknown layer became a label"
  ok
  # the tile of two layers is one more tile for l
  "$PY" - "$TEST_TMP/body" "$l" "$N" <<'EOF' || fail "/metrics for $l"
import re, sys
body, layer, n = open(sys.argv[1]).read(), sys.argv[2], int(sys.argv[3])
for kind in ("image", "items", "download", "page"):
    assert f'teselas_layer_requests_total{{layer="{layer}",kind="{kind}"}} {n}\n' in body, kind
assert f'teselas_layer_requests_total{{layer="{layer}",kind="tile"}} {n + 1}\n' in body
EOF
  ok
  stop_server || fail "the server did not stop cleanly"
  "$TESELAS" usage --db "$db" --format csv > "$TEST_TMP/usage.csv"
  "$PY" - "$TEST_TMP/usage.csv" "$l" "$N" "$other" <<'EOF' || fail "usage after a stop: $(cat "$TEST_TMP/usage.csv")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
layer, n, other = sys.argv[2], int(sys.argv[3]), sys.argv[4]
tot = lambda l, k: sum(int(r[k]) for r in rows if r["layer"] == l)
assert all(tot(layer, k) == n for k in ("image", "items", "download", "page"))
assert tot(layer, "tile") == n + 1 and tot(other, "tile") == 1
assert not any(r["layer"] == "no-such-layer" for r in rows)
EOF
  ok
  # a second run: its /metrics start from zero and its counts add to the first run's
  start_server "$db"
  http_get "/admin/uso?f=csv"
  expect_status 200 "/admin/uso?f=csv"
  cmp -s "$TEST_TMP/body" "$TEST_TMP/usage.csv" || fail "/admin/uso?f=csv differs from teselas usage"
  ok
  http_get "/admin/uso" -H 'Accept: text/html'
  expect_status 200 /admin/uso
  expect_header Content-Type "text/html"
  grep -q 'direcciones IP' "$TEST_TMP/body" || fail "the page does not say what is not kept"
  grep -q '<th scope="col">Descargas</th>' "$TEST_TMP/body" || fail "no table of downloads"
  ok
  for bad in "by=year" "since=2026-13-01" "since=abc" "f=xml" "other=1"; do
    http_get "/admin/uso?$bad"
    expect_status 400 "/admin/uso?$bad"
    grep -q '"code"' "$TEST_TMP/body" && ! grep -q -e year -e abc -e xml "$TEST_TMP/body" ||
      fail "/admin/uso?$bad: $(cat "$TEST_TMP/body")"
  done
  one_layer "$l" "$tile" "$field"
  expect_metrics "$l"
  stop_server || fail "the server did not stop cleanly"
  expect_usage "$db" "$l" $((2 * N))
  no_secrets "$db"
  if [ "$BACKEND" = postgis ]; then
    # the URI's own search path, else the default schema (as the server reads)
    [ "$(PGOPTIONS="-c search_path=teselas,public" psql -X -At -d "$db" \
         -c "SELECT count(*) FROM teselas_usage WHERE layer = '$l'")" -gt 0 ] ||
      fail "the schema of $db holds no usage row of $l"
    ok
    return
  fi
  "$PY" - "$db" "$l" "$HERE" <<'EOF' || fail "the dump of $db does not hold the usage rows"
import sys
sys.path.insert(0, sys.argv[3])
from usage_dump import dump
assert f"teselas_usage\t{sys.argv[2]}\t" in dump(sys.argv[1])
EOF
  ok
}

# items_total DB LAYER: the items requests `teselas usage` counts for LAYER.
items_total() {
  "$TESELAS" usage --db "$1" --format csv |
    "$PY" -c "import csv,sys; print(sum(int(r['items']) for r in csv.DictReader(sys.stdin) if r['layer'] == sys.argv[1]))" "$2"
}

# two_servers DB LAYER: two servers on DB at once, M items requests to each, both stopped at
# the same moment (their last writes meet): the stored count grows by 2 M.
eval "$(declare -f cleanup | sed '1s/cleanup/usage_cleanup/')"
cleanup() { [ -n "${FIRST_PID:-}" ] && kill "$FIRST_PID" 2>/dev/null; usage_cleanup; }
two_servers() {
  local db=$1 l=$2 m=6 before first second
  before=$(items_total "$db" "$l")
  start_server "$db"
  first=$BASE FIRST_PID=$SERVER_PID
  start_server "$db"
  second=$BASE
  for _ in $(seq 1 $m); do
    for b in "$first" "$second"; do
      [ "$(curl -s -o /dev/null -w '%{http_code}' "$b/collections/$l/items?limit=1")" = 200 ] ||
        fail "items from $b"
    done
  done
  kill -TERM "$FIRST_PID" "$SERVER_PID"
  wait "$FIRST_PID" || fail "the first server did not stop cleanly"
  wait "$SERVER_PID" || fail "the second server did not stop cleanly"
  FIRST_PID="" SERVER_PID=""
  [ "$(items_total "$db" "$l")" = $((before + 2 * m)) ] ||
    fail "two servers: $(items_total "$db" "$l") items requests kept, not $before + $((2 * m))"
  ok
}

# --- the demo ---
DB=$(demo_db 2000)
backend_open "$DB"
check_db "$DB" parques 13/1782/3604 nombre rios-canales
two_servers "$DB" parques

# --- a database of third-party files only ---
TP="$TEST_TMP/tp.db"
"$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$TP" --layer localidades \
  --title "Localidades de León" --license "Licencia de libre uso MX" --publisher INEGI \
  --frequency anual > /dev/null 2>&1 || fail "import of the localities"
"$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$TP" --layer otra \
  --title "Otra" --license "CC-BY-4.0" > /dev/null 2>&1 || fail "import of the second layer"
TP=$(backend_add "$TP" tp)
check_db "$TP" localidades 10/222/450 nom_loc otra

# --- bad flags ---
for args in "--by year" "--since 2026-02-30" "--format xml" ""; do
  rc=0
  # shellcheck disable=SC2086
  "$TESELAS" usage $args --db "$DB" > /dev/null 2>&1 || rc=$?
  [ -z "$args" ] && { [ $rc -eq 0 ] || fail "usage --db: exit $rc"; continue; }
  [ $rc -eq 2 ] || fail "usage $args: exit $rc, not 2"
  ok
done
rc=0
"$TESELAS" usage --db "$TEST_TMP/none.db" > /dev/null 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "usage of a missing database: exit $rc"
ok
done_checks
