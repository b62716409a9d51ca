# bench/lib.sh — what the benchmarks share (source it after setting PIDS=(),
# SPIDS=(), BASES=()): starting a binary's server on a free port, a process's CPU ticks, and a
# wrk run that aborts the benchmark on any error.

# bench_serve NAME BIN LOG [serve flags...]: starts BIN serve on 127.0.0.1, port 0, and waits for
# the port it bound; appends its PID to PIDS and SPIDS and its base URL to BASES.
bench_serve() {
  local name=$1 bin=$2 log=$3 port=""
  shift 3
  "$bin" serve --port 0 --bind 127.0.0.1 --quiet "$@" 2> "$log" &
  PIDS+=($!)
  SPIDS+=($!)
  for _ in $(seq 1 200); do
    port=$(sed -n 's|.*serving .* at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "$name: $bin did not start: $(cat "$log")" >&2; exit 1; }
  BASES+=("http://127.0.0.1:$port")
}

# bench_ticks PID: CPU time (user + system, clock ticks) of PID and its children (nginx's workers)
bench_ticks() {
  local t=0 p
  for p in $1 $(ps -o pid= --ppid "$1"); do
    t=$((t + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat")))
  done
  echo $t
}

# bench_wrk NAME BASE PATHS [wrk flags...]: wrk cycling through the PATHS file (cycle.lua); prints
# wrk's report; socket errors or non-2xx answers abort the benchmark.
bench_wrk() {
  local name=$1 base=$2 paths=$3 out
  shift 3
  out=$(wrk "$@" -s "$ROOT/bench/tiles/cycle.lua" "$base" -- "$paths")
  if grep -q -e "Non-2xx" -e "Socket errors" <<< "$out"; then
    echo "$name: errors from $base: $out" >&2
    exit 1
  fi
  echo "$out"
}

# bench_on_exit [CMD...]: on exit, and on INT or TERM, stops every PID in PIDS, then runs CMD
# (pg_stop, rm -rf "$RUN").
bench_on_exit() {
  BENCH_EXIT_CMD=("$@")
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
bench_cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  [ ${#BENCH_EXIT_CMD[@]} -eq 0 ] || "${BENCH_EXIT_CMD[@]}"
}

# bench_log MSG...: MSG on stderr after the time and the load
bench_log() { echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $*" >&2; }

# bench_teselas: sets TESELAS to the binary given in TESELAS, else to a Release build of it
bench_teselas() {
  TESELAS=${TESELAS:-}
  [ -n "$TESELAS" ] && return
  cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$ROOT/build-bench" -j"$(nproc)" --target teselas >/dev/null
  TESELAS=$ROOT/build-bench/teselas
}

# bench_callgrind_serve BIN DB OUT [serve flags...]: BIN serve on DB with one worker thread under
# callgrind, counting off until a client switches it on (dumps OUT/cg.PID.N); stopped on exit.
# Sets VPID and PORT once it listens.
bench_callgrind_serve() {
  local bin=$1 db=$2 out=$3
  shift 3
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/cg.%p" "$bin" serve \
    --db "$db" --port 0 --bind 127.0.0.1 --threads 1 --quiet "$@" 2> "$out/server.log" &
  VPID=$!
  trap 'kill $VPID 2>/dev/null || true' EXIT
  PORT=""
  for _ in $(seq 600); do
    PORT=$(sed -n 's|.*serving .* at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$out/server.log")
    [ -n "$PORT" ] && break
    sleep 0.5
  done
  [ -n "$PORT" ] || { echo "the server did not start under valgrind: $out/server.log" >&2; exit 1; }
}
