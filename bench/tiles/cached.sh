#!/usr/bin/env bash
# bench/tiles/cached.sh — the cached path alone: teselas answering from its tile cache against
# nginx serving the same bytes as static files, same tile list (bench/tiles/tiles.txt), wrk 2
# threads and 32 connections, as in part 4 of bench/tiles/run.sh but without the slow peers.
#
# For a change to the cached path: give it several binaries (before and after) and it measures
# them in one run, each next to nginx, round after round (the order of the binaries turns each
# round, so a drift of the machine's load does not favour one), then prints per binary and case
# the median of the rounds' ratios to nginx, by tiles per second and by tiles per CPU second of
# the server (its own processes only: steadier than wall-clock rates on a shared machine). The
# load average is printed with every round.
#
#   bench/tiles/cached.sh [--seconds N] [--rounds R] [--cases "layer:z ..."] [BINARY...]
#
# A "before" binary: `git archive <commit> | tar -x -C DIR`, then a Release build in DIR.
#
# Defaults: 5 s per wrk run, 5 rounds, the cases that missed 80 % of nginx in bench/RESULTS.md
# (agua-bench:14 parques-bench:8 incidentes:8), build-bench/teselas. Needs bench/out/bench.db
# (bench/setup.sh, or bench/tiles/run.sh once).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=nginx.sh
source "$ROOT/bench/tiles/nginx.sh"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
WORK=$ROOT/bench/out
SECS=5
ROUNDS=5
CASES="agua-bench:14 parques-bench:8 incidentes:8"
BINS=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --cases) CASES=$2; shift 2 ;;
    -*) echo "usage: bench/tiles/cached.sh [--seconds N] [--rounds R] [--cases \"layer:z ...\"] [BINARY...]" >&2; exit 2 ;;
    *) BINS+=("$(realpath "$1")"); shift ;;
  esac
done
[ ${#BINS[@]} -gt 0 ] || BINS=("$ROOT/build-bench/teselas")
DB=$WORK/bench.db
for tool in wrk nginx curl python3; do
  command -v $tool >/dev/null || { echo "cached.sh: $tool missing: run bench/setup.sh" >&2; exit 1; }
done
[ -f "$DB" ] || { echo "cached.sh: no $DB: run bench/setup.sh" >&2; exit 1; }
RUN=$(mktemp -d)
PIDS=()
bench_on_exit rm -rf "$RUN"
load() { cut -d' ' -f1-3 /proc/loadavg; }

# one paths file per case, in the list's order (cycle.lua walks it round robin)
for c in $CASES; do
  awk -v z="${c#*:}" -v l="${c%:*}" '$1 == z { print "/tiles/" l "/" $1 "/" $2 "/" $3 ".pbf" }' \
    "$ROOT/bench/tiles/tiles.txt" > "$RUN/$c.paths"
  [ -s "$RUN/$c.paths" ] || { echo "cached.sh: no tiles for $c" >&2; exit 1; }
done

# the servers: every binary with a cache large enough for the list, warmed with every tile once;
# the first one also writes nginx's files
BASES=()
SPIDS=()
for i in "${!BINS[@]}"; do
  bench_serve cached.sh "${BINS[$i]}" "$RUN/teselas.$i.log" --db "$DB" --tile-cache-mb 1024
  for c in $CASES; do
    sort -u "$RUN/$c.paths" | while read -r p; do
      if [ "$i" = 0 ]; then
        mkdir -p "$RUN/static$(dirname "$p")"
        curl -sf -o "$RUN/static$p" "${BASES[$i]}$p"
        touch "$RUN/static$p"   # an empty tile (204) is an empty file
      else
        curl -sf -o /dev/null "${BASES[$i]}$p"
      fi
    done
  done
done
NGX_PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
nginx_static_start "$RUN/nginx" "$RUN/static" "$NGX_PORT" "$(nproc)"
PIDS+=($NGX_PID)

# rate BASE PATHS PID -> "tiles/s tiles/CPU-s"
rate() {
  local out t0 t1
  t0=$(bench_ticks "$3")
  out=$(bench_wrk cached.sh "$1" "$2" -t2 -c32 -d"${SECS}s")
  t1=$(bench_ticks "$3")
  python3 - "$out" "$t0" "$t1" <<'PY'
import os, re, sys
out, t0, t1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
n = int(re.search(r"(\d+) requests in", out).group(1))
cpu = (t1 - t0) / os.sysconf("SC_CLK_TCK")
print(f"{rate:.0f} {n / cpu if cpu > 0 else 0:.0f}")
PY
}

echo "cached.sh: ${#BINS[@]} binaries, cases $CASES, $ROUNDS rounds of ${SECS}s, load $(load)" >&2
: > "$RUN/results"
for r in $(seq 1 "$ROUNDS"); do
  for c in $CASES; do
    read -r n nc < <(rate "http://127.0.0.1:$NGX_PORT" "$RUN/$c.paths" "$NGX_PID")
    line="round $r $c (tiles/s, per CPU s): nginx $n, $nc"
    for k in "${!BINS[@]}"; do
      i=$(( (k + r) % ${#BINS[@]} ))
      read -r t tc < <(rate "${BASES[$i]}" "$RUN/$c.paths" "${SPIDS[$i]}")
      echo "$i $c $t $n $tc $nc" >> "$RUN/results"
      line+="; #$i $t, $tc"
    done
    echo "$line (load $(load))" >&2
  done
done

python3 - "$RUN/results" "${BINS[@]}" <<'EOF'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    i, case, *v = line.split()
    rows[(int(i), case)].append(tuple(map(float, v)))
med = statistics.median
print(f"{'binary':<32} {'case':<16} {'tiles/s':>8} {'nginx':>8} {'ratio':>6} | "
      f"{'per CPU s':>9} {'nginx':>8} {'ratio':>6}  (medians; per round: ratio/s, ratio per CPU s)")
for (i, case), v in sorted(rows.items()):
    r_s = [t / n for t, n, _, _ in v]
    r_c = [tc / nc if nc else 0 for _, _, tc, nc in v]
    print(f"#{i} {sys.argv[2 + i][-29:]:<29} {case:<16} {med(x[0] for x in v):>8.0f} "
          f"{med(x[1] for x in v):>8.0f} {100 * med(r_s):>5.0f}% | {med(x[2] for x in v):>9.0f} "
          f"{med(x[3] for x in v):>8.0f} {100 * med(r_c):>5.0f}%  "
          + " ".join(f"{100 * a:.0f}/{100 * b:.0f}" for a, b in zip(r_s, r_c)))
EOF
echo "load at the end: $(load)"
