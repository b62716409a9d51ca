#!/usr/bin/env bash
# bench/render/run.sh — raster tiles: teselas against Mapnik, same machine, same run, same tile
# list as the vector tiles benchmark (bench/tiles/tiles.txt, z 12, 14, 16, 300 tiles each,
# Gaussian around León's centre), same data (the León demo, 50,000 incidents), equivalent styles
# (bench/render/styles/bench.json and tests/mapnik/mapnik_maps.py bench_xml: León's geometry
# layers, incidents as circles at z16, no labels, no clusters).
#   teselas: `serve --tile-cache-mb 0` (no tile or image cache), wrk with 2 threads and 2
#            connections cycling the zoom's list for SECONDS; PNG bytes from one pass of the list.
#   Mapnik:  python3-mapnik in 2 processes, each rendering its half of the list for SECONDS;
#            PNG bytes of png32:z=3 (lossless, zlib level 3, like ours) and of Mapnik's default
#            png (png8, quantized to 256 colours: lossy).
# Both: tiles per second of wall clock, and tiles per CPU second (teselas's process; the Mapnik
# processes' own CPU time).
# Also reports teselas with styles/leon.json (labels, clusters) for reference.
#   bench/render/run.sh [--seconds N]  (default 8)
set -euo pipefail
# Debian's python3 (with psycopg and mapnik from bench/setup.sh), called directly: a version
# manager's shim costs a second a call on a loaded machine
python3() { /usr/bin/python3 "$@"; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$ROOT/bench/out/render
SECONDS_PER_RUN=8
[ "${1:-}" = --seconds ] && SECONDS_PER_RUN=$2
mkdir -p "$WORK"
for tool in wrk curl; do command -v $tool >/dev/null || { echo "run.sh: $tool missing (bench/setup.sh)" >&2; exit 1; }; done
/usr/bin/python3 -c "import mapnik" || { echo "run.sh: python3-mapnik missing" >&2; exit 1; }
TESELAS=${TESELAS:-}
if [ -z "$TESELAS" ]; then
  cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$ROOT/build-bench" -j"$(nproc)" --target teselas >/dev/null
  TESELAS=$ROOT/build-bench/teselas
fi
DB=$WORK/leon.db
[ -f "$DB" ] || "$TESELAS" demo --db "$DB" --build-only 2>/dev/null
"$TESELAS" serve --db "$DB" --port 0 --quiet --tile-cache-mb 0 --styles "$ROOT/bench/render/styles" \
  2>"$WORK/teselas.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
for _ in $(seq 1 100); do
  PORT=$(sed -n 's|.*serving .* at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/teselas.log")
  [ -n "$PORT" ] && break
  sleep 0.05
done
BASE=http://127.0.0.1:$PORT

cpu_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$PID/stat"; }
rate() { # paths-file -> "req/s tiles-per-CPU-s"
  local c0 out
  c0=$(cpu_ticks)
  out=$(wrk -t2 -c2 -d"${SECONDS_PER_RUN}s" -s "$ROOT/bench/tiles/cycle.lua" "$BASE" -- "$1")
  echo "$out" | grep -q Non-2xx && echo "ERRORS $(echo "$out" | grep Non-2xx)" >&2
  python3 -c "import os,sys; n,t=int(sys.argv[1]),int(sys.argv[2]); print(sys.argv[3], round(n / (t / os.sysconf('SC_CLK_TCK')), 1) if t else '-')" \
    "$(echo "$out" | awk '/requests in/ {print $1}')" "$(($(cpu_ticks) - c0))" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
}
mean_bytes() { # paths-file -> mean bytes
  local total=0 n=0 b
  while read -r p; do
    b=$(curl -s -o /dev/null -w '%{size_download}' "$BASE$p"); total=$((total + b)); n=$((n + 1))
  done < "$1"
  echo $((total / n))
}
echo "$(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg); bench/render/run.sh --seconds $SECONDS_PER_RUN"
printf '%-4s %-22s %10s %12s %12s\n' zoom renderer "tiles/s" "per CPU s" "mean bytes"
for z in 12 14 16; do
  awk -v z=$z '$1 == z {print "/styles/bench/" $1 "/" $2 "/" $3 ".png"}' "$ROOT/bench/tiles/tiles.txt" > "$WORK/bench.z$z.txt"
  awk -v z=$z '$1 == z {print "/styles/leon/" $1 "/" $2 "/" $3 ".png"}' "$ROOT/bench/tiles/tiles.txt" > "$WORK/leon.z$z.txt"
  tb=$(mean_bytes "$WORK/bench.z$z.txt")   # also the warm-up of teselas (Mapnik's: none needed,
  lb=$(mean_bytes "$WORK/leon.z$z.txt")    # it reads the same file, now in the page cache)
  read -r t tc < <(rate "$WORK/bench.z$z.txt")
  read -r l lc < <(rate "$WORK/leon.z$z.txt")
  read -r m mc m32 m8 < <(/usr/bin/python3 "$ROOT/bench/render/mapnik_bench.py" "$DB" "$ROOT/bench/tiles/tiles.txt" $z "$SECONDS_PER_RUN")
  printf '%-4s %-22s %10s %12s %12s\n' $z "teselas bench.json" "$t" "$tc" "$tb"
  printf '%-4s %-22s %10s %12s %12s\n' $z "mapnik png32:z=3" "$m" "$mc" "$m32"
  printf '%-4s %-22s %10s %12s %12s\n' $z "mapnik png (png8)" "-" "-" "$m8"
  printf '%-4s %-22s %10s %12s %12s\n' $z "teselas leon.json" "$l" "$lc" "$lb"
done
