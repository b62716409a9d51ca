# bench/tiles/measure.sh — sourced by the benchmarks that time HTTP servers and PostgreSQL
# (bench/tiles/run.sh, bench/pg/run.sh): CPU time of a process tree, wrk runs over a list of
# paths, and the bytes and features of the tiles a server answers. Uses $ROOT (the repository)
# and $SECONDS_PER_RUN (each wrk run); python3 is Debian's (bench/setup.sh).

rss_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# cpu_s PID: CPU seconds (user + system) of PID, of its live children, and of the children it
# has reaped (PostgreSQL backends that exited, counted in the postmaster's cutime/cstime). The
# machine is shared, so wall-clock rates are noisy; tiles per CPU second are the steadier figure.
cpu_s() {
  local pids total=0 p
  pids="$1 $(ps -o pid= --ppid "$1" | tr '\n' ' ')"
  for p in $pids; do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{sub(/^.*\) /, ""); print $12 + $13 + $14 + $15}' "/proc/$p/stat")))
  done
  python3 -c "import os,sys; print(int(sys.argv[1]) / os.sysconf('SC_CLK_TCK'))" "$total"
}
per_cpu() { python3 -c "import sys; n,a,b=map(float,sys.argv[1:]); print(f'{n/(b-a):.1f}' if b>a else '-')" "$@"; }

# http_stats BASE PATHS OUT: bytes and features of each distinct tile of PATHS, fetched once
http_stats() {
  python3 - "$1" "$2" "$3" <<'EOF'
import json, sys, urllib.request
base, paths, out = sys.argv[1:4]
sys.path.insert(0, "bench/tiles")
import mvtstat
st = {}
for p in sorted(set(open(paths).read().split())):
    blob = urllib.request.urlopen(base + p).read()
    z, x, y = p.rsplit("/", 3)[1:]
    st["%s/%s/%s" % (z, x, y.split(".")[0])] = [len(blob), mvtstat.count(blob)]
json.dump(st, open(out, "w"))
EOF
}

# wrk_rate BASE PATHS CONNECTIONS -> "req/s p50_ms errors requests"
wrk_rate() {
  local out
  out=$(wrk -t2 -c"$3" -d"${SECONDS_PER_RUN}s" --latency -s "$ROOT/bench/tiles/cycle.lua" "$1" -- "$2")
  python3 - "$out" <<'EOF'
import re, sys
t = sys.argv[1]
rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", t).group(1))
m = re.search(r"50%\s+([0-9.]+)(us|ms|s)\b", t)
p50 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else -1
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
n_err = (int(bad.group(1)) if bad else 0) + (sum(map(int, errs.groups())) if errs else 0)
total = int(re.search(r"(\d+) requests in", t).group(1))
print(f"{rate:.1f} {p50:.2f} {n_err} {total}")
EOF
}
