#!/usr/bin/env bash
# bench/seed/incremental.sh — an incremental seed (`teselas seed --since OLD --changes FILE`) after
# a one-feature change, against a full seed of the same archive (same layers, zooms and box) in
# the same run: wall clock, CPU (user + sys) and memory (measure.py), tiles made again. Both
# with `teselas-seed` (the same command in a process without GDAL); the incremental seed also as
# `teselas seed`, to show what loading GDAL costs.
#
#   bench/seed/incremental.sh [--zoom 0-16] [--incidents N] [--jobs N]
#
# Data: the demo database (`teselas demo --build-only --incidents N`, 50,000 by default), all six
# layers in one archive; the change: one park moved 300 m (its source edited, published again).
set -euo pipefail
cd "$(dirname "$0")/../.."
ZOOM=0-16
source bench/seed/lib.sh
seed_bench_args "$@"
W=$(mktemp -d "${TMPDIR:-/tmp}/teselas-bench-incr-XXXXXX")
trap 'rm -rf "$W"' EXIT
DB="$W/leon.db"
"$TESELAS" demo --db "$DB" --build-only --incidents "$INCIDENTS" >/dev/null 2>&1
LAYERS=$("$TESELAS" layers --db "$DB" --json | python3 -c "import json,sys; print(','.join(l['id'] for l in json.load(sys.stdin)))")

echo "# $(date -u +%Y-%m-%dT%H:%MZ) zooms $ZOOM, $INCIDENTS incidents, layers $LAYERS, jobs $JOBS, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$TESELAS" seed --db "$DB" --layers "$LAYERS" --zoom "$ZOOM" --out "$W/old.pmtiles" --jobs "$JOBS" --quiet
mkdir -p "$W/src"
cp "$W"/leon-sources/* "$W/src/"
python3 - "$W/leon-sources/parques.geojson" "$W/src/parques.geojson" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def shift(c): return [c[0] + 0.003, c[1]] + c[2:] if isinstance(c[0], (int, float)) else [shift(x) for x in c]
g = d["features"][100]["geometry"]; g["coordinates"] = shift(g["coordinates"])
json.dump(d, open(sys.argv[2], "w"))
PY
"$TESELAS" publish layers/leon --db "$DB" --sources "$W/src" --quiet >/dev/null 2>&1
echo "# name wall_s cpu_s peak_rss_mb peak_anon_mb [tiles made again, changed, copied, URLs]"
measure full "$SEED" --db "$DB" --layers "$LAYERS" --zoom "$ZOOM" --out "$W/full.pmtiles" --jobs "$JOBS"
sed -n 's/^seed: .*: \([0-9]*\) tiles .* of \([0-9]*\) addresses.*/#   full: \1 tiles written of \2 addresses/p' "$W/full.time"
r=$(measure incremental "$SEED" --db "$DB" --since "$W/old.pmtiles" --out "$W/new.pmtiles" \
      --changes "$W/purge.txt" --jobs "$JOBS")
echo "$r $(sed -n 's/^seed: .*: \([0-9]*\) tiles made again (\([0-9]*\) changed), \([0-9]*\) copied, \([0-9]*\) URLs.*/\1 \2 \3 \4/p' "$W/incremental.time")"
measure incremental_teselas_seed "$TESELAS" seed --db "$DB" --since "$W/old.pmtiles" --out "$W/new2.pmtiles" \
  --changes "$W/purge2.txt" --jobs "$JOBS"
cmp -s <(python3 -c "import sys; print(open(sys.argv[1],'rb').read()[127:] == open(sys.argv[2],'rb').read()[127:])" "$W/full.pmtiles" "$W/new.pmtiles") <(echo True) &&
  echo "# the incremental archive is byte for byte the full seed's (past the header)" ||
  echo "# the archives' bytes differ (tests/http/test_seed_incremental.sh compares them tile by tile)"
