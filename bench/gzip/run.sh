#!/usr/bin/env bash
# bench/gzip/run.sh — the server's gzip'd responses: server CPU per request for tiles built and
# compressed per request (tile cache off) and for item pages (compressed per request), every
# request with Accept-Encoding: gzip. For a change to the response path (core/gzip.c): give it
# several binaries (before and after) and it measures them in one run, round after round, the
# order turning each round so a drift of the machine's load does not favour one; it prints per
# binary and case the median requests/s, CPU microseconds per request (the server's own process)
# and bytes per response, and each binary's CPU per request against the first binary's.
#
#   bench/gzip/run.sh [--seconds N] [--rounds R] BINARY...
#
# Data: bench/tiles/gen_data.py (5,000 parks, 2,000 lines; deterministic), imported once by the
# first binary; tiles: the z14 addresses of bench/tiles/tiles.txt. wrk 2 threads, 8 connections.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
SECS=5
ROUNDS=5
BINS=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -*) echo "usage: bench/gzip/run.sh [--seconds N] [--rounds R] BINARY..." >&2; exit 2 ;;
    *) BINS+=("$(realpath "$1")"); shift ;;
  esac
done
[ ${#BINS[@]} -gt 0 ] || BINS=("$ROOT/build/teselas")
for tool in wrk curl python3; do
  command -v $tool >/dev/null || { echo "gzip/run.sh: $tool missing: run bench/setup.sh" >&2; exit 1; }
done
RUN=$(mktemp -d)
PIDS=()
bench_on_exit rm -rf "$RUN"
load() { cut -d' ' -f1-3 /proc/loadavg; }

python3 "$ROOT/bench/tiles/gen_data.py" "$RUN" --parks 5000 --lines 2000 >/dev/null
"${BINS[0]}" import "$RUN/parques-bench.geojson" --db "$RUN/b.db" --layer parques-bench >/dev/null
awk '$1 == 14 { print "/tiles/parques-bench/" $1 "/" $2 "/" $3 ".pbf" }' \
  "$ROOT/bench/tiles/tiles.txt" > "$RUN/tiles.paths"
for o in $(seq 0 100 4900); do echo "/collections/parques-bench/items?limit=100&offset=$o"; done \
  > "$RUN/items.paths"
CASES="tiles items"

# every binary serving the same database, no tile cache: each tile is built and gzip'd per request
BASES=()
SPIDS=()
for i in "${!BINS[@]}"; do
  bench_serve gzip/run.sh "${BINS[$i]}" "$RUN/teselas.$i.log" --db "$RUN/b.db" --tile-cache-mb 0
  for c in $CASES; do # warm alike: every path once; and the answers must be gzip
    while read -r p; do
      curl -sf -o /dev/null -H "Accept-Encoding: gzip" "${BASES[$i]}$p"
    done < "$RUN/$c.paths"
    enc=$(curl -sf -D - -o /dev/null -H "Accept-Encoding: gzip" "${BASES[$i]}$(head -1 "$RUN/$c.paths")" |
          tr -d '\r' | sed -n 's/^[Cc]ontent-[Ee]ncoding: //p')
    [ "$enc" = gzip ] || { echo "gzip/run.sh: $c not gzip'd by ${BINS[$i]}" >&2; exit 1; }
  done
done

# rate BASE PATHS PID -> "requests/s CPU-us/request bytes/response"
rate() {
  local out t0 t1
  t0=$(bench_ticks "$3")
  out=$(bench_wrk gzip/run.sh "$1" "$2" -t2 -c8 -d"${SECS}s" -H "Accept-Encoding: gzip")
  t1=$(bench_ticks "$3")
  python3 - "$out" "$t0" "$t1" <<'PY'
import os, re, sys
out, t0, t1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
n = int(re.search(r"(\d+) requests in", out).group(1))
m = re.search(r"requests in [^,]+, ([0-9.]+)([KMG]?B) read", out)
size = float(m.group(1)) * {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}[m.group(2)]
cpu = (t1 - t0) / os.sysconf("SC_CLK_TCK")
print(f"{rate:.0f} {1e6 * cpu / n:.1f} {size / n:.0f}")
PY
}

echo "gzip/run.sh: ${#BINS[@]} binaries, $ROUNDS rounds of ${SECS}s, load $(load)" >&2
: > "$RUN/results"
for r in $(seq 1 "$ROUNDS"); do
  for c in $CASES; do
    line="round $r $c (req/s, CPU us/req)"
    for k in "${!BINS[@]}"; do
      i=$(( (k + r) % ${#BINS[@]} ))
      read -r t us b < <(rate "${BASES[$i]}" "$RUN/$c.paths" "${SPIDS[$i]}")
      echo "$i $c $t $us $b" >> "$RUN/results"
      line+="; #$i $t, $us"
    done
    echo "$line (load $(load))" >&2
  done
done

python3 - "$RUN/results" "${BINS[@]}" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    i, case, *v = line.split()
    rows[(int(i), case)].append(tuple(map(float, v)))
med = statistics.median
print(f"{'binary':<32} {'case':<6} {'req/s':>7} {'CPU us/req':>10} {'B/resp':>8} {'CPU vs #0':>9}")
for (i, case), v in sorted(rows.items()):
    base = med(x[1] for x in rows[(0, case)])
    cpu = med(x[1] for x in v)
    print(f"#{i} {sys.argv[2 + i][-29:]:<29} {case:<6} {med(x[0] for x in v):>7.0f} {cpu:>10.1f} "
          f"{med(x[2] for x in v):>8.0f} {cpu / base:>9.3f}")
PY
echo "load at the end: $(load)"
