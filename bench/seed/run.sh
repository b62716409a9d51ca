#!/usr/bin/env bash
# bench/seed/run.sh — `teselas seed` against GDAL's batch MVT writer (`ogr2ogr -f MVT`, Debian
# 12's GDAL 3.6) on the same layers and zooms of the same SpatiaLite database: wall clock, CPU
# (user + sys), peak RSS and peak anonymous memory (measure.py), archive bytes, tile counts.
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
source bench/seed/lib.sh
seed_bench_args "$@"
command -v ogr2ogr >/dev/null || { echo "ogr2ogr (gdal-bin) missing" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/teselas-bench-seed-XXXXXX")
trap 'rm -rf "$W"' EXIT
DB="$W/leon.db"
"$TESELAS" demo --db "$DB" --build-only --incidents "$INCIDENTS" >/dev/null 2>&1
LAYERS=$("$TESELAS" layers --db "$DB" --json | python3 -c "import json,sys; print(','.join(l['id'] for l in json.load(sys.stdin)))")
TABLES=$(sqlite3 "$DB" "SELECT table_name FROM teselas_layers ORDER BY id" | tr '\n' ' ')
Z0=${ZOOM%-*}
Z1=${ZOOM#*-}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) zooms $ZOOM, $INCIDENTS incidents, layers $LAYERS, jobs $JOBS, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# name wall_s cpu_s peak_rss_mb peak_anon_mb bytes tiles"
r=$(measure teselas_pmtiles "$SEED" --db "$DB" --layers "$LAYERS" --zoom "$ZOOM" \
      --out "$W/t.pmtiles" --jobs "$JOBS" --quiet)
echo "$r $(stat -c %s "$W/t.pmtiles") $(python3 -c "
import struct,sys; h=open(sys.argv[1],'rb').read(127); print(struct.unpack('<Q', h[72:80])[0])" "$W/t.pmtiles")"
r=$(measure teselas_mbtiles "$SEED" --db "$DB" --layers "$LAYERS" --zoom "$ZOOM" \
      --out "$W/t.mbtiles" --jobs "$JOBS" --quiet)
echo "$r $(stat -c %s "$W/t.mbtiles") $(sqlite3 "$W/t.mbtiles" 'SELECT count(*) FROM tiles')"
# shellcheck disable=SC2086
r=$(measure gdal_mbtiles ogr2ogr -f MVT "$W/g.mbtiles" "$DB" $TABLES -dsco FORMAT=MBTILES \
      -dsco MINZOOM="$Z0" -dsco MAXZOOM="$Z1" -dsco COMPRESS=YES)
echo "$r $(stat -c %s "$W/g.mbtiles") $(sqlite3 "$W/g.mbtiles" 'SELECT count(*) FROM tiles')"
