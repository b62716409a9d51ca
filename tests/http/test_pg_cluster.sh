#!/usr/bin/env bash
# The deployment of the README's "Despliegue / Deployment" page, on one machine: a PostgreSQL
# primary, a hot standby made from it with `pg_basebackup -R`, two `teselas serve` (one reading the
# primary, one reading only the standby) and nginx from Debian with deploy/nginx/teselas.conf as
# it is in the repository (only its addresses replaced), all on 127.0.0.1, on third-party data
# (tests/data/cdmx-ssp). Through nginx: the same bytes as from each server directly; a new version
# published on the primary reaches the standby's server by its poll of the versions (LISTEN is
# refused on a standby) and every answer meanwhile is one version whole; `kill -9` of one server
# and requests keep succeeding (nginx tries the other).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
source "$(dirname "$0")/../postgis/serve_lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || skip "nginx not installed (scripts/install-deps.sh installs it)"
command -v ogr2ogr >/dev/null || skip "ogr2ogr (gdal-bin) not installed"
command -v pg_basebackup >/dev/null || skip "pg_basebackup not installed"
pg_test_start
SB_DIR=""
NGINX_PID=""
A_PID=""
B_PID=""
stop_all() {
  for pid in $A_PID $B_PID $NGINX_PID; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  if [ -n "$SB_DIR" ] && [ -f "$SB_DIR/postmaster.pid" ]; then
    as_pg "$(pg_bin_dir)/pg_ctl" -D "$SB_DIR" -m immediate -w stop >/dev/null 2>&1 ||
      kill "$(head -1 "$SB_DIR/postmaster.pid")" 2>/dev/null
  fi
  pg_stop
  cleanup
}
trap stop_all EXIT

DB="$TEST_TMP/cdmx.db"
cdmx_two_versions "$DB"
"$TESELAS" copy --from "$DB" --to "$(pg_uri)" >/dev/null || fail "copy"

# The hot standby: a base backup of the primary that follows it (-R: standby.signal and
# primary_conninfo), on its own port.
SB_DIR="$PG_DIR/standby"
SB_PORT=$(pg_free_port)
as_pg pg_basebackup -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$SB_DIR" -R -X stream \
  >"$TEST_TMP/basebackup.log" 2>&1 || fail "pg_basebackup: $(cat "$TEST_TMP/basebackup.log")"
as_pg "$(pg_bin_dir)/pg_ctl" -D "$SB_DIR" -l "$PG_DIR/standby.log" -w -t 60 start \
  -o "-p $SB_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c hot_standby=on" \
  >/dev/null || fail "the standby did not start: $(tail -5 "$PG_DIR/standby.log")"
SB_PSQL=(psql -X -At -h 127.0.0.1 -p "$SB_PORT" -U postgres -d postgres)
[ "$("${SB_PSQL[@]}" -c "SELECT pg_is_in_recovery()")" = t ] || fail "the standby is not in recovery"
SB_URI="postgresql://postgres@127.0.0.1:$SB_PORT/postgres"
ok

# Two servers, with the same public URL so that links in the answers are the same bytes.
PUB=(--public-url http://mapas.example --threads 2)
SERVER_LOG="$TEST_TMP/a.log" start_server "$(pg_uri)" "${PUB[@]}"
A_PID=$SERVER_PID A_PORT=$SERVER_PORT
SERVER_LOG="$TEST_TMP/b.log" start_server "$SB_URI" "${PUB[@]}"
B_PID=$SERVER_PID B_PORT=$SERVER_PORT
SERVER_PID=""

# nginx with the repository's configuration: its upstream lines and its listen line replaced.
N_DIR="$TEST_TMP/nginx"
mkdir -p "$N_DIR/tmp"
N_PORT=$(pg_free_port)
sed -e "/(begin servers)/,/(end servers)/c\\    server 127.0.0.1:$A_PORT max_fails=1 fail_timeout=5s;\\n    server 127.0.0.1:$B_PORT max_fails=1 fail_timeout=5s;" \
    -e "s|^\( *\)listen 80;.*|\1listen 127.0.0.1:$N_PORT;|" \
    "$(dirname "$0")/../../deploy/nginx/teselas.conf" >"$N_DIR/teselas.conf"
grep -q "127.0.0.1:$B_PORT" "$N_DIR/teselas.conf" && grep -q "listen 127.0.0.1:$N_PORT" "$N_DIR/teselas.conf" ||
  fail "the addresses of deploy/nginx/teselas.conf were not replaced"
cat >"$N_DIR/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $N_DIR/nginx.pid;
error_log $N_DIR/error.log;
events { worker_connections 256; }
http {
  access_log $N_DIR/access.log;
  client_body_temp_path $N_DIR/tmp/body;
  proxy_temp_path $N_DIR/tmp/proxy;
  fastcgi_temp_path $N_DIR/tmp/fastcgi;
  uwsgi_temp_path $N_DIR/tmp/uwsgi;
  scgi_temp_path $N_DIR/tmp/scgi;
  include $N_DIR/teselas.conf;
}
EOF
"$NGINX" -t -p "$N_DIR" -e "$N_DIR/error.log" -c "$N_DIR/nginx.conf" >"$N_DIR/t.log" 2>&1 ||
  fail "nginx -t: $(cat "$N_DIR/t.log")"
"$NGINX" -p "$N_DIR" -e "$N_DIR/error.log" -c "$N_DIR/nginx.conf" &
NGINX_PID=$!
LB="http://127.0.0.1:$N_PORT"
for _ in $(seq 1 100); do
  curl -s -o /dev/null "$LB/health" && break
  sleep 0.1
done
[ "$(fetch "$LB/health" "$TEST_TMP/h")" = 200 ] || fail "nginx does not answer: $(cat "$N_DIR/error.log")"
# both servers name the build whose output id their tile URLs carry: the one of --version
for port in "$A_PORT" "$B_PORT"; do
  fetch "http://127.0.0.1:$port/health" "$TEST_TMP/h" >/dev/null
  python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['output'] != sys.argv[2])" \
    "$TEST_TMP/h" "$OUTPUT_ID" || fail "/health of :$port: $(cat "$TEST_TMP/h")"
done
# an HTTP/1.0 client that sends no Host is still served through nginx (teselas refuses HTTP/1.1
# without Host, and nginx speaks HTTP/1.1 to it: the configuration gives one)
[ "$(python3 "$(dirname "$0")/../clients/raw_cases.py" "$N_PORT" --http10-no-host)" = 200 ] ||
  fail "HTTP/1.0 without Host through nginx was not answered 200"
ok

# 1. The same bytes through nginx as from each server: tiles around the data, pages of items,
# the collections, an image; with and without gzip.
read -r Z X Y < <(center_tile "$SUB_GEOJSON" 12)
URLS=(/collections /collections/cuadrantes "/collections/cuadrantes/items?limit=20"
      "/collections/cuadrantes/items?limit=5&offset=700" /tiles/cuadrantes.json)
for dz in 0 1 2; do
  z=$((Z - 2 + dz)); x=$((X >> (2 - dz))); y=$((Y >> (2 - dz)))
  for dx in 0 1; do URLS+=("/tiles/cuadrantes/$z/$((x + dx))/$y.pbf"); done
done
URLS+=("/styles/cuadrantes/$Z/$X/$Y.png")
for u in "${URLS[@]}"; do
  for enc in identity gzip; do
    code=$(curl -s -H "Accept-Encoding: $enc" -o "$TEST_TMP/lb" -w '%{http_code}' "$LB$u")
    [ "$code" = 200 ] || fail "nginx: $u answered $code"
    for port in "$A_PORT" "$B_PORT"; do
      curl -s -H "Accept-Encoding: $enc" -o "$TEST_TMP/direct" "http://127.0.0.1:$port$u"
      # (a page of items says when it was made, timeStamp, to the second: set aside, after gunzip)
      [[ $u != *items* ]] || python3 - "$TEST_TMP/lb" "$TEST_TMP/direct" <<'PY'
import gzip, re, sys
for p in sys.argv[1:]:
    b = open(p, "rb").read()
    b = gzip.decompress(b) if b[:2] == b"\x1f\x8b" else b
    open(p, "wb").write(re.sub(rb'"timeStamp":"[^"]*"', b'"timeStamp":""', b))
PY
      cmp -s "$TEST_TMP/lb" "$TEST_TMP/direct" ||
        fail "$u ($enc) from port $port differs from nginx's: $(diff <(head -c 2000 "$TEST_TMP/lb") <(head -c 2000 "$TEST_TMP/direct") | head -5)"
    done
  done
  ok
done
# cache headers pass through nginx untouched: an immutable version URL stays immutable
fetch "$LB/tiles/cuadrantes/$Z/$X/$Y.pbf?v=2-$OUTPUT_ID" "$TEST_TMP/t" >/dev/null
[ "$(cc_of "$TEST_TMP/t")" = "public, max-age=31536000, immutable" ] || fail "nginx: $(cc_of "$TEST_TMP/t")"
ok

# 2. A version published on the primary (with NOTIFY, which the standby's server cannot hear) is
# served by the standby's server by its poll (bound: 10 s), and through nginx every answer
# meanwhile is one version whole.
TILE="/tiles/cuadrantes/$Z/$X/$Y.pbf"
fetch "http://127.0.0.1:$B_PORT$TILE" "$TEST_TMP/v2" >/dev/null
T2=$(tag_of "$TEST_TMP/v2")
S2=$(sha256sum <"$TEST_TMP/v2" | cut -d' ' -f1)
hammer_start "$LB$TILE" "$TEST_TMP/mix.txt"
publish_pg "$PG_PORT" 1 notify
seen=""
for _ in $(seq 1 100); do
  fetch "http://127.0.0.1:$B_PORT$TILE" "$TEST_TMP/v1" >/dev/null
  [ "$(tag_of "$TEST_TMP/v1")" != "$T2" ] && { seen=1; break; }
  sleep 0.1
done
[ -n "$seen" ] || fail "the standby's server did not serve the new version within 10 s"
hammer_stop
T1=$(tag_of "$TEST_TMP/v1")
S1=$(sha256sum <"$TEST_TMP/v1" | cut -d' ' -f1)
[ "${T1:0:4}" = '"t1-' ] || fail "the new version's tag is $T1"
fetch "http://127.0.0.1:$A_PORT$TILE" "$TEST_TMP/a1" >/dev/null
cmp -s "$TEST_TMP/a1" "$TEST_TMP/v1" || fail "primary's and standby's servers differ on version 1"
bad=$(grep -v -x -e "200 $T1 $S1" -e "200 $T2 $S2" "$TEST_TMP/mix.txt" | head -3 || true)
[ -z "$bad" ] || fail "answers through nginx that failed or mixed versions: $bad"
grep -q "no LISTEN on this database" "$TEST_TMP/b.log" || fail "the standby's server did not fall back to polling"
ok

# 3. kill -9 of one server: every request through nginx still succeeds.
kill -9 "$A_PID"
wait "$A_PID" 2>/dev/null || true
A_PID=""
for i in $(seq 1 40); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$LB/tiles/cuadrantes/$Z/$X/$((Y + i % 3)).pbf")
  [ "$code" = 200 ] || [ "$code" = 204 ] || fail "request $i through nginx answered $code with one server killed"
done
code=$(curl -s -o /dev/null -w '%{http_code}' "$LB/collections/cuadrantes/items?limit=3")
[ "$code" = 200 ] || fail "items through nginx answered $code"
ok
done_checks
