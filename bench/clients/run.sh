#!/usr/bin/env bash
# Slow and greedy clients against `teselas serve` (tests/clients/hostile_clients.py): per attack,
# the latency of a normal client's /health and tile, against the same client at rest. The
# database is Natural Earth's countries (tests/data/naturalearth), the server has 2 threads,
# --request-timeout 3 (so that a slowloris sending a byte every 10 s is cut),
# --max-connections 1500, --per-ip-connections 50 and the flags in $SERVE_FLAGS (default
# "--per-ip-rate 20/s": an address's requests past 20 a second, after a burst of 80, get 429).
# The flood is 200 clients from one address asking back to back for a page of 1,000 countries
# (a request that costs the server, where /health costs almost nothing); the normal client runs in
# a process of its own. The server's peak resident memory (VmHWM), CPU time and minor page faults
# are printed at the end.
#
#   bench/clients/run.sh BUILD_DIR [SCALE]      (SCALE 1: 1,000 connections per attack)
#   SERVE_FLAGS= bench/clients/run.sh OLD_BUILD  (a server without --per-ip-rate, same attacks)
set -euo pipefail
BUILD=${1:?usage: run.sh BUILD_DIR [SCALE]}
SCALE=${2:-1}
SERVE_FLAGS=${SERVE_FLAGS---per-ip-rate 20/s}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
ulimit -n "$(ulimit -Hn)"
"$BUILD/teselas" import "$ROOT/tests/data/naturalearth/naturalearth_lowres.shp" --db "$TMP/ne.db" \
  --layer paises > /dev/null 2>&1
"$BUILD/teselas" serve --db "$TMP/ne.db" --port 0 --quiet --threads 2 --max-connections 1500 \
  --per-ip-connections 50 --request-timeout 3 $SERVE_FLAGS 2> "$TMP/log" &
PID=$!
for _ in $(seq 1 100); do
  PORT=$(sed -n 's|.*at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/log")
  [ -n "$PORT" ] && break
  sleep 0.1
done
python3 "$ROOT/tests/clients/hostile_clients.py" "$PORT" /tiles/paises/1/1/0.pbf \
  "/collections/paises/items?limit=1000" --scale "$SCALE" --byte-every 10 --hold 12 \
  --flood 200 --flood-path "/collections/paises/items?limit=1000" --over 1600 > "$TMP/run.json"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared)"
python3 - "$TMP/run.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def q(ms, p):
    ms = sorted(ms)
    return ms[min(len(ms) - 1, int(p * len(ms)))] if ms else float("nan")
# the issue's goal, per phase: /health within 1 s, tiles within twice their p99 at rest
rest_p99 = q(d["normal"]["rest"]["tile"]["ms"], .99)
print("| phase | /health n | /health p50 ms | /health p99 ms | /health max ms | /health > 1 s "
      "| tile p99 ms | tiles > 2x rest p99 | failed |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for phase, kinds in d["normal"].items():
    h, t = kinds["health"], kinds["tile"]
    print(f"| {phase} | {h['ok']} | {q(h['ms'], .5):.1f} | {q(h['ms'], .99):.1f} | {max(h['ms']):.1f} "
          f"| {sum(m > 1000 for m in h['ms'])} | {q(t['ms'], .99):.1f} "
          f"| {sum(m > 2 * rest_p99 for m in t['ms'])} of {len(t['ms'])} | {h['failed'] + t['failed']} |")
print("attackers:", json.dumps(d["phases"]))
PY
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^teselas_(connections|requests_rate|rate_limit)'
echo "server peak resident memory: $(awk '/VmHWM/{print $2, $3}' /proc/$PID/status), CPU $(awk -v t="$(getconf CLK_TCK)" '{printf "%.2f s", ($14 + $15) / t}' /proc/$PID/stat), minor page faults $(awk '{print $10}' /proc/$PID/stat)"
