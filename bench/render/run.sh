#!/usr/bin/env bash
# bench/render/run.sh — raster tiles: teselas against Mapnik, same machine, same run, same tile
# list as the vector tiles benchmark (bench/tiles/tiles.txt, z 12, 14, 16, 300 tiles each,
# Gaussian around León's centre), same data (the León demo, 50,000 incidents), equivalent styles
# (bench/render/styles/bench.json and tests/mapnik/mapnik_maps.py bench_xml: León's geometry
# layers, incidents as circles at z16, no labels, no clusters).
#   teselas: `serve --tile-cache-mb 0` (no tile or image cache), wrk with 2 threads and 2
#            connections cycling the zoom's list for SECONDS; PNG bytes from one pass of the list.
#   Mapnik:  python3-mapnik in 2 processes, each rendering its half of the list for SECONDS;
#            PNG bytes of png32 (lossless, like ours) and of Mapnik's default png (png8,
#            quantized to 256 colours: lossy).
# Also reports teselas with styles/leon.json (labels, clusters) for reference.
#   bench/render/run.sh [--seconds N]  (default 8)
set -euo pipefail
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

rate() { # paths-file -> req/s
  wrk -t2 -c2 -d"${SECONDS_PER_RUN}s" -s "$ROOT/bench/tiles/cycle.lua" "$BASE" -- "$1" |
    awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "ERRORS " $0 > "/dev/stderr"}'
}
mean_bytes() { # paths-file -> mean bytes
  local total=0 n=0 b
  while read -r p; do
    b=$(curl -s -o /dev/null -w '%{size_download}' "$BASE$p"); total=$((total + b)); n=$((n + 1))
  done < "$1"
  echo $((total / n))
}
printf '%-4s %-22s %10s %12s\n' zoom renderer "tiles/s" "mean bytes"
for z in 12 14 16; do
  awk -v z=$z '$1 == z {print "/styles/bench/" $1 "/" $2 "/" $3 ".png"}' "$ROOT/bench/tiles/tiles.txt" > "$WORK/bench.z$z.txt"
  awk -v z=$z '$1 == z {print "/styles/leon/" $1 "/" $2 "/" $3 ".png"}' "$ROOT/bench/tiles/tiles.txt" > "$WORK/leon.z$z.txt"
  t=$(rate "$WORK/bench.z$z.txt"); tb=$(mean_bytes "$WORK/bench.z$z.txt")
  l=$(rate "$WORK/leon.z$z.txt"); lb=$(mean_bytes "$WORK/leon.z$z.txt")
  read -r m m32 m8 < <(/usr/bin/python3 "$ROOT/bench/render/mapnik_bench.py" "$DB" "$ROOT/bench/tiles/tiles.txt" $z "$SECONDS_PER_RUN")
  printf '%-4s %-22s %10s %12s\n' $z "teselas bench.json" "$t" "$tb"
  printf '%-4s %-22s %10s %12s\n' $z "mapnik png32" "$m" "$m32"
  printf '%-4s %-22s %10s %12s\n' $z "mapnik png (png8)" "-" "$m8"
  printf '%-4s %-22s %10s %12s\n' $z "teselas leon.json" "$l" "$lb"
done
