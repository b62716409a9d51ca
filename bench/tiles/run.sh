#!/usr/bin/env bash
# bench/tiles/run.sh — vector tiles: teselas against its peers, same machine, same run, same tile
# list (bench/tiles/tiles.txt: z 8, 10, 12, 14, 16, 300 tiles each, Gaussian around León's centre).
#
# Data: `teselas demo --incidents 1000000` (points) + 20,000 park polygons and 5,000 water lines
# from bench/tiles/gen_data.py, loaded with `teselas import`. Peers:
#   1. teselas uncached (--tile-cache-mb 0) over HTTP: wrk, 2 threads, 2 connections (as many
#      clients as PostGIS gets, one per core), cycling the tile list of one layer and zoom;
#   2. PostGIS (tests/postgis/lib.sh starts a private cluster on a loopback port), uncached, 2
#      client processes with prepared statements and binary results (bench/tiles/pg_tiles.py), in
#      three forms: the Martin/pg_tileserv SQL on the data as published (EPSG:4326, expression
#      index on ST_Transform(geom, 3857)); the same SQL on a copy stored in EPSG:3857 with a GiST
#      index; and a function source that generalises as teselas does (clusters on the same grids,
#      sub-pixel polygons and lines dropped);
#   3. geojson-vt + vt-pbf in node (bench/tiles/gvt.mjs): tiles/s after loading, and its memory;
#   4. teselas cached (tiles fetched once first) vs nginx serving the same tiles as static files:
#      wrk, 2 threads, 32 connections, ROUNDS rounds alternating the two, medians.
# Every cell records, for each side, the mean tile bytes and the features of the tiles it served
# (bench/tiles/mvtstat.py, one counter for both sides); bench/tiles/summarize.py writes a ratio only
# where both sides serve the same features on the same tiles. Warm-up, alike: teselas gets every
# distinct tile of a cell once before timing (it builds its point pyramid and fills the OS page
# cache); PostgreSQL gets its tables and indexes in shared_buffers (pg_prewarm), and each of its
# client connections asks its distinct tiles of the cell once before timing (pg_tiles.py: the
# backend's caches and plans), its CPU counted only from then on, as teselas's. Both at rest
# before timing: teselas has kept the download digests its background thread computes for
# every new layer version (usage_flush.c; the imports below make two each run, and a new
# database's 1,000,000 points take 4 s of CPU, counted against whichever cells ran meanwhile);
# PostgreSQL's tables are vacuumed and analysed (no autovacuum worker, counted as the
# postmaster's, during a cell). nginx and cached teselas get one 1 s wrk pass each.
# Prints the tables and writes bench/out/tiles-results.txt. Needs bench/setup.sh first.
#
#   bench/tiles/run.sh [--seconds N] [--rounds R]   (N: each wrk run, default 8; PostGIS cycles
#                                       the list for 2.5 N per layer, zoom and form, geojson-vt
#                                       gets 2.5 N at most;
#                                       R: rounds of the cached cells, default 3)
set -euo pipefail
# Debian's python3 (with psycopg and mapnik from bench/setup.sh), called directly: a version
# manager's shim costs a second a call on a loaded machine
python3() { /usr/bin/python3 "$@"; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$ROOT/bench/out
SECONDS_PER_RUN=8
ROUNDS=3
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    *) echo "usage: bench/tiles/run.sh [--seconds N] [--rounds R]" >&2; exit 2 ;;
  esac
done
PY=/usr/bin/python3   # Debian's, with python3-psycopg (bench/setup.sh)
RAW=$WORK/tiles-raw.jsonl   # one JSON line per measured cell and side
LOG_START="$(date -u +%Y-%m-%dT%H:%MZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
SLOW_BUDGET=$(( SECONDS_PER_RUN * 5 / 2 ))
read -r -a LAYERS <<< "${BENCH_LAYERS:-incidentes parques-bench agua-bench}"   # a subset, to try the
read -r -a ZOOMS <<< "${BENCH_ZOOMS:-8 10 12 14 16}"                         # script quickly
TILES=$ROOT/bench/tiles/tiles.txt
mkdir -p "$WORK"
: > "$RAW"
for tool in wrk nginx node psql ogr2ogr; do
  command -v $tool >/dev/null || { echo "run.sh: $tool missing: run bench/setup.sh" >&2; exit 1; }
done
[ -d "$ROOT/bench/node_modules/geojson-vt" ] || { echo "run.sh: run bench/setup.sh" >&2; exit 1; }
# shellcheck source=../../tests/postgis/lib.sh
source "$ROOT/tests/postgis/lib.sh"
# shellcheck source=nginx.sh
source "$ROOT/bench/tiles/nginx.sh"
# shellcheck source=measure.sh
source "$ROOT/bench/tiles/measure.sh"

# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"

PIDS=()
bench_on_exit pg_stop
log() { bench_log "$@"; }

# --- build (release) and data ------------------------------------------------------------------
bench_teselas
DB=$WORK/bench.db
# rebuilt when missing, smaller, or written before rows were stored in curve order
if [ ! -f "$DB" ] || [ "$(sqlite3 "$DB" "SELECT feature_count FROM teselas_layers WHERE id='incidentes'")" != 1000000 ] ||
   [ "$(sqlite3 "$DB" "SELECT count(*) FROM teselas_layers l, pragma_table_info(l.table_name) c
                       WHERE l.id='incidentes' AND c.name='teselas_row'")" != 1 ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  log "building 1,000,000 incidents"
  "$TESELAS" demo --db "$DB" --build-only --incidents 1000000 2>/dev/null
fi
python3 "$ROOT/bench/tiles/gen_data.py" "$WORK"
PENDING=()
for id in parques-bench agua-bench; do
  # --force: a new version each run, written by the binary under test (the same file alone would
  # leave the version an earlier build wrote)
  if ! "$TESELAS" import "$WORK/$id.geojson" --db "$DB" --layer "$id" --quiet --force >/dev/null 2>&1; then
    log "teselas import is not available: $id pending"
    PENDING+=("$id")
  fi
done
for id in "${PENDING[@]}"; do LAYERS=("${LAYERS[@]/$id}"); done
mapfile -t LAYERS < <(printf '%s\n' "${LAYERS[@]}" | grep .)
N_THREADS=$(nproc)

paths_file() { # layer zoom -> a file of request paths in the list's order
  local f=$WORK/paths/$1.z$2.txt
  mkdir -p "$WORK/paths"
  awk -v z="$2" -v l="$1" '$1 == z { print "/tiles/" l "/" $1 "/" $2 "/" $3 ".pbf" }' "$TILES" > "$f"
  echo "$f"
}

start_teselas() { # extra flags...; sets TS_PID TS_BASE
  "$TESELAS" serve --db "$DB" --port 0 --bind 127.0.0.1 --quiet "$@" 2>"$WORK/teselas.log" &
  TS_PID=$!
  PIDS+=("$TS_PID")
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's|.*serving .* at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/teselas.log")
    [ -n "$port" ] && break
    sleep 0.05
  done
  TS_BASE=http://127.0.0.1:$port
}

stop_pid() {
  kill "$1" 2>/dev/null && wait "$1" 2>/dev/null || true
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# record PEER LAYER Z RATE CPU_RATE P50 [STATS_JSON_FILE]: one line of $RAW
record() {
  python3 - "$@" >> "$RAW" <<'EOF'
import json, sys
peer, layer, z, rate, cpu, p50 = sys.argv[1:7]
num = lambda v: float(v) if v not in ("-", "") else None  # noqa: E731
stats = json.load(open(sys.argv[7])) if len(sys.argv) > 7 else {}
print(json.dumps({"peer": peer, "layer": layer, "z": int(z), "rate": num(rate), "cpu_rate": num(cpu),
                  "p50": num(p50), "stats": stats}))
EOF
}

declare -A R   # results: R[peer,layer,zoom] = tiles/s
declare -A P50 # median latency (ms)
declare -A BYTES
declare -A C   # tiles per CPU second of the server (teselas, PostgreSQL, node, nginx)

# teselas_at_rest: waits (at most 10 min) until every layer version has the digests of its
# GeoJSON and CSV downloads, which the server's background thread computes after a start
teselas_at_rest() {
  local left
  for _ in $(seq 1 600); do
    left=$(sqlite3 "$DB" "SELECT count(*) FROM teselas_layers l, (SELECT 'geojson' AS f UNION SELECT 'csv') k
      WHERE NOT EXISTS (SELECT 1 FROM teselas_download_digests d
                        WHERE d.layer = l.id AND d.version = l.version AND d.format = k.f)" 2>/dev/null || echo 1)
    [ "$left" = 0 ] && return 0
    sleep 1
  done
  log "teselas: $left download digests still missing after 10 min"
}

# --- 1. teselas, uncached -----------------------------------------------------------------------
log "teselas uncached ($N_THREADS worker threads)"
start_teselas --tile-cache-mb 0
teselas_at_rest
for l in "${LAYERS[@]}"; do
  # the first request of a clustered layer version builds its point pyramid: timed apart
  t0=$(date +%s.%N)
  curl -s -o /dev/null "$TS_BASE/tiles/$l/8/55/112.pbf"
  R[warm,$l]=$(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 3))" "$t0" "$(date +%s.%N)")
  for z in "${ZOOMS[@]}"; do
    f=$(paths_file "$l" "$z")
    # bytes and features of each distinct tile (uncompressed); also the warm-up
    (cd "$ROOT" && http_stats "$TS_BASE" "$f" "$WORK/stats.teselas.$l.$z.json")
    BYTES[$l,$z]=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(v[0] for v in d.values()) // max(len(d), 1))" "$WORK/stats.teselas.$l.$z.json")
    c0=$(cpu_s "$TS_PID")
    read -r rate p50 errs n < <(wrk_rate "$TS_BASE" "$f" 2)
    C[teselas,$l,$z]=$(per_cpu "$n" "$c0" "$(cpu_s "$TS_PID")")
    [ "$errs" = 0 ] || log "teselas uncached $l z$z: $errs errors"
    R[teselas,$l,$z]=$rate; P50[teselas,$l,$z]=$p50
    record teselas "$l" "$z" "$rate" "${C[teselas,$l,$z]}" "$p50" "$WORK/stats.teselas.$l.$z.json"
    log "  $l z$z: $rate tiles/s, ${C[teselas,$l,$z]} per CPU s (p50 $p50 ms, mean ${BYTES[$l,$z]} B)"
  done
done
RSS_TESELAS_UNCACHED=$(rss_kb "$TS_PID")
stop_pid "$TS_PID"

# --- 2. PostGIS ST_AsMVT, three forms ----------------------------------------------------------
log "PostGIS: loading"
PG_SHARED_BUFFERS=1GB pg_start
pg_load_layers "$DB" "${LAYERS[@]}"
for l in "${LAYERS[@]}"; do "${PSQL[@]}" -c "VACUUM ANALYZE \"$l\"" >/dev/null; done
PG_VERSION=$("${PSQL[@]}" -At -c "SELECT postgis_full_version()" | grep -o 'POSTGIS="[^"]*"' | head -1)
PG_CI="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
"${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" >/dev/null
for l in "${LAYERS[@]}"; do
  cols=$(pg_layer_fields "$DB" "$l")
  kind=$(sqlite3 "$DB" "SELECT CASE WHEN geometry_type LIKE '%POINT%' THEN 'points' ELSE 'other' END FROM teselas_layers WHERE id = '$l'")
  maxz=$(sqlite3 "$DB" "SELECT COALESCE(maxzoom, 16) FROM teselas_layers WHERE id = '$l'")
  $PY "$ROOT/bench/tiles/pg_tiles.py" setup "$PG_CI" "$l" "$cols" "$kind" "$maxz"
  # the tables and their indexes in shared_buffers: PostgreSQL warmed as teselas is
  "${PSQL[@]}" -At -c "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c
    WHERE c.relname IN ('$l', '${l}_3857') OR c.oid IN (SELECT indexrelid FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname IN ('$l', '${l}_3857'))" >/dev/null
  for z in "${ZOOMS[@]}"; do
    for form in alike 3857 4326; do
      PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
      # warmed, then timed, with PostgreSQL's CPU time of the timed part (pg_tiles.py)
      $PY "$ROOT/bench/tiles/pg_tiles.py" run "$PG_CI" "$form" "$l" "$cols" "$z" "$TILES" "$SLOW_BUDGET" "$N_THREADS" "$PG_PID" > "$WORK/pg.out.json"
      read -r n cpu < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['tiles'], d['cpu_s'])" "$WORK/pg.out.json")
      cr=$(per_cpu "$n" 0 "$cpu")
      python3 -c "import json,sys; json.dump(json.load(open(sys.argv[1]))['stats'], open(sys.argv[2], 'w'))" "$WORK/pg.out.json" "$WORK/pg.stats.json"
      read -r rate p50 < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['tiles_per_s'], d['p50_ms'])" "$WORK/pg.out.json")
      record "postgis-$form" "$l" "$z" "$rate" "$cr" "$p50" "$WORK/pg.stats.json"
      R[postgis,$l,$z]=$rate; C[postgis,$l,$z]=$cr; P50[postgis,$l,$z]=$p50
      log "  $l z$z PostGIS $form: $rate tiles/s, $cr per CPU s (p50 $p50 ms)"
    done
  done
done
pg_stop

# --- 3. geojson-vt + vt-pbf ----------------------------------------------------------------------
declare -A GVT_RSS GVT_LOAD
for l in "${LAYERS[@]}"; do
  log "geojson-vt: $l"
  table=$(sqlite3 "$DB" "SELECT table_name FROM teselas_layers WHERE id = '$l'")
  rm -f "$WORK/$l.export.geojson"
  ogr2ogr -f GeoJSON "$WORK/$l.export.geojson" "$DB" "$table" -select "$(pg_layer_fields "$DB" "$l")" \
    -preserve_fid -lco WRITE_BBOX=NO \
    -lco COORDINATE_PRECISION=7 -lco RFC7946=YES
  node --max-old-space-size=20000 "$ROOT/bench/tiles/gvt.mjs" "$WORK/$l.export.geojson" "$l" \
    "$TILES" "$SLOW_BUDGET" > "$WORK/gvt.$l.json"
  eval "$(python3 - "$WORK/gvt.$l.json" "$l" <<'EOF'
import json, sys
d, l = json.load(open(sys.argv[1])), sys.argv[2]
print(f"GVT_RSS[{l}]={d['rss_peak'] // 1024}; GVT_LOAD[{l}]={d['load_s']}")
for z, v in d["zooms"].items():
    print(f"R[gvt,{l},{z}]={v['tiles_per_s']}; C[gvt,{l},{z}]={v['tiles_per_cpu_s']}")
EOF
)"
  for z in "${ZOOMS[@]}"; do
    python3 -c "import json,sys; json.dump(json.load(open(sys.argv[1]))['zooms'][sys.argv[2]]['stats'], open(sys.argv[3], 'w'))" \
      "$WORK/gvt.$l.json" "$z" "$WORK/gvt.stats.json"
    record geojson-vt "$l" "$z" "${R[gvt,$l,$z]}" "${C[gvt,$l,$z]}" "" "$WORK/gvt.stats.json"
  done
  rm -f "$WORK/$l.export.geojson"
done

# --- 4. cached: teselas vs nginx on the same tiles -----------------------------------------------
log "teselas cached vs nginx"
start_teselas --tile-cache-mb 1024
rm -rf "$WORK/static"
for l in "${LAYERS[@]}"; do
  for z in "${ZOOMS[@]}"; do
    sort -u "$(paths_file "$l" "$z")" | while read -r p; do
      mkdir -p "$WORK/static$(dirname "$p")"
      curl -s -o "$WORK/static$p" "$TS_BASE$p"   # fills teselas's cache and nginx's files
    done
  done
done
NGX_PORT=$(pg_free_port)
nginx_static_start "$WORK/nginx" "$WORK/static" "$NGX_PORT" "$N_THREADS"
PIDS+=("$NGX_PID")
for l in "${LAYERS[@]}"; do
  for z in "${ZOOMS[@]}"; do
    f=$(paths_file "$l" "$z")
    # both warmed alike (a short pass each), then ROUNDS rounds alternating the two: every cell
    # is measured the same number of times in the same run, and the medians are reported
    wrk -t2 -c32 -d1s -s "$ROOT/bench/tiles/cycle.lua" "$TS_BASE" -- "$f" >/dev/null
    wrk -t2 -c32 -d1s -s "$ROOT/bench/tiles/cycle.lua" "http://127.0.0.1:$NGX_PORT" -- "$f" >/dev/null
    for r in $(seq 1 "$ROUNDS"); do
      c0=$(cpu_s "$TS_PID")
      read -r rate p50 errs n < <(wrk_rate "$TS_BASE" "$f" 32)
      cr=$(per_cpu "$n" "$c0" "$(cpu_s "$TS_PID")")
      [ "$errs" = 0 ] || log "teselas cached $l z$z: $errs errors"
      record cached "$l" "$z" "$rate" "$cr" "$p50"
      c0=$(cpu_s "$NGX_PID")
      read -r rate2 p50 errs n < <(wrk_rate "http://127.0.0.1:$NGX_PORT" "$f" 32)
      cr2=$(per_cpu "$n" "$c0" "$(cpu_s "$NGX_PID")")
      [ "$errs" = 0 ] || log "nginx $l z$z: $errs errors"
      record nginx "$l" "$z" "$rate2" "$cr2" "$p50"
      log "  $l z$z round $r: teselas $rate ($cr per CPU s), nginx $rate2 ($cr2 per CPU s) tiles/s"
    done
  done
done
RSS_TESELAS_CACHED=$(rss_kb "$TS_PID")
stop_pid "$TS_PID"
stop_pid "$NGX_PID"

# --- the tables ------------------------------------------------------------------------------------
{
  echo "started: $LOG_START; ended: $(date -u +%Y-%m-%dT%H:%MZ) load $(cut -d' ' -f1-3 /proc/loadavg); machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GB"
  echo "command: bench/tiles/run.sh --seconds $SECONDS_PER_RUN --rounds $ROUNDS"
  echo "teselas $("$TESELAS" --version | head -1), $PG_VERSION, PostgreSQL $("${PSQL[0]}" --version | awk '{print $3}'), psycopg $($PY -c 'import psycopg; print(psycopg.__version__)'), geojson-vt $(node -p "require('$ROOT/bench/node_modules/geojson-vt/package.json').version"), vt-pbf $(node -p "require('$ROOT/bench/node_modules/vt-pbf/package.json').version"), $(nginx -v 2>&1 | cut -d' ' -f3), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  [ ${#PENDING[@]} -eq 0 ] || echo "pending (teselas import not available): ${PENDING[*]}"
  python3 "$ROOT/bench/tiles/summarize.py" "$RAW"
  echo "memory (peak RSS): teselas uncached $((RSS_TESELAS_UNCACHED / 1024)) MB, cached $((RSS_TESELAS_CACHED / 1024)) MB (1 GB cache allowed);" \
       "geojson-vt $(for l in "${LAYERS[@]}"; do printf '%s %d MB (load %ss) ' "$l" $((GVT_RSS[$l] / 1024)) "${GVT_LOAD[$l]}"; done)"
  echo "teselas first request per layer (builds the point pyramid of a clustered layer): $(for l in "${LAYERS[@]}"; do printf '%s %ss ' "$l" "${R[warm,$l]}"; done)"
} | tee "$WORK/tiles-results.txt"
