#!/usr/bin/env bash
# bench/pg/run.sh — teselas over PostGIS against ST_AsMVT on the same PostgreSQL and the same
# table, and teselas over SpatiaLite on the same data: uncached vector tiles, one tile list.
#
# Data: bench/tiles/gen_data.py's 5,000 canal and river lines (agua-bench), imported once with
# `teselas import` into a SpatiaLite file and copied with `teselas copy` into a private PostgreSQL
# cluster (tests/postgis/lib.sh); the peer reads the same rows (tests/postgis/lib.sh's loader)
# as Martin's and pg_tileserv's users store them: geometry in EPSG:3857 with a GiST index, the
# Martin/pg_tileserv SQL (ST_AsMVTGeom over ST_TileEnvelope, ST_AsMVT) prepared, binary results,
# two client processes (bench/tiles/pg_tiles.py, form `3857`); and a function source that drops
# sub-pixel lines below the layer's maxzoom as teselas does (form `alike`). Lines: teselas neither
# clusters nor drops them at these zooms except the sub-pixel ones, so both sides serve the same
# features (each cell records both sides' features and bytes; a ratio is written only when they
# agree within 0.1 %), and one tile per zoom is decoded by @mapbox/vector-tile from both sides.
#
# Sides, every one on bench/tiles/tiles.txt's tiles of each zoom, warmed alike (every distinct
# tile asked once; PostgreSQL's tables and indexes in shared_buffers with pg_prewarm):
#   teselas-sqlite  serve --db FILE --tile-cache-mb 0, wrk 2 threads 2 connections
#   teselas-pg      serve --db postgresql://… --tile-cache-mb 0, the same wrk
#   st_asmvt-3857 / st_asmvt-alike   pg_tiles.py, 2 processes, each warmed on its own connection
# CPU: of the teselas process, and of PostgreSQL (the postmaster and its backends, reaped ones
# included) from /proc: the PostgreSQL CPU µs per tile is the figure the README's capacity
# derivation uses. Then one teselas over PostgreSQL against one and two behind nginx (wrk 2
# threads, 16 connections, z12 and z14).
#
#   bench/pg/run.sh [--seconds N]      (each wrk run and each pg_tiles.py run; default 8)
# Needs bench/setup.sh (wrk, nginx, PostgreSQL + PostGIS, psycopg) and tests/browser's npm ci.
# Writes bench/out/pg/pg-results.md (and the raw lines in pg-raw.jsonl).
set -euo pipefail
python3() { /usr/bin/python3 "$@"; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$ROOT/bench/out/pg
SECONDS_PER_RUN=8
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    *) echo "usage: bench/pg/run.sh [--seconds N]" >&2; exit 2 ;;
  esac
done
LAYER=agua-bench
read -r -a ZOOMS <<< "${BENCH_ZOOMS:-8 10 12 14 16}"
TILES=$ROOT/bench/tiles/tiles.txt
RAW=$WORK/pg-raw.jsonl
LOG_START="$(date -u +%Y-%m-%dT%H:%MZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
N_CORES=$(nproc)
mkdir -p "$WORK"
: > "$RAW"
for tool in wrk nginx node psql ogr2ogr; do
  command -v $tool >/dev/null || { echo "run.sh: $tool missing: run bench/setup.sh" >&2; exit 1; }
done
[ -d "$ROOT/tests/browser/node_modules/@mapbox/vector-tile" ] ||
  { echo "run.sh: run (cd tests/browser && npm ci)" >&2; exit 1; }
# shellcheck source=../../tests/postgis/lib.sh
source "$ROOT/tests/postgis/lib.sh"
# shellcheck source=../../tests/postgis/pg_lib.sh
source "$ROOT/tests/postgis/pg_lib.sh"
# shellcheck source=../tiles/measure.sh
source "$ROOT/bench/tiles/measure.sh"

# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"

PIDS=()
bench_on_exit pg_stop
log() { bench_log "$@"; }

bench_teselas
DB=$WORK/pg.db
rm -f "$DB" "$DB-wal" "$DB-shm"
python3 "$ROOT/bench/tiles/gen_data.py" "$WORK"
"$TESELAS" import "$WORK/$LAYER.geojson" --db "$DB" --layer "$LAYER" --quiet >/dev/null

start_teselas() { # LOG extra flags...; sets TS_PID TS_BASE
  local logf=$1; shift
  : > "$logf"   # emptied here, not by the child's redirection: a port left from a run before is never read
  "$TESELAS" serve --port 0 --bind 127.0.0.1 --quiet "$@" 2>>"$logf" &
  TS_PID=$!
  PIDS+=("$TS_PID")
  local port=""
  for _ in $(seq 1 200); do
    port=$(sed -n 's|.*serving .* at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$logf")
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { cat "$logf" >&2; exit 1; }
  TS_BASE=http://127.0.0.1:$port
}
stop_pid() {
  kill "$1" 2>/dev/null && wait "$1" 2>/dev/null || true
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}
paths_file() { # zoom -> a file of request paths in the list's order
  local f=$WORK/paths.z$1.txt
  awk -v z="$1" -v l="$LAYER" '$1 == z { print "/tiles/" l "/" $1 "/" $2 "/" $3 ".pbf" }' "$TILES" > "$f"
  echo "$f"
}
# record SIDE Z TILES SECONDS SERVER_CPU_S PG_CPU_S STATS_JSON
record() {
  python3 - "$@" >> "$RAW" <<'PY'
import json, sys
side, z, n, secs, cpu, pg_cpu, stats = sys.argv[1:8]
print(json.dumps({"side": side, "z": int(z), "tiles": int(n), "seconds": float(secs),
                  "server_cpu_s": float(cpu), "pg_cpu_s": float(pg_cpu),
                  "stats": json.load(open(stats))}))
PY
}
delta() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 3))" "$1" "$2"; }

# bench_http SIDE [PG_PID]: every zoom through wrk against $TS_BASE, teselas's CPU (and
# PostgreSQL's when PG_PID is given)
bench_http() {
  local side=$1 pg=${2:-} z f rate p50 errs n c0 c1 p0 p1
  for z in "${ZOOMS[@]}"; do
    f=$(paths_file "$z")
    (cd "$ROOT" && http_stats "$TS_BASE" "$f" "$WORK/stats.$side.$z.json")   # also the warm-up
    c0=$(cpu_s "$TS_PID"); p0=0; [ -n "$pg" ] && p0=$(cpu_s "$pg")
    read -r rate p50 errs n < <(wrk_rate "$TS_BASE" "$f" 2)
    c1=$(cpu_s "$TS_PID"); p1=0; [ -n "$pg" ] && p1=$(cpu_s "$pg")
    [ "$errs" = 0 ] || log "$side z$z: $errs errors"
    record "$side" "$z" "$n" "$(python3 -c "import sys; print(int(sys.argv[1]) / float(sys.argv[2]))" "$n" "$rate")" \
      "$(delta "$c0" "$c1")" "$(delta "$p0" "$p1")" "$WORK/stats.$side.$z.json"
    log "  $side z$z: $rate tiles/s (p50 $p50 ms), teselas CPU $(delta "$c0" "$c1") s, PostgreSQL CPU $(delta "$p0" "$p1") s for $n tiles"
  done
}

# --- 1. teselas over SpatiaLite ----------------------------------------------------------------
log "teselas over SpatiaLite, uncached"
start_teselas "$WORK/teselas-sqlite.log" --db "$DB" --tile-cache-mb 0
bench_http teselas-sqlite
mkdir -p "$WORK/sample"
for z in "${ZOOMS[@]}"; do   # one tile per zoom, decoded below: the list's first
  read -r tz tx ty < <(awk -v z="$z" '$1 == z { print; exit }' "$TILES")
  curl -s -o "$WORK/sample/sqlite.$z.pbf" "$TS_BASE/tiles/$LAYER/$tz/$tx/$ty.pbf"
done
stop_pid "$TS_PID"

# --- 2. PostgreSQL: the same data in both forms -----------------------------------------------
log "PostgreSQL: copy and load"
PG_SHARED_BUFFERS=1GB pg_start
PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
"$TESELAS" copy --from "$DB" --to "$(pg_uri)" >/dev/null
pg_load_layers "$DB" "$LAYER"
cols=$(pg_layer_fields "$DB" "$LAYER")
maxz=$(sqlite3 "$DB" "SELECT COALESCE(maxzoom, 16) FROM teselas_layers WHERE id = '$LAYER'")
PG_CI="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
python3 "$ROOT/bench/tiles/pg_tiles.py" setup "$PG_CI" "$LAYER" "$cols" other "$maxz"
"${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" >/dev/null
# every table and index of both schemas in shared_buffers: both sides warmed alike
"${PSQL[@]}" -At -c "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname IN ('public', 'teselas') AND c.relkind IN ('r', 'i') AND c.relname NOT LIKE 'spatial_ref_sys%'" >/dev/null
PG_VERSION=$("${PSQL[@]}" -At -c "SELECT postgis_full_version()" | grep -o 'POSTGIS="[^"]*"' | head -1)

log "teselas over PostgreSQL, uncached"
start_teselas "$WORK/teselas-pg.log" --db "$(pg_uri)" --tile-cache-mb 0
bench_http teselas-pg "$PG_PID"
for z in "${ZOOMS[@]}"; do
  read -r tz tx ty < <(awk -v z="$z" '$1 == z { print; exit }' "$TILES")
  curl -s -o "$WORK/sample/pg.$z.pbf" "$TS_BASE/tiles/$LAYER/$tz/$tx/$ty.pbf"
done
stop_pid "$TS_PID"

log "ST_AsMVT"
for form in 3857 alike; do
  for z in "${ZOOMS[@]}"; do
    # warmed and timed as teselas's sides are (pg_tiles.py with the postmaster's PID): each
    # connection asks its distinct tiles once untimed, then cycles its share of the list for N
    # seconds as wrk does, and PostgreSQL's CPU is read from the moment all are warm until all
    # have finished (not a backend's start, not one pass read in 10-ms ticks)
    python3 "$ROOT/bench/tiles/pg_tiles.py" run "$PG_CI" "$form" "$LAYER" "$cols" "$z" "$TILES" "$SECONDS_PER_RUN" "$N_CORES" "$PG_PID" > "$WORK/pg.out.json"
    python3 -c "import json,sys; json.dump(json.load(open(sys.argv[1]))['stats'], open(sys.argv[2], 'w'))" "$WORK/pg.out.json" "$WORK/stats.st.json"
    read -r n secs cpu < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['tiles'], d['seconds'], d['cpu_s'])" "$WORK/pg.out.json")
    record "st_asmvt-$form" "$z" "$n" "$secs" "$cpu" "$cpu" "$WORK/stats.st.json"
    log "  ST_AsMVT $form z$z: $n tiles in $secs s, PostgreSQL CPU $cpu s"
  done
done
for z in "${ZOOMS[@]}"; do
  read -r tz tx ty < <(awk -v z="$z" '$1 == z { print; exit }' "$TILES")
  "${PSQL[@]}" -At -c "SELECT encode($(python3 -c "
import sys; sys.path.insert(0, sys.argv[1]); import pg_tiles
print(pg_tiles.tile_sql(sys.argv[2] + '_3857', sys.argv[2], [c for c in sys.argv[3].split(',') if c], 'geom', '$tz, $tx, $ty').replace('SELECT ', '(SELECT ', 1) + ')')" \
    "$ROOT/bench/tiles" "$LAYER" "$cols"), 'hex')" | xxd -r -p > "$WORK/sample/st.$z.pbf"
done

# --- 3. one teselas against two behind nginx ---------------------------------------------------
log "one teselas against two behind nginx"
start_teselas "$WORK/teselas-a.log" --db "$(pg_uri)" --tile-cache-mb 0 --per-ip-connections 0
A_PID=$TS_PID A_BASE=$TS_BASE
start_teselas "$WORK/teselas-b.log" --db "$(pg_uri)" --tile-cache-mb 0 --per-ip-connections 0
B_PID=$TS_PID B_BASE=$TS_BASE
NGX_PORT=$(pg_free_port)
NGX_DIR=$WORK/nginx
rm -rf "$NGX_DIR"; mkdir -p "$NGX_DIR/tmp"
nginx_conf() { # UPSTREAM_BASE...: the upstream block of deploy/nginx/teselas.conf for these servers
  cat > "$NGX_DIR/nginx.conf" <<NGX
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes $N_CORES;
daemon off;
pid $NGX_DIR/nginx.pid;
error_log $NGX_DIR/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $NGX_DIR/tmp/body; proxy_temp_path $NGX_DIR/tmp/proxy;
  fastcgi_temp_path $NGX_DIR/tmp/fastcgi; uwsgi_temp_path $NGX_DIR/tmp/uwsgi; scgi_temp_path $NGX_DIR/tmp/scgi;
  upstream teselas {
$(for b in "$@"; do echo "    server ${b#http://} max_fails=1 fail_timeout=5s;"; done)
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$NGX_PORT;
    location / {
      proxy_pass http://teselas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_buffering on;
    }
  }
}
NGX
}
declare -A SCALE
for z in 12 14; do
  f=$(paths_file "$z")
  wrk -t2 -c16 -d1s -s "$ROOT/bench/tiles/cycle.lua" "$A_BASE" -- "$f" >/dev/null   # warm-up
  wrk -t2 -c16 -d1s -s "$ROOT/bench/tiles/cycle.lua" "$B_BASE" -- "$f" >/dev/null
  read -r rate _ errs _ < <(wrk_rate "$A_BASE" "$f" 16)
  SCALE[direct,$z]=$rate
  for setup in one two; do
    if [ $setup = one ]; then nginx_conf "$A_BASE"; else nginx_conf "$A_BASE" "$B_BASE"; fi
    nginx -c "$NGX_DIR/nginx.conf" -p "$NGX_DIR" &
    NGX_PID=$!; PIDS+=("$NGX_PID"); sleep 0.5
    wrk -t2 -c16 -d1s -s "$ROOT/bench/tiles/cycle.lua" "http://127.0.0.1:$NGX_PORT" -- "$f" >/dev/null
    read -r rate _ errs _ < <(wrk_rate "http://127.0.0.1:$NGX_PORT" "$f" 16)
    [ "$errs" = 0 ] || log "nginx $setup z$z: $errs errors"
    SCALE[$setup,$z]=$rate
    stop_pid "$NGX_PID"
  done
  log "  z$z: one teselas direct ${SCALE[direct,$z]}, one behind nginx ${SCALE[one,$z]}, two behind nginx ${SCALE[two,$z]} tiles/s"
done
stop_pid "$A_PID"; stop_pid "$B_PID"

# --- the results -----------------------------------------------------------------------------
{
  echo "started: $LOG_START; ended: $(date -u +%Y-%m-%dT%H:%MZ) load $(cut -d' ' -f1-3 /proc/loadavg); machine: $N_CORES cores, $(free -g | awk '/Mem/ {print $2}') GB"
  echo "command: bench/pg/run.sh --seconds $SECONDS_PER_RUN"
  echo "teselas $("$TESELAS" --version | head -1), $PG_VERSION, PostgreSQL $("${PSQL[0]}" --version | awk '{print $3}'), psycopg $(python3 -c 'import psycopg; print(psycopg.__version__)'), $(nginx -v 2>&1 | cut -d' ' -f3), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  echo
  python3 "$ROOT/bench/pg/summarize.py" "$RAW"
  echo
  echo "One sample tile per zoom (the list's first), decoded by @mapbox/vector-tile:"
  for z in "${ZOOMS[@]}"; do
    node "$ROOT/bench/pg/decode.mjs" "$WORK/sample/sqlite.$z.pbf" "$WORK/sample/pg.$z.pbf" "$WORK/sample/st.$z.pbf"
  done
  echo
  echo "Throughput over PostgreSQL, wrk 2 threads 16 connections, tiles/s: $(for z in 12 14; do
    printf 'z%s: one teselas %s, one behind nginx %s, two behind nginx %s; ' "$z" "${SCALE[direct,$z]}" "${SCALE[one,$z]}" "${SCALE[two,$z]}"; done)"
} | tee "$WORK/pg-results.md"
