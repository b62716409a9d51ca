#!/usr/bin/env bash
# Features API benchmark, on this machine, in one run:
#  1. bbox queries of ~100 features on a 1,000,000-point layer: wrk with a Lua script that cycles
#     through bboxes calibrated to hold 80..120 features; p50/p99 latency and requests/s;
#  2. the full GeoJSON download of that layer (curl to a file) against `ogr2ogr -f GeoJSON` of the
#     same SpatiaLite table, and the server's peak memory during the download;
#  3. GDAL's OGC API client copying the whole layer (ogr2ogr OAPIF -> GPKG, PAGE_SIZE=10000);
#  4. bbox pages (limit=100) at every box size, the boxes of the tile benchmark's list
#     (bench/tiles/tiles.txt, z8..z16, from the whole city to a block), against a pg_featureserv-
#     style server over PostGIS (bench/features/pgfs_peer.py: pg_featureserv's SQL, prepared, one
#     connection per process, one process per core): wrk -t1 -c2, latency and requests/s, and CPU
#     per request of each side (teselas; the peer's processes plus PostgreSQL's).
# Usage: bench/features/run.sh [N_POINTS] [SECONDS]   (default 1000000, 10 s per wrk run; work
# files in bench/out/features). PAGES_ONLY=1 runs step 4 alone (a few minutes once the database
# exists).
# Prints a Markdown block for bench/RESULTS.md.
set -euo pipefail
# Debian's python3 (with psycopg and mapnik from bench/setup.sh), called directly: a version
# manager's shim costs a second a call on a loaded machine
python3() { /usr/bin/python3 "$@"; }
cd "$(dirname "$0")/../.."
N=${1:-1000000}
SECS=${2:-10}
WORK=bench/out/features
BUILD=build-bench-features
mkdir -p "$WORK"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
command -v wrk >/dev/null || { echo "bench: installing wrk"; apt-get install -y -qq wrk >/dev/null; }

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target teselas >/dev/null
# the page cache as teselas's writer (64 MiB) for every ogr2ogr below
export OGR_SQLITE_CACHE=64
T=$BUILD/teselas
DB=$WORK/bench-$N.db
# rebuilt when written before rows were stored in curve order (no teselas_row column)
if [ -f "$DB" ] && [ "$(sqlite3 "$DB" "SELECT count(*) FROM teselas_layers l, pragma_table_info(l.table_name) c
                                      WHERE l.id = 'incidentes' AND c.name = 'teselas_row'")" != 1 ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
fi
[ -f "$DB" ] || "$T" demo --db "$DB" --build-only --incidents "$N" >/dev/null 2>&1
TABLE=$(sqlite3 "$DB" "SELECT table_name FROM teselas_layers WHERE id = 'incidentes'")

"$T" serve --db "$DB" --port 0 --quiet 2>"$WORK/server.log" &
PID=$!
# shellcheck source=../../tests/postgis/lib.sh
source tests/postgis/lib.sh
PEER_PID=""
trap 'kill $PID 2>/dev/null || true; [ -z "$PEER_PID" ] || kill $PEER_PID 2>/dev/null || true; pg_stop' EXIT
for _ in $(seq 100); do
  PORT=$(sed -n 's|.*serving .* at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/server.log")
  [ -n "$PORT" ] && break
  sleep 0.05
done
B=http://127.0.0.1:$PORT
# CPU seconds (user + system) the server has used so far: steadier than wall time on a shared box.
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / t}' /proc/$PID/stat; }
TIMEFORMAT='%R %U %S'

C=$(nproc)   # wrk connections: one request in flight per core
if [ -z "${PAGES_ONLY:-}" ]; then   # steps 1-3 (not indented: one block, skipped as a whole)
# ---- 1. bbox queries of ~100 features --------------------------------------------------------
python3 - "$B" > "$WORK/bboxes.lua" <<'EOF'
import json, random, sys, urllib.request
base = sys.argv[1]
rng = random.Random(42)
boxes, tries = [], 0
while len(boxes) < 200 and tries < 5000:
    tries += 1
    lon, lat = -101.68 + rng.uniform(-0.08, 0.08), 21.12 + rng.uniform(-0.06, 0.06)
    half = 0.002
    for _ in range(12):  # bisect the half-size until the box holds 80..120 points
        b = "%.5f,%.5f,%.5f,%.5f" % (lon - half, lat - half, lon + half, lat + half)
        # numberMatched is left out above 1,000: such a box is too large
        n = json.load(urllib.request.urlopen("%s/collections/incidentes/items?limit=1&bbox=%s" % (base, b))).get("numberMatched", 10 ** 6)
        if 80 <= n <= 120:
            boxes.append(b)
            break
        half *= (100.0 / max(n, 1)) ** 0.5 if n else 2
print("local boxes = {%s}" % ",".join('"%s"' % b for b in boxes))
print("""local i = 0
request = function()
  i = i % #boxes + 1
  return wrk.format("GET", "/collections/incidentes/items?bbox=" .. boxes[i])
end""")
EOF
# wrk shares the machine with the server: one wrk thread. Latency with one request in flight per
# core (-c = cores); throughput at saturation (-c16), where latency is mostly queueing.
wrk -t1 -c4 -d3s -s "$WORK/bboxes.lua" "$B" >/dev/null   # warm-up
CPU0=$(cpu_s)
wrk -t1 -c"$C" -d20s --latency -s "$WORK/bboxes.lua" "$B" > "$WORK/wrk-latency.txt"
CPU1=$(cpu_s)
NREQ=$(awk '/requests in/{print $1}' "$WORK/wrk-latency.txt")
CPU_REQ=$(echo "scale=3; ($CPU1 - $CPU0) * 1000 / $NREQ" | bc)
wrk -t1 -c16 -d20s --latency -s "$WORK/bboxes.lua" "$B" > "$WORK/wrk-throughput.txt"
P50=$(awk '$1=="50%"{print $2}' "$WORK/wrk-latency.txt")
P99=$(awk '$1=="99%"{print $2}' "$WORK/wrk-latency.txt")
RPS1=$(awk '/Requests\/sec/{print $2}' "$WORK/wrk-latency.txt")
P99S=$(awk '$1=="99%"{print $2}' "$WORK/wrk-throughput.txt")
RPS=$(awk '/Requests\/sec/{print $2}' "$WORK/wrk-throughput.txt")
NBOX=$(grep -o '"[-0-9.,]*"' "$WORK/bboxes.lua" | wc -l)

# ---- 2. full download vs ogr2ogr -----------------------------------------------------------
rm -f "$WORK/dl.geojson" "$WORK/ogr.geojson"
# The server's heap (RssAnon) sampled during the download: the readers mmap the database, so
# file pages show in RSS, but they are the kernel's page cache, not memory the download holds.
ANON0=$(awk '/RssAnon/{print $2}' /proc/$PID/status)
rm -f "$WORK/dl.done"
( max=0; while kill -0 $PID 2>/dev/null && [ ! -f "$WORK/dl.done" ]; do
    a=$(awk '/RssAnon/{print $2}' /proc/$PID/status); [ "$a" -gt "$max" ] && max=$a; sleep 0.02
  done; echo "$max" > "$WORK/anon.max" ) &
SAMPLER=$!
CPU0=$(cpu_s)
S=$(date +%s.%N)
curl -sf -o "$WORK/dl.geojson" "$B/collections/incidentes/download.geojson"
DL=$(echo "$(date +%s.%N) - $S" | bc)
DL_CPU=$(echo "$(cpu_s) - $CPU0" | bc)
touch "$WORK/dl.done"
wait $SAMPLER
ANON1=$(cat "$WORK/anon.max")
{ time ogr2ogr -f GeoJSON "$WORK/ogr.geojson" "$DB" "$TABLE"; } 2> "$WORK/ogr.time"
OGR=$(awk '{print $1}' "$WORK/ogr.time")
OGR_CPU=$(awk '{print $2 + $3}' "$WORK/ogr.time")
NDL=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['features']))" "$WORK/dl.geojson")
SZDL=$(du -m "$WORK/dl.geojson" | cut -f1)
SZOGR=$(du -m "$WORK/ogr.geojson" | cut -f1)

# ---- 3. GDAL's OAPIF client, whole layer ------------------------------------------------------
rm -f "$WORK/oapif.gpkg"
S=$(date +%s.%N)
ogr2ogr -f GPKG "$WORK/oapif.gpkg" "OAPIF:$B/" incidentes -oo PAGE_SIZE=10000
OAPIF=$(echo "$(date +%s.%N) - $S" | bc)
NOAPIF=$(sqlite3 "$WORK/oapif.gpkg" "SELECT count(*) FROM incidentes")
NEQ=$(sqlite3 -cmd ".load mod_spatialite" "$DB" "ATTACH '$WORK/oapif.gpkg' AS o;
  SELECT count(*) FROM \"$TABLE\" s JOIN o.incidentes d ON d.fid = s.fid
  WHERE s.tipo IS d.tipo AND s.fecha IS d.fecha AND s.hora IS d.hora
    AND ST_Equals(s.geom, GeomFromGPB(d.geom))")
fi

# ---- 4. bbox pages at every box size, against a pg_featureserv-style server over PostGIS -------
# tree_cpu PID: CPU seconds of PID and all its descendants, live and reaped (PostgreSQL backends;
# the peer's forked workers, grandchildren of the background job's shell)
tree_cpu() {
  local total=0 p todo=("$1")
  while [ ${#todo[@]} -gt 0 ]; do
    p=${todo[0]}; todo=("${todo[@]:1}")
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{sub(/^.*\) /, ""); print $12 + $13 + $14 + $15}' "/proc/$p/stat")))
    todo+=($(ps -o pid= --ppid "$p"))
  done
  echo "scale=3; $total / $(getconf CLK_TCK)" | bc
}
# wrk_stats BASE PATHS -> "req/s p50 p99 requests"
wrk_stats() {
  wrk -t1 -c"$C" -d"${SECS}s" --latency -s bench/tiles/cycle.lua "$1" -- "$2" > "$WORK/wrk.out"
  python3 - "$WORK/wrk.out" <<'EOF2'
import re, sys
t = open(sys.argv[1]).read()
ms = lambda m: float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]  # noqa: E731
p = {k: ms(re.search(k + r"%\s+([0-9.]+)(us|ms|s)\b", t)) for k in ("50", "99")}
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
if bad:
    sys.exit("wrk: %s errors" % bad.group(1))
print("%s %.2f %.2f %s" % (re.search(r"Requests/sec:\s+([0-9.]+)", t).group(1), p["50"], p["99"],
                           re.search(r"(\d+) requests in", t).group(1)))
EOF2
}
PG_SHARED_BUFFERS=1GB pg_start
pg_load_layers "$DB" incidentes
# PostgreSQL quiet and warm, as teselas is: without the VACUUM, the autovacuum of the freshly copied
# million rows and the hint bits its first readers set ran during the measured runs and moved the
# peer's CPU per request 0.5-4 ms between zooms and runs; then table and indexes in shared_buffers.
"${PSQL[@]}" -c "VACUUM (FREEZE, ANALYZE) incidentes" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" >/dev/null
"${PSQL[@]}" -At -c "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c WHERE c.relname = 'incidentes'
  OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'incidentes'::regclass)" >/dev/null
PEER_PORT=$(pg_free_port)
FIELDS=$(pg_layer_fields "$DB" incidentes)
python3 bench/features/pgfs_peer.py "$PEER_PORT" "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres" \
  incidentes "$FIELDS" "$C" 2>"$WORK/peer.log" &
PEER_PID=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$PEER_PORT/x?bbox=0,0,1,1" && break; sleep 0.1; done
PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
declare -a SIZE_ROWS
for z in 8 10 12 14 16; do
  # the list's boxes of zoom z, each as a bbox query of 100 features (repeats kept: the same list)
  python3 - "$z" > "$WORK/bbox.z$z.txt" <<'EOF2'
import math, sys
z = int(sys.argv[1])
def lon(x): return x / 2 ** z * 360 - 180
def lat(y): return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2 ** z))))
for line in open("bench/tiles/tiles.txt"):
    tz, x, y = map(int, line.split())
    if tz == z:
        print("/collections/incidentes/items?bbox=%.6f,%.6f,%.6f,%.6f&limit=100" % (lon(x), lat(y + 1), lon(x + 1), lat(y)))
EOF2
  # what each side answers for the list's distinct boxes: features and bytes per page
  read -r MATCH TF TB PF PB < <(sort -u "$WORK/bbox.z$z.txt" | python3 -c "
import json, sqlite3, sys, urllib.request, urllib.parse
db = sqlite3.connect(sys.argv[1]); m = tf = tb = pf = pb = n = 0
for path in sys.stdin.read().split():
    b = [float(v) for v in urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)['bbox'][0].split(',')]
    m += db.execute('SELECT count(*) FROM \"idx_' + sys.argv[2] + '_geom\" WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?', (b[2], b[0], b[3], b[1])).fetchone()[0]
    t = urllib.request.urlopen(sys.argv[3] + path).read(); p = urllib.request.urlopen(sys.argv[4] + path).read()
    tf += len(json.loads(t)['features']); tb += len(t); pf += len(json.loads(p)['features']); pb += len(p); n += 1
print(m // n, tf / n, tb // n, pf / n, pb // n)" "$DB" "$TABLE" "$B" "http://127.0.0.1:$PEER_PORT")
  wrk -t1 -c"$C" -d2s -s bench/tiles/cycle.lua "$B" -- "$WORK/bbox.z$z.txt" >/dev/null   # warm-up, both alike
  wrk -t1 -c"$C" -d2s -s bench/tiles/cycle.lua "http://127.0.0.1:$PEER_PORT" -- "$WORK/bbox.z$z.txt" >/dev/null
  # background CPU of each side (PostgreSQL's checkpointer, walwriter, autovacuum launcher...)
  # over an idle period as long as a run, subtracted from that side's run below
  i0=$(cpu_s); j0=$(tree_cpu "$PEER_PID"); k0=$(tree_cpu "$PG_PID")
  sleep "$SECS"
  TIDLE=$(echo "$(cpu_s) - $i0" | bc); PYIDLE=$(echo "$(tree_cpu "$PEER_PID") - $j0" | bc)
  PGIDLE=$(echo "$(tree_cpu "$PG_PID") - $k0" | bc)
  c0=$(cpu_s)
  read -r TR TP50 TP99 TN < <(wrk_stats "$B" "$WORK/bbox.z$z.txt")
  TCPU=$(echo "scale=3; ($(cpu_s) - $c0 - $TIDLE) * 1000 / $TN" | bc)
  j0=$(tree_cpu "$PEER_PID"); k0=$(tree_cpu "$PG_PID")
  read -r PR PP50 PP99 PN < <(wrk_stats "http://127.0.0.1:$PEER_PORT" "$WORK/bbox.z$z.txt")
  sleep 0.2
  # the peer's CPU split: its Python processes (HTTP, JSON) and PostgreSQL's (the query)
  PYCPU=$(echo "scale=3; ($(tree_cpu "$PEER_PID") - $j0 - $PYIDLE) * 1000 / $PN" | bc)
  PGCPU=$(echo "scale=3; ($(tree_cpu "$PG_PID") - $k0 - $PGIDLE) * 1000 / $PN" | bc)
  PCPU=$(echo "scale=3; $PYCPU + $PGCPU" | bc)
  SIZE_ROWS+=("| z$z tile ($(printf "%'d" "$MATCH") points in the box) | $TR req/s, p50 $TP50 ms, p99 $TP99 ms, $TCPU ms CPU ($TN requests); $TF features, $TB B | $PR req/s, p50 $PP50 ms, p99 $PP99 ms, $PCPU ms CPU = $PGCPU PostgreSQL + $PYCPU Python ($PN requests); $PF features, $PB B | $(echo "scale=1; $TR / $PR" | bc)x ($(echo "scale=1; $PCPU / $TCPU" | bc)x; PostgreSQL alone $(echo "scale=1; $PGCPU / $TCPU" | bc)x) |")
  echo "bbox z$z: teselas $TR req/s p99 $TP99 ms; peer $PR req/s p99 $PP99 ms" >&2
done
pkill -P "$PEER_PID" 2>/dev/null || true
kill "$PEER_PID" 2>/dev/null || true
PEER_PID=""
PG_VERSION=$("${PSQL[@]}" -At -c "SELECT split_part(version(), ' ', 2) || ', PostGIS ' || postgis_lib_version()")
pg_stop

cat <<EOF
### $(date -u +%Y-%m-%d) — $N points, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end
Command: \`${PAGES_ONLY:+PAGES_ONLY=1 }bench/features/run.sh $N $SECS\` (Release build, \`serve --quiet\`, one worker per core).
EOF
[ -n "${PAGES_ONLY:-}" ] || cat <<EOF

| measure | teselas | peer |
| --- | --- | --- |
| bbox query, ~100 features ($NBOX boxes of 80–120 points), wrk -t1 -c$C -d20s | p50 $P50, p99 $P99 ($RPS1 req/s); server CPU $CPU_REQ ms per request | — |
| same, saturated: wrk -t1 -c16 -d20s | $RPS req/s, p99 $P99S | — |
| full GeoJSON download of $NDL points | $(printf '%.2f' "$DL") s wall, $DL_CPU s server CPU (curl to a file, $SZDL MB) | ogr2ogr -f GeoJSON: $OGR s wall, $OGR_CPU s CPU ($SZOGR MB) |
| server heap (RssAnon) before → peak during the download | $((ANON0 / 1024)) MB → $((ANON1 / 1024)) MB | — |
| GDAL OAPIF client, whole layer → GPKG (PAGE_SIZE=10000) | $(printf '%.1f' "$OAPIF") s, $NOAPIF features, $NEQ equal to the source | — |
EOF
cat <<EOF

bbox pages at every box size (\`/collections/incidentes/items?bbox=<tile>&limit=100\`, the 300 tiles of
each zoom of bench/tiles/tiles.txt, wrk -t1 -c$C -d${SECS}s after a 2 s warm-up of each side; CPU per
request: teselas's process, and the peer's processes plus PostgreSQL $PG_VERSION's, each side less its
own CPU over an idle ${SECS} s just before). Peer: bench/features/pgfs_peer.py, pg_featureserv's SQL over
a GiST-indexed 4326 column, prepared, one send per answer with TCP_NODELAY; PostgreSQL vacuumed,
frozen and prewarmed.

| box | teselas | pg_featureserv-style peer | ratio req/s (CPU per request) |
| --- | --- | --- | --- |
$(printf '%s\n' "${SIZE_ROWS[@]}")
EOF
