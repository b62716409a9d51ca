# bench/seed/lib.sh — what the seed benchmarks share: their options and the measurement.
# Source it from the repository's root after setting ZOOM (the default zooms).

# seed_bench_args "$@": --zoom, --incidents, --jobs into ZOOM, INCIDENTS, JOBS; checks TESELAS
seed_bench_args() {
  INCIDENTS=50000
  JOBS=$(nproc)
  while [ $# -gt 0 ]; do
    case $1 in
      --zoom) ZOOM=$2; shift 2 ;;
      --incidents) INCIDENTS=$2; shift 2 ;;
      --jobs) JOBS=$2; shift 2 ;;
      *) echo "usage: $0 [--zoom $ZOOM] [--incidents N] [--jobs N]" >&2; exit 2 ;;
    esac
  done
  TESELAS=${TESELAS:-build/teselas}
  SEED=${TESELAS_SEED:-$(dirname "$TESELAS")/teselas-seed}  # `teselas seed` without GDAL loaded
  [ -x "$TESELAS" ] && [ -x "$SEED" ] || { echo "build first: $TESELAS or $SEED missing" >&2; exit 1; }
}

# measure NAME CMD...: one line "NAME wall_s cpu_s rss_mb" from /usr/bin/time -v; the command's
# stdout and the timing in $W/NAME.out and $W/NAME.time
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
