#!/usr/bin/env bash
# bench/seed/run.sh — `teselas seed` against GDAL's batch MVT writer (`ogr2ogr -f MVT`, Debian
# 12's GDAL 3.6) on the same layers and zooms of the same SpatiaLite database: wall clock, CPU
# (user + sys) and peak RSS from /usr/bin/time -v, archive bytes, tile counts.
#
#   bench/seed/run.sh [--zoom 0-14] [--incidents N] [--jobs N]
#
# Data: the demo database (`teselas demo --build-only --incidents N`, default 50,000 points) with
# all six layers. GDAL gets its best options for the job: -dsco MAXZOOM (and MINZOOM), COMPRESS=YES
# (gzip'd tiles, as the archive holds), FORMAT=MBTILES, its default simplification; teselas seeds
# a PMTiles and an MBTiles archive. GDAL writes one MVT layer per table (named by the table),
# teselas one per layer id: the same features, the generalisation each one does by default.
set -euo pipefail
cd "$(dirname "$0")/../.."
ZOOM=0-14
INCIDENTS=50000
JOBS=$(nproc)
while [ $# -gt 0 ]; do
  case $1 in
    --zoom) ZOOM=$2; shift 2 ;;
    --incidents) INCIDENTS=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    *) echo "usage: $0 [--zoom 0-14] [--incidents N] [--jobs N]" >&2; exit 2 ;;
  esac
done
TESELAS=${TESELAS:-build/teselas}
[ -x "$TESELAS" ] || { echo "build first: $TESELAS missing" >&2; exit 1; }
command -v ogr2ogr >/dev/null || { echo "ogr2ogr (gdal-bin) missing" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/teselas-bench-seed-XXXXXX")
trap 'rm -rf "$W"' EXIT
DB="$W/leon.db"
"$TESELAS" demo --db "$DB" --build-only --incidents "$INCIDENTS" >/dev/null 2>&1
LAYERS=$("$TESELAS" layers --db "$DB" --json | python3 -c "import json,sys; print(','.join(l['id'] for l in json.load(sys.stdin)))")
TABLES=$(sqlite3 "$DB" "SELECT table_name FROM teselas_layers ORDER BY id" | tr '\n' ' ')
Z0=${ZOOM%-*}
Z1=${ZOOM#*-}

# measure NAME CMD...: one line "NAME wall_s cpu_s rss_mb"
measure() {
  local name=$1; shift
  /usr/bin/time -v "$@" > "$W/$name.out" 2> "$W/$name.time" || { cat "$W/$name.time" >&2; exit 1; }
  python3 - "$W/$name.time" "$name" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def f(k): return re.search(re.escape(k) + r": (.*)", t).group(1).strip()
wall = f("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
wall_s = sum(float(v) * 60 ** i for i, v in enumerate(reversed(wall)))
cpu = float(f("User time (seconds)")) + float(f("System time (seconds)"))
print(f"{sys.argv[2]} {wall_s:.2f} {cpu:.2f} {int(f('Maximum resident set size (kbytes)')) / 1024:.0f}")
PY
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) zooms $ZOOM, $INCIDENTS incidents, layers $LAYERS, jobs $JOBS, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# name wall_s cpu_s peak_rss_mb bytes tiles"
r=$(measure teselas_pmtiles "$TESELAS" seed --db "$DB" --layers "$LAYERS" --zoom "$ZOOM" \
      --out "$W/t.pmtiles" --jobs "$JOBS" --quiet)
echo "$r $(stat -c %s "$W/t.pmtiles") $(python3 -c "
import struct,sys; h=open(sys.argv[1],'rb').read(127); print(struct.unpack('<Q', h[72:80])[0])" "$W/t.pmtiles")"
r=$(measure teselas_mbtiles "$TESELAS" seed --db "$DB" --layers "$LAYERS" --zoom "$ZOOM" \
      --out "$W/t.mbtiles" --jobs "$JOBS" --quiet)
echo "$r $(stat -c %s "$W/t.mbtiles") $(sqlite3 "$W/t.mbtiles" 'SELECT count(*) FROM tiles')"
# shellcheck disable=SC2086
r=$(measure gdal_mbtiles ogr2ogr -f MVT "$W/g.mbtiles" "$DB" $TABLES -dsco FORMAT=MBTILES \
      -dsco MINZOOM="$Z0" -dsco MAXZOOM="$Z1" -dsco COMPRESS=YES)
echo "$r $(stat -c %s "$W/g.mbtiles") $(sqlite3 "$W/g.mbtiles" 'SELECT count(*) FROM tiles')"
