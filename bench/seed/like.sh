#!/usr/bin/env bash
# bench/seed/like.sh — `teselas-seed` against GDAL's MVT writer (`ogr2ogr -f MVT`) on content both
# write alike: the 132,692 crime points of the SSP-CDMX (third-party, ../shared/data), at zooms
# where teselas neither clusters nor drops points, so every point within a tile and its buffer is
# written by both. The same tile grid: extent 4096, buffer 64, gzip'd tiles in MBTiles, no size or
# feature cap that would drop anything (GDAL: MAX_SIZE and MAX_FEATURES raised past teselas's
# limits); points have nothing to simplify. Wall clock, CPU (user + sys), peak RSS and peak
# anonymous memory (measure.py); tiles, bytes, and the features of every tile decoded by GDAL's MVT driver
# from both archives and compared tile by tile.
#
#   bench/seed/like.sh [--zoom 14-17] [--jobs N]
set -euo pipefail
cd "$(dirname "$0")/../.."
ZOOM=14-17
source bench/seed/lib.sh
seed_bench_args "$@"
command -v ogr2ogr >/dev/null || { echo "ogr2ogr (gdal-bin) missing" >&2; exit 1; }
CSV=../shared/data/cdmx-ssp-delitos/crime-lat-long.csv
[ -f "$CSV" ] || { echo "$CSV missing (the shared third-party data)" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/teselas-bench-like-XXXXXX")
trap 'rm -rf "$W"' EXIT
DB="$W/cdmx.db"
"$TESELAS" import "$CSV" --db "$DB" --layer delitos --lat lat --lon long --privacy none --quiet >/dev/null 2>&1
TABLE=$(sqlite3 "$DB" "SELECT table_name FROM teselas_layers WHERE id='delitos'")
Z0=${ZOOM%-*}
Z1=${ZOOM#*-}
echo "# $(date -u +%Y-%m-%dT%H:%MZ) zooms $ZOOM, $(sqlite3 "$DB" "SELECT count(*) FROM \"$TABLE\"") points, jobs $JOBS, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# name wall_s cpu_s peak_rss_mb peak_anon_mb bytes tiles"
r=$(measure teselas "$SEED" --db "$DB" --layers delitos --zoom "$ZOOM" --out "$W/t.mbtiles" --jobs "$JOBS" --quiet)
echo "$r $(stat -c %s "$W/t.mbtiles") $(sqlite3 "$W/t.mbtiles" 'SELECT count(*) FROM tiles')"
r=$(measure gdal ogr2ogr -f MVT "$W/g.mbtiles" "$DB" "$TABLE" -nln delitos -dsco FORMAT=MBTILES \
      -dsco MINZOOM="$Z0" -dsco MAXZOOM="$Z1" -dsco EXTENT=4096 -dsco BUFFER=64 -dsco COMPRESS=YES \
      -dsco MAX_SIZE=100000000 -dsco MAX_FEATURES=100000000)
echo "$r $(stat -c %s "$W/g.mbtiles") $(sqlite3 "$W/g.mbtiles" 'SELECT count(*) FROM tiles')"
PATH=/usr/bin:$PATH python3 bench/seed/count_features.py "$W/t.mbtiles" "$W/g.mbtiles"
