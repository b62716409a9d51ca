#!/usr/bin/env bash
# Instructions per uncached vector tile, independent of the machine's load: callgrind's Ir of
# `teselas serve --tile-cache-mb 0` (one worker thread) answering each given tile N times over one
# kept-alive connection, after one warm-up request of each; counting is switched on only around
# the measured requests, one dump per tile.
# Usage: bench/tiles/callgrind.sh TESELAS DB OUT LAYER Z/X/Y... (N: $CG_REPEAT, default 5; DB:
# run.sh's bench/out/bench.db; a RelWithDebInfo build names the functions). Prints
# "Z/X/Y: Ir per tile, bytes" lines; the dumps (cg.PID.N) stay in OUT for callgrind_annotate.
set -euo pipefail
T=$(realpath "$1")
DB=$(realpath "$2")
OUT=$3
LAYER=$4
shift 4
REPEAT=${CG_REPEAT:-5}
mkdir -p "$OUT"
rm -f "$OUT"/cg.*
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
bench_callgrind_serve "$T" "$DB" "$OUT" --tile-cache-mb 0
for t in "$@"; do
  /usr/bin/python3 - "$PORT" "/tiles/$LAYER/$t.pbf" "$VPID" "$t" "$REPEAT" "$OUT/bytes" <<'PY'
import http.client, subprocess, sys
port, path, pid, tile, repeat, bytes_out = sys.argv[1:7]
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=600)
def get():
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit("%s: %d" % (path, r.status))
    return len(body)
def ctl(*args):
    subprocess.run(["callgrind_control", *args, pid], check=True, capture_output=True)
get()
ctl("-z")
ctl("-i", "on")
for _ in range(int(repeat)):
    n = get()
ctl("-i", "off")
ctl("--dump=" + tile.replace("/", "-"))
with open(bytes_out, "a") as f:
    f.write("%s %d\n" % (tile, n))
PY
done
kill $VPID
wait $VPID || true
for f in "$OUT"/cg.*.*; do
  t=$(sed -n 's/^desc: Trigger: dump //p' "$f" | tr - /)
  echo "$t: $(awk -v n="$REPEAT" '/^totals:/ {printf "%d", $2 / n}' "$f") Ir per tile," \
    "$(awk -v t="$t" '$1 == t {print $2}' "$OUT/bytes" | tail -1) B"
done
rm -f "$OUT/bytes"
