#!/usr/bin/env bash
# What one flooding address costs the server, per request and per connection, in figures the
# machine's load does not change: system calls, page faults and context switches (`perf stat`
# on the server's PID) and, with CALLGRIND=1, the instructions it ran (valgrind's callgrind,
# collection switched on for the flood alone). CPU time is printed too (it is the load's).
# The flooder is wrk from one address asking back to back for BIG (a page of 1,000 colonias),
# in two ways: a new connection per request (`Connection: close`, as bench/clients/tiles.sh's
# flood) and kept-alive connections. The server is tiles.sh's (--threads 2 --per-ip-rate 20/s):
# nearly every request is answered 429.
#
#   TESELAS=build/teselas bench/clients/flood_cost.sh [SECS] [CONNS]    (default 10 s, 100)
#   CALLGRIND=1  run the server under callgrind (slow: the rate falls, the counts per request
#                do not; the server's rate is then 0.01/s: every answer is a 429);
#   SERVE_FLAGS="..." the server's flags beyond --db/--port
# Prints one line per mode: requests, 429s, connections/s reached, and per request the server's
# syscalls, page faults, context switches, CPU µs (and instructions).
source "$(dirname "$0")/../../tests/http/lib.sh"
SECS=${1:-10}
CONNS=${2:-100} # below --per-ip-connections (128): every connection is answered
RATE_FLAGS="--per-ip-rate 20/s"
[ -z "${CALLGRIND:-}" ] || RATE_FLAGS="--per-ip-rate 0.01/s --per-ip-burst 1"
SERVE_FLAGS=${SERVE_FLAGS---threads 2 $RATE_FLAGS --quiet}
BIG=${BIG:-/collections/colonias/items?limit=1000}
command -v wrk > /dev/null || skip "wrk is not installed"
command -v perf > /dev/null || skip "perf is not installed"
ulimit -n "$(ulimit -Hn)"
DB="$TEST_TMP/f.db"
"$TESELAS" import "$TESELAS_TEST_DATA/centrogeo/criminologia_capas_subset.gpkg" --source-layer \
  colonias --layer colonias --db "$DB" --quiet > /dev/null || fail "import colonias"
if [ -n "${CALLGRIND:-}" ]; then
  command -v valgrind > /dev/null || skip "valgrind is not installed"
  cat > "$TEST_TMP/under-callgrind" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$TEST_TMP/cg.%p \
  $TESELAS "\$@"
EOF
  chmod +x "$TEST_TMP/under-callgrind"
  TESELAS="$TEST_TMP/under-callgrind" SERVER_START_STEPS=1200 start_server "$DB" $SERVE_FLAGS
else
  # shellcheck disable=SC2086
  start_server "$DB" $SERVE_FLAGS
fi
curl -s -o /dev/null "$BASE$BIG" # the first answer opens the worker's database

# callgrind_ir: the instructions since collection was switched on (then switched off)
callgrind_ir() {
  callgrind_control -d "$SERVER_PID" > /dev/null
  callgrind_control -i off "$SERVER_PID" > /dev/null
  cat "$TEST_TMP"/cg.*.* 2>/dev/null | awk '/^(summary|totals):/{s = $2} END {print s + 0}'
  rm -f "$TEST_TMP"/cg.*.*
}
# what the server's other threads (usage flushes, download digests) run in SECS without a
# request: taken from each flood's count
IDLE_IR=0
if [ -n "${CALLGRIND:-}" ]; then
  callgrind_control -i on "$SERVER_PID" > /dev/null
  sleep "$SECS"
  IDLE_IR=$(callgrind_ir)
  echo "idle: $IDLE_IR instructions in $SECS s"
fi

# flood MODE [wrk flags]: one wrk run, the server's counters around it
flood() {
  local mode=$1 ir=""; shift
  [ -z "${CALLGRIND:-}" ] || callgrind_control -i on "$SERVER_PID" > /dev/null
  perf stat -x, -e task-clock,raw_syscalls:sys_enter,page-faults,context-switches \
    -p "$SERVER_PID" -o "$TEST_TMP/perf.$mode" &
  local perf_pid=$!
  sleep 0.5
  wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s "$@" "$BASE$BIG" > "$TEST_TMP/wrk.$mode" 2>&1
  kill -INT "$perf_pid"
  wait "$perf_pid" || true
  [ -z "${CALLGRIND:-}" ] || ir=$(($(callgrind_ir) - IDLE_IR))
  python3 - "$mode" "$TEST_TMP/wrk.$mode" "$TEST_TMP/perf.$mode" "$ir" <<'PY'
import re, sys
mode, wrk, perf, ir = sys.argv[1], open(sys.argv[2]).read(), open(sys.argv[3]).read(), sys.argv[4]
n = int(re.search(r"(\d+) requests in ([\d.]+)(m?s)", wrk).group(1))
# connections the server closed unanswered (refused at accept): attempts too
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", wrk)
closed = sum(int(x) for x in sock.groups()[:3]) if sock else 0
n += closed
secs = float(re.search(r"requests in ([\d.]+)(m?s)", wrk).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
ev = {}
for line in perf.splitlines():
    f = line.split(",")
    if len(f) > 2 and f[0].replace(".", "").isdigit():
        ev[f[2]] = float(f[0])
per = lambda k: ev.get(k, float("nan")) / max(n, 1)
line = (f"{mode}: {n} attempts ({int(non2xx.group(1)) if non2xx else 0} answered not 200, "
        f"{closed} closed unanswered) in {secs:g} s, "
        f"{n / secs:.0f}/s; per attempt: {per('raw_syscalls:sys_enter'):.1f} syscalls, "
        f"{per('page-faults'):.2f} page faults, {per('context-switches'):.2f} context switches, "
        f"{per('task-clock') * 1000:.1f} CPU µs")
if ir:
    line += f", {int(ir) / max(n, 1):,.0f} instructions"
print(line)
PY
}
flood close -H "Connection: close"
flood keepalive
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); server: $SERVE_FLAGS"
stop_server || fail "the server exited $? on SIGTERM"
