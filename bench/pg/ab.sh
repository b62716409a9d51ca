#!/usr/bin/env bash
# bench/pg/ab.sh — two (or more) teselas binaries over the same PostgreSQL, alternated: the way to
# decide whether a change to the PostgreSQL store helps, on a machine whose load moves.
#
# run.sh measures one binary against its peers in one pass; a change's effect (10-30 %) is smaller
# than what the load does between two passes. Here each binary copies bench/pg's 5,000 lines
# (`teselas copy`, its own schema: its own layout) into one private cluster, every table in
# shared_buffers (pg_prewarm), one `serve --tile-cache-mb 0` each, and every round runs each zoom
# on each binary in turn (wrk, 2 threads, 2 connections), so both see the same load. Per cell:
# teselas's CPU µs a tile + PostgreSQL's (postmaster and backends). The features and bytes of
# every tile must be equal across the binaries (checked at the end: a change must not change
# tiles).
#
# With --statements VARIANTS, the first binary's tile statements (each tile of the list once, from
# PostgreSQL's log) are then run again by bench/pg/statements.py, each variant of the SQL in turn,
# for PostgreSQL's CPU per statement alone (no teselas).
#
#   bench/pg/ab.sh [--seconds N] [--rounds R] [--zooms "8 12 16"] [--statements "sent no-order"] \
#                  NAME=BINARY [NAME=BINARY ...]
# Needs bench/setup.sh (wrk, PostgreSQL + PostGIS, psycopg). Writes bench/out/pg/ab.txt.
set -euo pipefail
python3() { /usr/bin/python3 "$@"; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$ROOT/bench/out/pg/ab
SECONDS_PER_RUN=5 ROUNDS=2 ZOOMS_ARG="8 10 12 14 16" VARIANTS=""
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --zooms) ZOOMS_ARG=$2; shift 2 ;;
    --statements) VARIANTS=$2; shift 2 ;;
    *=*) break ;;
    *) echo "usage: bench/pg/ab.sh [--seconds N] [--rounds R] [--zooms Z...] [--statements V...] NAME=BINARY..." >&2; exit 2 ;;
  esac
done
[ $# -ge 1 ] || { echo "ab.sh: name at least one NAME=BINARY" >&2; exit 2; }
read -r -a ZOOMS <<< "$ZOOMS_ARG"
LAYER=agua-bench
TILES=$ROOT/bench/tiles/tiles.txt
OUT=$ROOT/bench/out/pg/ab.txt
mkdir -p "$WORK"
# shellcheck source=../../tests/postgis/lib.sh
source "$ROOT/tests/postgis/lib.sh"
# shellcheck source=../../tests/postgis/pg_lib.sh
source "$ROOT/tests/postgis/pg_lib.sh"
# shellcheck source=../tiles/measure.sh
source "$ROOT/bench/tiles/measure.sh"

# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"

PIDS=()
bench_on_exit pg_stop

DB=$WORK/pg.db
rm -f "$DB" "$DB-wal" "$DB-shm"
python3 "$ROOT/bench/tiles/gen_data.py" "$WORK"
first_bin=${1#*=}
"$first_bin" import "$WORK/$LAYER.geojson" --db "$DB" --layer "$LAYER" --quiet >/dev/null
PG_SHARED_BUFFERS=1GB pg_start
PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
"${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" >/dev/null

NAMES=() BINS=() BASES=() TPIDS=()
for arg in "$@"; do
  name=${arg%%=*} bin=${arg#*=}
  [[ $name =~ ^[a-z0-9_]+$ ]] || { echo "ab.sh: name $name: lower-case letters, digits, _" >&2; exit 2; }
  "$bin" copy --from "$DB" --to "$(pg_uri)" --db-schema "ab_$name" >/dev/null
  NAMES+=("$name") BINS+=("$bin")
done
"${PSQL[@]}" -At -c "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname LIKE 'ab\_%' AND c.relkind IN ('r', 'i')" >/dev/null
for z in "${ZOOMS[@]}"; do
  awk -v z="$z" -v l="$LAYER" '$1 == z { print "/tiles/" l "/" $1 "/" $2 "/" $3 ".pbf" }' "$TILES" > "$WORK/paths.$z"
done
for i in "${!NAMES[@]}"; do
  log=$WORK/serve.${NAMES[$i]}.log
  : > "$log"
  "${BINS[$i]}" serve --port 0 --bind 127.0.0.1 --quiet --db "$(pg_uri "ab_${NAMES[$i]}")" \
    --tile-cache-mb 0 2>>"$log" &
  TPIDS+=($!) PIDS+=($!)
  port=""
  for _ in $(seq 1 200); do
    port=$(sed -n 's|.*serving .* at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { cat "$log" >&2; exit 1; }
  BASES+=("http://127.0.0.1:$port")
  for z in "${ZOOMS[@]}"; do   # also the warm-up
    (cd "$ROOT" && http_stats "${BASES[$i]}" "$WORK/paths.$z" "$WORK/stats.${NAMES[$i]}.$z.json")
  done
done

{
  echo "started: $(date -u +%Y-%m-%dT%H:%MZ) load $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
  echo "command: bench/pg/ab.sh --seconds $SECONDS_PER_RUN --rounds $ROUNDS --zooms \"${ZOOMS[*]}\" $*"
  echo
  echo "| round | z | binary | teselas CPU µs/tile | PostgreSQL CPU µs/tile | sum | tiles | load |"
  echo "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |"
  for r in $(seq 1 "$ROUNDS"); do
    for z in "${ZOOMS[@]}"; do
      for i in "${!NAMES[@]}"; do
        c0=$(cpu_s "${TPIDS[$i]}"); p0=$(cpu_s "$PG_PID")
        read -r _ _ errs n < <(wrk_rate "${BASES[$i]}" "$WORK/paths.$z" 2)
        c1=$(cpu_s "${TPIDS[$i]}"); p1=$(cpu_s "$PG_PID")
        [ "$errs" = 0 ] || echo "ab.sh: ${NAMES[$i]} z$z: $errs errors" >&2
        python3 -c "import sys
r, z, name, n, c0, c1, p0, p1, load = sys.argv[1:]
t = (float(c1) - float(c0)) * 1e6 / int(n); p = (float(p1) - float(p0)) * 1e6 / int(n)
print(f'| {r} | {z} | {name} | {t:,.0f} | {p:,.0f} | {t + p:,.0f} | {n} | {load} |')" \
          "$r" "$z" "${NAMES[$i]}" "$n" "$c0" "$c1" "$p0" "$p1" "$(cut -d' ' -f1 /proc/loadavg)"
      done
    done
  done
  echo
  for z in "${ZOOMS[@]}"; do
    for name in "${NAMES[@]:1}"; do
      if cmp -s "$WORK/stats.${NAMES[0]}.$z.json" "$WORK/stats.$name.$z.json"; then
        echo "z$z: ${NAMES[0]} and $name served the same features and bytes on every tile"
      else
        echo "z$z: ${NAMES[0]} and $name served DIFFERENT tiles"
      fi
    done
  done
} | tee "$OUT"

[ -n "$VARIANTS" ] || exit 0
# The first binary's statements, each tile once, from PostgreSQL's log.
LOG=$PG_DIR/server.log
"${PSQL[@]}" -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
LOGS=()
for z in "${ZOOMS[@]}"; do
  mark=$(wc -c < "$LOG")
  sort -u "$WORK/paths.$z" | while read -r p; do curl -s -o /dev/null "${BASES[0]}$p"; done
  sleep 0.2
  tail -c +"$((mark + 1))" "$LOG" > "$WORK/statements.z$z.log"
  LOGS+=("$z=$WORK/statements.z$z.log")
done
"${PSQL[@]}" -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
echo | tee -a "$OUT"
python3 "$ROOT/bench/pg/statements.py" "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres" \
  "ab_${NAMES[0]}" "$ROUNDS" "$VARIANTS" "${LOGS[@]}" | tee -a "$OUT"
