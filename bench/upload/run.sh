#!/usr/bin/env bash
# Cached tiles while a 1,000,000-row upload is imported, on this machine, in one run.
#   bench/upload/run.sh [BUILD_DIR]      (default build-bench-upload, a Release build made here)
# The server holds the SSP-CDMX police cuadrantes (tests/data); wrk (-t1 -c4, bench/tiles/
# cycle.lua) asks 40 of their tiles (z10-z14, in the tile cache after the first pass) for 30 s
# before, for as long as the import runs, and for 30 s after. The upload is 1,000,000 rows: the
# SSP-CDMX crime points of ../shared/data repeated with new ids, POSTed to
# /api/layers/delitos/versions with a publisher's token (exact crime locations: the version waits
# for review, imported whole all the same); its job runs on the server's one import thread, niced
# to 10 (tileserver/jobs/jobs.c). It is done twice: as shipped, and into a second layer with that
# thread set back to nice 0 (renice of its thread id) to see what the nice buys.
# Prints a Markdown table for bench/RESULTS.md; work files in bench/out/upload. SECS=N sets the
# before/after phases, N_ROWS=N the upload's rows (a short trial of the script).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build-bench-upload}
WORK=bench/out/upload
SECS=${SECS:-30}
N_ROWS=${N_ROWS:-1000000}
mkdir -p "$WORK"
CRIMES=../shared/data/cdmx-ssp-delitos/crime-lat-long.csv
[ -f "$CRIMES" ] || { echo "bench: $CRIMES is missing (the shared data beside the repository)"; exit 1; }
command -v wrk > /dev/null || { echo "bench: wrk is missing (scripts/install-deps.sh)"; exit 1; }
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$BUILD" = build-bench-upload ]; then
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release > /dev/null
  cmake --build "$BUILD" -j"$(nproc)" --target teselas > /dev/null
fi
T=$PWD/$BUILD/teselas

# 1,000,000 rows (N_ROWS)
UPLOAD=$WORK/delitos-$N_ROWS.csv
if [ ! -f "$UPLOAD" ]; then
  python3 - "$CRIMES" "$UPLOAD" "$N_ROWS" << 'EOF'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["lat"] != "NA"]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    for n in range(int(sys.argv[3])):
        w.writerow(dict(rows[n % len(rows)], id=n + 1))
EOF
fi

DB=$WORK/upload.db
rm -f "$DB" "$DB"-wal "$DB"-shm "$DB.audit"
"$T" import tests/data/cdmx-ssp/cuadrantes_shp.zip --db "$DB" --layer cuadrantes --privacy none --quiet > /dev/null
"$T" users add editor --db "$DB" --role publisher --layers delitos,delitos_b > /dev/null
TOKEN=$("$T" tokens add editor --db "$DB" 2> /dev/null)
"$T" serve --db "$DB" --port 0 --quiet 2> "$WORK/server.log" &
PID=$!
WRK=""
trap 'kill $PID 2> /dev/null || true; [ -z "$WRK" ] || kill $WRK 2> /dev/null || true' EXIT
for _ in $(seq 100); do
  PORT=$(sed -n 's|.*serving .* at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/server.log")
  [ -n "$PORT" ] && break
  sleep 0.1
done
B=http://127.0.0.1:$PORT
# 40 tiles with content at z10-z14 over the cuadrantes, asked once so they are in the cache
python3 - "$B" > "$WORK/tiles.txt" << 'EOF'
import json, math, sys, urllib.request
base = sys.argv[1]
feats = json.load(urllib.request.urlopen(base + "/collections/cuadrantes/items?limit=1000"))["features"]
seen = []
for z in range(10, 15):
    for f in feats[::7]:
        lon, lat = f["geometry"]["coordinates"][0][0][:2]
        n = 2 ** z
        t = (z, int((lon + 180) / 360 * n),
             int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))
        if t not in seen and len([s for s in seen if s[0] == z]) < 8:
            seen.append(t)
for z, x, y in seen:
    p = f"/tiles/cuadrantes/{z}/{x}/{y}.pbf"
    urllib.request.urlopen(base + p).read()
    print(p)
EOF

# wrk_stats FILE -> "req/s p50 p99 requests"
wrk_stats() {
  awk '/Requests\/sec/{r=$2} $1=="50%"{p50=$2} $1=="99%"{p99=$2} /requests in/{n=$1}
       END{print r, p50, p99, n}' "$1"
}
# niced_cpu: "TID CPU_TICKS" of every thread at nice 10 (the import thread and the usage flush),
# and of the import thread once found (it may have been set back to nice 0)
niced_cpu() {
  cat /proc/$PID/task/*/stat 2> /dev/null | awk -v j="$JOB_TID" '$19 == 10 || $1 == j {print $1, $14 + $15}'
}
JOB_TID=""
phase() {  # phase NAME SECONDS: wrk for SECONDS
  wrk -t1 -c4 -d"$2"s --latency -s bench/tiles/cycle.lua "$B" -- "$WORK/tiles.txt" > "$WORK/wrk-$1.txt"
}
during() {  # during NAME LAYER NICE: wrk for as long as the import of the 1M rows into LAYER runs
  local name=$1 layer=$2 nice=$3 t0 loc job
  niced_cpu > "$WORK/cpu0.txt"
  [ "$nice" = 10 ] || renice -n "$nice" -p "$JOB_TID" > /dev/null
  wrk -t1 -c4 -d3600s --latency -s bench/tiles/cycle.lua "$B" -- "$WORK/tiles.txt" > "$WORK/wrk-$name.txt" &
  WRK=$!
  t0=$(date +%s.%N)
  loc=$(curl -sf -o /dev/null -D - -H "Authorization: Bearer $TOKEN" --data-binary @"$UPLOAD" \
    "$B/api/layers/$layer/versions?filename=delitos.csv&privacy=none" \
    | sed -n 's/^Location: *\([^\r]*\)\r*$/\1/Ip')
  [ -n "$loc" ] || { echo "bench: the upload was refused"; exit 1; }
  while :; do
    job=$(curl -s -H "Authorization: Bearer $TOKEN" "$B$loc")
    case $(echo "$job" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])') in
      done | failed) break ;;
    esac
    sleep 0.5
  done
  ELAPSED=$(python3 -c "import sys; print('%.1f' % ($(date +%s.%N) - $t0))")
  kill -INT "$WRK"
  wait "$WRK" || true
  WRK=""
  # the import thread: the niced thread that used the most CPU meanwhile
  read -r JOB_TID CPU < <(niced_cpu | awk -v t="$(getconf CLK_TCK)" 'NR == FNR {c[$1] = $2; next}
    {d = $2 - c[$1]; if (d >= best) {best = d; tid = $1}} END {printf "%s %.1f\n", tid, best / t}' \
    "$WORK/cpu0.txt" -)
  echo "$name: $(echo "$job" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["state"], j.get("result"))'), thread $JOB_TID at nice $(awk '{print $19}' "/proc/$PID/task/$JOB_TID/stat"), $ELAPSED s, $CPU CPU s" >&2
  echo "$job" | grep -q '"result": *"\(published\|pending\)"' || { echo "bench: the import failed: $job"; exit 1; }
}

phase before "$SECS"
during during-nice10 delitos 10
E10=$ELAPSED C10=$CPU
phase after "$SECS"
during during-nice0 delitos_b 0
E0=$ELAPSED C0=$CPU
phase after-nice0 "$SECS"

echo
echo "Run $(date -u +%Y-%m-%d\ %H:%M) UTC, load average before $LOAD0, after $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| cached tiles (wrk -t1 -c4, 40 tiles) | req/s | p50 | p99 | requests | import wall s | import thread CPU s |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
row() {
  local s
  s=$(wrk_stats "$WORK/wrk-$4.txt")
  set -- "$1" "$2" "$3" $s
  echo "| $1 | $4 | $5 | $6 | $7 | $2 | $3 |"
}
row "before the upload" "" "" before
row "during the import (thread at nice 10, as shipped)" "$E10" "$C10" during-nice10
row "after" "" "" after
row "during the import (thread set to nice 0)" "$E0" "$C0" during-nice0
row "after" "" "" after-nice0
