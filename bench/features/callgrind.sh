#!/usr/bin/env bash
# Instructions per bbox page, independent of the machine's load: callgrind's Ir of `teselas serve`
# (one worker thread) answering the first 100 boxes of each zoom's list (bench/tiles/tiles.txt,
# z8..z16, as run.sh asks them, limit=100) once over one kept-alive connection, after a warm-up
# pass of the same boxes; counting is switched on only around the measured pass.
# Usage: bench/features/callgrind.sh TESELAS DB [OUT]   (DB: run.sh's bench-<N>.db; a
# RelWithDebInfo build names the functions). Prints "zZ: Ir per page" lines; dumps in OUT.
set -euo pipefail
T=$(realpath "$1")
DB=$(realpath "$2")
cd "$(dirname "$0")/../.."
OUT=${3:-bench/out/features/callgrind}
mkdir -p "$OUT"
rm -f "$OUT"/cg.*
/usr/bin/python3 - "$OUT" <<'PY'
import math, sys
out = sys.argv[1]
for z in (8, 10, 12, 14, 16):
    def lon(x): return x / 2 ** z * 360 - 180
    def lat(y): return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2 ** z))))
    with open("%s/bbox.z%d.txt" % (out, z), "w") as f:
        for line in open("bench/tiles/tiles.txt"):
            tz, x, y = map(int, line.split())
            if tz == z:
                f.write("/collections/incidentes/items?bbox=%.6f,%.6f,%.6f,%.6f&limit=100\n"
                        % (lon(x), lat(y + 1), lon(x + 1), lat(y)))
PY
ROOT=$PWD  # the script runs from the repository (cd above)
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
bench_callgrind_serve "$T" "$DB" "$OUT"
for z in 8 10 12 14 16; do
  /usr/bin/python3 - "$PORT" "$OUT/bbox.z$z.txt" "$VPID" "$z" <<'PY'
import http.client, subprocess, sys
port, lst, pid, z = sys.argv[1:5]
paths = open(lst).read().split()[:100]
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=600)
def run():
    for p in paths:
        c.request("GET", p)
        r = c.getresponse()
        r.read()
        if r.status != 200:
            sys.exit("%s: %d" % (p, r.status))
def ctl(*args):
    subprocess.run(["callgrind_control", *args, pid], check=True, capture_output=True)
run()
ctl("-z")
ctl("-i", "on")
run()
ctl("-i", "off")
ctl("-d", "z" + z)
PY
done
kill $VPID
wait $VPID || true
for f in "$OUT"/cg.*.*; do
  z=$(sed -n 's/^desc: Trigger: dump //p' "$f")
  echo "$z: $(awk '/^totals:/ {printf "%d", $2 / 100}' "$f") Ir per page"
done
