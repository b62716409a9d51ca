#!/usr/bin/env bash
# A normal client's tiles under slow and greedy clients (issue 21's goal: /health within 1 s and
# tiles within twice their p99 at rest, throughout). One server, one database of third-party
# files (the soak's, tests/soak/run.sh, without the crimes: the SSP-CDMX cuadrantes, CentroGeo's
# alcaldías and colonias, INEGI's localidades of León); the URL lists are the soak's
# (tests/soak/make_urls.py: the busiest z10-z14 tiles as the cached ones, every other tile
# address found at z8-z17 as the uncached ones; asked by a server of their own). The phases
# and the clients are bench/clients/attacked_tiles.py's: rest, slowloris, idle keep-alive, slow
# readers, a flood from one address, all four at once, rest again.
#
#   TESELAS=build/teselas bench/clients/tiles.sh [SECS_PER_PHASE] [RATE]    (default 30 s, 20/s)
#   SERVE_FLAGS="..."  the server's flags beyond --db/--port (default below); KEEP=FILE keeps the
#   clients' JSON; PHASES=rest,flood,after some phases only; BIG=PATH what the slow readers and
#   the flood ask for (default a page of 1,000 colonias)
#   ATTACK_CPU=0.5  the attackers confined to half a core (any fraction or number of cores),
#   a model of attackers on another machine: they get that budget whatever the load, and the
#   table's "attack /s" says the rate they reached (flood requests, other attacks' connections).
#   The normal client and the server stay outside. Needs root and a cgroup file system with the
#   cpu controller: cgroup v2 (cpu.max, /sys/fs/cgroup) or v1 (cpu.cfs_quota_us,
#   /sys/fs/cgroup/cpu); `systemd-run --scope -p CPUQuota=` would confine the normal client too.
# Prints a Markdown table: per phase, the tiles' p50/p99 (all, cached, uncached), the ratio of
# the p99 to rest's, /health's max and the count over 1 s, failures, the load average.
source "$(dirname "$0")/../../tests/http/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
SECS=${1:-30}
RATE=${2:-20}
: "${TESELAS_TEST_DATA:=$HERE/../../tests/data}"
# the defaults but for a request rate per address (none by default; README, Limits) and the
# threads named, so that a machine with more cores runs the same server
SERVE_FLAGS=${SERVE_FLAGS---threads 2 --per-ip-rate 20/s --per-ip-penalty 10 --quiet}
command -v ogr2ogr > /dev/null || skip "ogr2ogr (gdal-bin) is not installed"
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 8192 ] || skip "the open-file limit ($(ulimit -n)) is below 8192"

D="$TESELAS_TEST_DATA"
DB="$TEST_TMP/tiles.db"
ogr2ogr -f GeoJSON "$TEST_TMP/cuadrantes.geojson" "/vsizip/$D/cdmx-ssp/cuadrantes_shp.zip" ||
  fail "ogr2ogr of the cuadrantes"
imp() { "$TESELAS" import "$@" --db "$DB" --quiet > /dev/null || fail "import $*"; }
imp "$TEST_TMP/cuadrantes.geojson" --layer cuadrantes --privacy none
imp "$D/centrogeo/criminologia_capas_subset.gpkg" --source-layer alcaldias --layer alcaldias
imp "$D/centrogeo/criminologia_capas_subset.gpkg" --source-layer colonias --layer colonias
imp "$D/inegi/AGLOC_11020_localidades.csv" --layer localidades
# the lists, from a server of their own (make_urls.py asks thousands of paths from one address)
start_server "$DB" --quiet
URLS="$TEST_TMP/urls"
mkdir -p "$URLS"
python3 "$HERE/../../tests/soak/make_urls.py" "$BASE" "$URLS" > "$TEST_TMP/urls.log" ||
  fail "the URL lists: $(tail -3 "$TEST_TMP/urls.log")"
stop_server || fail "the list server exited $?"
# shellcheck disable=SC2086
start_server "$DB" $SERVE_FLAGS
echo "$(wc -l < "$URLS/cached.txt") cached tiles, $(wc -l < "$URLS/uncached.txt") never asked;" \
  "server: $SERVE_FLAGS; $SECS s per phase, $RATE tiles/s"
BIG=${BIG:-/collections/colonias/items?limit=1000}
CGROUP=""
if [ -n "${ATTACK_CPU:-}" ]; then
  quota=$(python3 -c "import sys; print(int(float(sys.argv[1]) * 100000))" "$ATTACK_CPU") ||
    fail "ATTACK_CPU: a number of cores, not $ATTACK_CPU"
  if grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2> /dev/null; then
    CGROUP=/sys/fs/cgroup/teselas-attack-$$
    mkdir "$CGROUP" || fail "cannot make $CGROUP (root?)"
    echo "$quota 100000" > "$CGROUP/cpu.max" || fail "cannot set $CGROUP/cpu.max"
  elif [ -w /sys/fs/cgroup/cpu ]; then
    CGROUP=/sys/fs/cgroup/cpu/teselas-attack-$$
    mkdir "$CGROUP" || fail "cannot make $CGROUP"
    echo 100000 > "$CGROUP/cpu.cfs_period_us" && echo "$quota" > "$CGROUP/cpu.cfs_quota_us" ||
      fail "cannot set $CGROUP's quota"
  else
    skip "ATTACK_CPU needs root and a cgroup file system with the cpu controller"
  fi
  trap 'rmdir "$CGROUP" 2> /dev/null || true; cleanup' EXIT
  echo "attackers confined to $ATTACK_CPU CPU ($CGROUP)"
fi
python3 "$HERE/attacked_tiles.py" "$SERVER_PORT" "$URLS" --big "$BIG" --secs "$SECS" \
  --rate "$RATE" --server-pid "$SERVER_PID" ${PHASES:+--phases "$PHASES"} \
  ${CGROUP:+--attack-cgroup "$CGROUP/cgroup.procs"} > "$TEST_TMP/run.json" || fail "the clients"
kill -0 "$SERVER_PID" || fail "the server died"
[ -z "${KEEP:-}" ] || cp "$TEST_TMP/run.json" "$KEEP"
python3 "$HERE/tiles_table.py" "$TEST_TMP/run.json"
curl -s "$BASE/metrics" | grep -E '^teselas_(connections|requests_rate|rate_limit)' || true
echo "server: peak resident memory $(awk '/VmHWM/{print $2, $3}' "/proc/$SERVER_PID/status")," \
  "CPU $(awk -v t="$(getconf CLK_TCK)" '{printf "%.1f s", ($14 + $15) / t}' "/proc/$SERVER_PID/stat")"
stop_server || fail "the server exited $? on SIGTERM"
