#!/usr/bin/env bash
# bench/tiles/run.sh — vector tiles: teselas against its peers, same machine, same run, same tile
# list (bench/tiles/tiles.txt: z 8, 10, 12, 14, 16, 300 tiles each, Gaussian around León's centre).
#
# Data: `teselas demo --incidents 1000000` (points) + 20,000 park polygons and 5,000 water lines
# from bench/tiles/gen_data.py, loaded with `teselas import`. Peers:
#   1. teselas uncached (--tile-cache-mb 0) over HTTP: wrk, 2 threads, 2 connections (as many
#      clients as PostGIS gets, one per core), cycling
#      the tile list of one layer and zoom;
#   2. PostGIS ST_AsMVT(ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(z, x, y), 4096,
#      64, true)) with every attribute (the SQL of Martin and pg_tileserv), 2 psql sessions in
#      parallel each running its half of the list, uncached (tests/postgis/lib.sh starts a private
#      cluster on a loopback port);
#   3. geojson-vt + vt-pbf in node (bench/tiles/gvt.mjs): tiles/s after loading, and its memory;
#   4. teselas cached (tiles fetched once first) vs nginx serving the same tiles as static files:
#      wrk, 2 threads, 32 connections.
# Prints a table and writes bench/out/tiles-results.json. Needs bench/setup.sh first.
#
#   bench/tiles/run.sh [--seconds N]   (N: length of each wrk run, default 8; PostGIS and
#                                       geojson-vt get 2.5 N per layer and zoom, at most)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$ROOT/bench/out
SECONDS_PER_RUN=8
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    *) echo "usage: bench/tiles/run.sh [--seconds N]" >&2; exit 2 ;;
  esac
done
SLOW_BUDGET=$(( SECONDS_PER_RUN * 5 / 2 ))
LAYERS=(incidentes parques-bench agua-bench)
ZOOMS=(8 10 12 14 16)
TILES=$ROOT/bench/tiles/tiles.txt
mkdir -p "$WORK"
for tool in wrk nginx node psql ogr2ogr; do
  command -v $tool >/dev/null || { echo "run.sh: $tool missing: run bench/setup.sh" >&2; exit 1; }
done
[ -d "$ROOT/bench/node_modules/geojson-vt" ] || { echo "run.sh: run bench/setup.sh" >&2; exit 1; }
# shellcheck source=../../tests/postgis/lib.sh
source "$ROOT/tests/postgis/lib.sh"
# shellcheck source=nginx.sh
source "$ROOT/bench/tiles/nginx.sh"

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  pg_stop
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
log() { echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $*" >&2; }

# --- build (release) and data ------------------------------------------------------------------
TESELAS=${TESELAS:-}
if [ -z "$TESELAS" ]; then
  cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$ROOT/build-bench" -j"$(nproc)" --target teselas >/dev/null
  TESELAS=$ROOT/build-bench/teselas
fi
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

rss_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# cpu_s PID: CPU seconds (user + system) of PID, of its live children, and of the children it
# has reaped (PostgreSQL backends that exited, counted in the postmaster's cutime/cstime). The
# machine is shared, so wall-clock rates are noisy; tiles per CPU second are the steadier figure.
cpu_s() {
  local pids total=0 p
  pids="$1 $(ps -o pid= --ppid "$1" | tr '\n' ' ')"
  for p in $pids; do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{sub(/^.*\) /, ""); print $12 + $13 + $14 + $15}' "/proc/$p/stat")))
  done
  python3 -c "import os,sys; print(int(sys.argv[1]) / os.sysconf('SC_CLK_TCK'))" "$total"
}
per_cpu() { python3 -c "import sys; n,a,b=map(float,sys.argv[1:]); print(f'{n/(b-a):.1f}' if b>a else '-')" "$@"; }

# wrk_rate BASE PATHS CONNECTIONS -> "req/s p50_ms errors requests"
wrk_rate() {
  local out
  out=$(wrk -t2 -c"$3" -d"${SECONDS_PER_RUN}s" --latency -s "$ROOT/bench/tiles/cycle.lua" "$1" -- "$2")
  python3 - "$out" <<'EOF'
import re, sys
t = sys.argv[1]
rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", t).group(1))
m = re.search(r"50%\s+([0-9.]+)(us|ms|s)\b", t)
p50 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else -1
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
n_err = (int(bad.group(1)) if bad else 0) + (sum(map(int, errs.groups())) if errs else 0)
total = int(re.search(r"(\d+) requests in", t).group(1))
print(f"{rate:.1f} {p50:.2f} {n_err} {total}")
EOF
}

declare -A R   # results: R[peer,layer,zoom] = tiles/s
declare -A P50 # median latency (ms)
declare -A BYTES
declare -A C   # tiles per CPU second of the server (teselas, PostgreSQL, node, nginx)

# --- 1. teselas, uncached -----------------------------------------------------------------------
log "teselas uncached ($N_THREADS worker threads)"
start_teselas --tile-cache-mb 0
for l in "${LAYERS[@]}"; do
  # the first request of a clustered layer version builds its point pyramid: timed apart
  t0=$(date +%s.%N)
  curl -s -o /dev/null "$TS_BASE/tiles/$l/8/55/112.pbf"
  R[warm,$l]=$(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 3))" "$t0" "$(date +%s.%N)")
  for z in "${ZOOMS[@]}"; do
    f=$(paths_file "$l" "$z")
    # mean tile size (uncompressed) over the list
    BYTES[$l,$z]=$(sort -u "$f" | while read -r p; do curl -s -o /dev/null -w '%{size_download}\n' "$TS_BASE$p"; done |
      awk '{s += $1; n++} END {printf "%d", n ? s / n : 0}')
    c0=$(cpu_s "$TS_PID")
    read -r rate p50 errs n < <(wrk_rate "$TS_BASE" "$f" 2)
    C[teselas,$l,$z]=$(per_cpu "$n" "$c0" "$(cpu_s "$TS_PID")")
    [ "$errs" = 0 ] || log "teselas uncached $l z$z: $errs errors"
    R[teselas,$l,$z]=$rate; P50[teselas,$l,$z]=$p50
    log "  $l z$z: $rate tiles/s, ${C[teselas,$l,$z]} per CPU s (p50 $p50 ms, mean ${BYTES[$l,$z]} B)"
  done
done
RSS_TESELAS_UNCACHED=$(rss_kb "$TS_PID")
stop_pid "$TS_PID"

# --- 2. PostGIS ST_AsMVT -------------------------------------------------------------------------
log "PostGIS: loading"
PG_SHARED_BUFFERS=1GB pg_start
pg_load_layers "$DB" "${LAYERS[@]}"
PG_VERSION=$("${PSQL[@]}" -At -c "SELECT postgis_full_version()" | grep -o 'POSTGIS="[^"]*"' | head -1)
for l in "${LAYERS[@]}"; do
  cols=$(sqlite3 "$DB" "SELECT fields FROM teselas_layers WHERE id = '$l'" |
    python3 -c "import json,sys; print(','.join(f['name'] for f in json.load(sys.stdin)))")
  for z in "${ZOOMS[@]}"; do
    for c in 0 1; do
      { echo '\timing on'; echo '\o /dev/null'
        awk -v z="$z" -v c="$c" '$1 == z && (NR % 2) == c { print $2, $3 }' "$TILES" |
          while read -r x y; do echo "$(pg_tile_sql "$z" "$x" "$y" 64 "$l:$cols");"; done
      } > "$WORK/pg.$c.sql"
    done
    PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
    c0=$(cpu_s "$PG_PID")
    t0=$(date +%s.%N)
    for c in 0 1; do
      timeout "$SLOW_BUDGET" "${PSQL[@]}" -At -f "$WORK/pg.$c.sql" > "$WORK/pg.$c.out" 2>&1 &
    done
    wait || true
    t1=$(date +%s.%N)
    read -r rate p50 < <(python3 - "$t0" "$t1" "$WORK"/pg.0.out "$WORK"/pg.1.out <<'EOF'
import re, statistics, sys
t0, t1 = float(sys.argv[1]), float(sys.argv[2])
times = [float(m) for p in sys.argv[3:] for m in re.findall(r"^Time: ([0-9.]+) ms", open(p).read(), re.M)]
print(f"{len(times) / (t1 - t0):.1f} {statistics.median(times) if times else -1:.2f}")
EOF
)
    n=$(cat "$WORK"/pg.0.out "$WORK"/pg.1.out | grep -c '^Time:' || true)
    sleep 0.2   # let the postmaster reap the two backends, so their CPU time is counted
    C[postgis,$l,$z]=$(per_cpu "$n" "$c0" "$(cpu_s "$PG_PID")")
    R[postgis,$l,$z]=$rate; P50[postgis,$l,$z]=$p50
    log "  $l z$z: $rate tiles/s, ${C[postgis,$l,$z]} per CPU s (p50 $p50 ms)"
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
    c0=$(cpu_s "$TS_PID")
    read -r rate p50 errs n < <(wrk_rate "$TS_BASE" "$f" 32)
    C[cached,$l,$z]=$(per_cpu "$n" "$c0" "$(cpu_s "$TS_PID")")
    [ "$errs" = 0 ] || log "teselas cached $l z$z: $errs errors"
    R[cached,$l,$z]=$rate; P50[cached,$l,$z]=$p50
    c0=$(cpu_s "$NGX_PID")
    read -r rate p50 errs n < <(wrk_rate "http://127.0.0.1:$NGX_PORT" "$f" 32)
    C[nginx,$l,$z]=$(per_cpu "$n" "$c0" "$(cpu_s "$NGX_PID")")
    [ "$errs" = 0 ] || log "nginx $l z$z: $errs errors"
    R[nginx,$l,$z]=$rate; P50[nginx,$l,$z]=$p50
    log "  $l z$z: teselas ${R[cached,$l,$z]} (${C[cached,$l,$z]} per CPU s), nginx $rate (${C[nginx,$l,$z]} per CPU s) tiles/s"
  done
done
RSS_TESELAS_CACHED=$(rss_kb "$TS_PID")
stop_pid "$TS_PID"
stop_pid "$NGX_PID"

# --- the table -------------------------------------------------------------------------------------
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GB  load now: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "teselas $("$TESELAS" --version | head -1), $PG_VERSION, PostgreSQL $("${PSQL[0]}" --version | awk '{print $3}'), geojson-vt $(node -p "require('$ROOT/bench/node_modules/geojson-vt/package.json').version"), vt-pbf $(node -p "require('$ROOT/bench/node_modules/vt-pbf/package.json').version"), $(nginx -v 2>&1 | cut -d' ' -f3), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  [ ${#PENDING[@]} -eq 0 ] || echo "pending (teselas import not available): ${PENDING[*]}"
  printf '%-14s %3s %9s | %9s %9s %7s | %9s %7s | %9s %9s %6s\n' layer z "mean B" teselas PostGIS ratio \
    gjvt ratio cached nginx "%"
  for l in "${LAYERS[@]}"; do
    for z in "${ZOOMS[@]}"; do
      python3 - "$l" "$z" "${BYTES[$l,$z]}" "${R[teselas,$l,$z]}" "${R[postgis,$l,$z]}" \
        "${R[gvt,$l,$z]:-0}" "${R[cached,$l,$z]}" "${R[nginx,$l,$z]}" <<'EOF'
import sys
l, z, b, t, p, g, c, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), *map(float, sys.argv[4:])
r = lambda a, b: f"{a / b:.1f}x" if b > 0 else "-"  # noqa: E731
print(f"{l:<14} {z:>3} {b:>9} | {t:>9.1f} {p:>9.1f} {r(t, p):>7} | {g:>9.1f} {r(t, g):>7} | "
      f"{c:>9.0f} {n:>9.0f} {100 * c / n:>5.0f}%")
EOF
    done
  done
  echo "tiles per CPU second of the server process(es) (steadier than tiles/s on a shared machine):"
  printf '%-14s %3s | %9s %9s %7s | %9s %7s | %9s %9s %6s\n' layer z teselas PostGIS ratio gjvt ratio cached nginx "%"
  for l in "${LAYERS[@]}"; do
    for z in "${ZOOMS[@]}"; do
      python3 - "$l" "$z" "${C[teselas,$l,$z]}" "${C[postgis,$l,$z]}" "${C[gvt,$l,$z]:-0}" \
        "${C[cached,$l,$z]}" "${C[nginx,$l,$z]}" <<'EOF'
import sys
f = lambda v: float(v) if v not in ("-", "") else 0.0  # noqa: E731
l, z, t, p, g, c, n = sys.argv[1], sys.argv[2], *map(f, sys.argv[3:])
r = lambda a, b: f"{a / b:.1f}x" if b > 0 else "-"  # noqa: E731
print(f"{l:<14} {z:>3} | {t:>9.1f} {p:>9.1f} {r(t, p):>7} | {g:>9.1f} {r(t, g):>7} | "
      f"{c:>9.0f} {n:>9.0f} {100 * c / n if n else 0:>5.0f}%")
EOF
    done
  done
  echo "memory (peak RSS): teselas uncached $((RSS_TESELAS_UNCACHED / 1024)) MB, cached $((RSS_TESELAS_CACHED / 1024)) MB (1 GB cache allowed);" \
       "geojson-vt $(for l in "${LAYERS[@]}"; do printf '%s %d MB (load %ss) ' "$l" $((GVT_RSS[$l] / 1024)) "${GVT_LOAD[$l]}"; done)"
  echo "teselas first request per layer (builds the point pyramid of a clustered layer): $(for l in "${LAYERS[@]}"; do printf '%s %ss ' "$l" "${R[warm,$l]}"; done)"
  echo "median latency ms (teselas uncached / PostGIS): $(for l in "${LAYERS[@]}"; do for z in "${ZOOMS[@]}"; do printf '%s z%s %s/%s; ' "$l" "$z" "${P50[teselas,$l,$z]}" "${P50[postgis,$l,$z]}"; done; done)"
} | tee "$WORK/tiles-results.txt"
