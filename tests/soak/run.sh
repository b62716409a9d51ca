#!/usr/bin/env bash
# run.sh DURATION_SECONDS — the soak: the real server under portal-shaped traffic for that long,
# with a layer re-imported through the upload API every minute.
#
# The database is made only from third-party files (tests/data): SSP-CDMX crimes under a privacy
# policy (counts per 500 m cell), the police cuadrantes, CentroGeo's alcaldías and colonias, and
# INEGI's localidades of León. The cuadrantes are re-imported, A (all 847) and B (every other
# one) in turn. wrk (tests/soak/mix.lua) asks 70 % cached tiles, 15 % uncached tiles across
# z8-z17, 5 % PNG tiles, 5 % items with filters, 5 % pages and TileJSON, from lists made from the
# database (make_urls.py); a second client (versions.py watch) asks the cuadrantes' tiles (alone
# and with another layer) and items all along, and each answer must equal byte for byte the
# answer of A or of B, the one of the version its ETag names. /proc gives the server's RSS and
# open descriptors every 5 s. Fails on any status but 200/204, any socket error, a mixed answer,
# RSS outside ±10 % after the warm-up (a sixth of the run, at least 60 s), descriptors not flat.
#
#   TESELAS=build/teselas tests/soak/run.sh 1800
# SOAK_RATE: requests per second of each of wrk's 4 threads at most (default 50);
# SOAK_REIMPORT_SECONDS: the re-import period (default 60); SOAK_KEEP=DIR keeps the logs and
# summary.json there; SOAK_RSS=report only reports RSS (a
# sanitizer's quarantine grows it by design).
source "$(dirname "$0")/../http/lib.sh"
SOAK=$(cd "$(dirname "$0")" && pwd)
DURATION=${1:?usage: run.sh DURATION_SECONDS}
: "${TESELAS_TEST_DATA:=$SOAK/../data}"
command -v wrk > /dev/null || skip "wrk is not installed (scripts/install-deps.sh installs it)"
command -v ogr2ogr > /dev/null || skip "ogr2ogr (gdal-bin) is not installed"
THREADS=4
RATE=${SOAK_RATE:-50}
WARMUP=$((DURATION / 6 > 60 ? DURATION / 6 : 60))
[ "$DURATION" -ge $((WARMUP + 60)) ] || fail "a soak of $DURATION s leaves no time after the warm-up"
LOGS="$TEST_TMP/logs"
mkdir -p "$LOGS"

# the database
D="$TESELAS_TEST_DATA"
DB="$TEST_TMP/soak.db"
ogr2ogr -f GeoJSON "$TEST_TMP/cuadrantes_A.geojson" "/vsizip/$D/cdmx-ssp/cuadrantes_shp.zip" \
  || fail "ogr2ogr of the cuadrantes"
ogr2ogr -f GeoJSON "$TEST_TMP/cuadrantes_B.geojson" "/vsizip/$D/cdmx-ssp/cuadrantes_shp.zip" \
  -where "FID % 2 = 0" || fail "ogr2ogr of half the cuadrantes"
imp() { "$TESELAS" import "$@" --db "$DB" --quiet > /dev/null || fail "import $*"; }
imp "$D/cdmx-ssp/crime-lat-long-2000.csv" --layer delitos --privacy aggregate:grid=500,k=5
imp "$TEST_TMP/cuadrantes_A.geojson" --layer cuadrantes --privacy none
imp "$D/centrogeo/criminologia_capas_subset.gpkg" --source-layer alcaldias --layer alcaldias
imp "$D/centrogeo/criminologia_capas_subset.gpkg" --source-layer colonias --layer colonias
imp "$D/inegi/AGLOC_11020_localidades.csv" --layer localidades
"$TESELAS" users add editor --db "$DB" --role publisher --layers cuadrantes > /dev/null
TOKEN=$("$TESELAS" tokens add editor --db "$DB" 2> /dev/null)
[ -n "$TOKEN" ] || fail "no token"

# a small tile cache (1 MiB; PNG tiles get half of it), so the uncached tiles stay uncached, and
# filled before the soak (make_urls.py): RSS after the warm-up is not a cache still growing
start_server "$DB" --quiet --tile-cache-mb 1
python3 "$SOAK/make_urls.py" "$BASE" "$LOGS" || fail "the URL lists"

# the answers of A (version 1, imported above) and of B (the first upload) to the watched paths
{
  grep '/cuadrantes/' "$LOGS/cached.txt"
  grep '/cuadrantes/' "$LOGS/cached.txt" | sed 's|/tiles/cuadrantes/|/tiles/alcaldias,cuadrantes/|'
  # (awk alone: under pipefail a head that exits first would end the script without a word)
  awk '/^\/tiles\/cuadrantes\/1[1-4]\// && n++ < 20' "$LOGS/uncached.txt"
  grep '^/collections/cuadrantes/items' "$LOGS/items.txt"
} > "$LOGS/watched.txt"
python3 "$SOAK/versions.py" snapshot "$BASE" "$LOGS/watched.txt" "$LOGS/A.json" || fail "snapshot A"
python3 "$SOAK/versions.py" upload "$BASE" cuadrantes "$TOKEN" "$TEST_TMP/cuadrantes_B.geojson" B \
  "$LOGS/reimports.txt" || fail "the first upload"
python3 "$SOAK/versions.py" snapshot "$BASE" "$LOGS/watched.txt" "$LOGS/B.json" || fail "snapshot B"

# the soak
STOP="$TEST_TMP/stop"
(
  t0=$(date +%s)
  while [ ! -e "$STOP" ] && kill -0 "$SERVER_PID" 2> /dev/null; do
    # VmRSS, then its parts: the heap (RssAnon) and the database file's pages the readers
    # mapped (RssFile: mmap_size, store/reader.c)
    rss=$(awk '/^(VmRSS|RssAnon|RssFile):/{printf "%s ", $2}' "/proc/$SERVER_PID/status" \
      2> /dev/null) || break
    set -- $rss
    echo "$(($(date +%s) - t0)) $1 $(ls "/proc/$SERVER_PID/fd" 2> /dev/null | wc -l) $2 $3"
    sleep 5
  done
) > "$LOGS/proc.txt" &
SAMPLER=$!
python3 "$SOAK/versions.py" reimport "$BASE" cuadrantes "$TOKEN" "$TEST_TMP/cuadrantes_A.geojson" \
  "$TEST_TMP/cuadrantes_B.geojson" "${SOAK_REIMPORT_SECONDS:-60}" "$STOP" "$LOGS/reimports.txt" &
REIMPORT=$!
python3 "$SOAK/versions.py" watch "$BASE" "$LOGS/A.json" "$LOGS/B.json" "$STOP" "$LOGS/watch.txt" &
WATCH=$!
echo "soak: $DURATION s at up to $((THREADS * RATE)) requests/s, warm-up $WARMUP s, load: $(cut -d' ' -f1-3 /proc/loadavg)"
WRC=0
wrk -t"$THREADS" -c"$THREADS" -d"${DURATION}s" --timeout 60s -s "$SOAK/mix.lua" "$BASE" \
  -- "$LOGS" "$LOGS" "$RATE" > "$LOGS/wrk.txt" 2>&1 || WRC=$?
touch "$STOP"
RRC=0 VRC=0
wait "$REIMPORT" || RRC=$?
wait "$WATCH" || VRC=$?
wait "$SAMPLER" || true
echo "soak: ended, load: $(cut -d' ' -f1-3 /proc/loadavg)"
SRC=0
stop_server || SRC=$?
FLAGS=()
[ "${SOAK_RSS:-}" != report ] || FLAGS=(--report-only-rss)
cat "$LOGS/wrk.txt"
TRC=0 MRC=0
python3 "$SOAK/verdict.py" "$LOGS" "$WARMUP" "${FLAGS[@]}" || TRC=$?
python3 "$SOAK/versions.py" verdict "$LOGS/A.json" "$LOGS/B.json" "$LOGS/reimports.txt" \
  "$LOGS/watch.txt" 1 || MRC=$?
[ -z "${SOAK_KEEP:-}" ] || { mkdir -p "$SOAK_KEEP" && cp "$LOGS"/*.txt "$LOGS"/*.json "$SOAK_KEEP"/; }
[ "$WRC" = 0 ] || fail "wrk exited $WRC"
[ "$RRC" = 0 ] || fail "the re-imports stopped (exit $RRC)"
[ "$VRC" = 0 ] || fail "the watching client stopped (exit $VRC)"
[ "$SRC" = 0 ] || fail "the server exited $SRC on SIGTERM"
[ "$TRC" = 0 ] || fail "the soak's verdict on its traffic and the server's process"
[ "$MRC" = 0 ] || fail "answers of the re-imported layer"
[ "$(wc -l < "$LOGS/reimports.txt")" -ge $((DURATION / 60)) ] || fail "fewer re-imports than minutes"
ok
done_checks
