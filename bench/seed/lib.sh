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

# measure NAME CMD...: one line "NAME wall_s cpu_s peak_rss_mb peak_anon_mb" (measure.py); the
# command's stdout and stderr in $W/NAME.out and $W/NAME.time
measure() {
  local name=$1; shift
  python3 bench/seed/measure.py "$name" "$W/$name.out" "$W/$name.time" "$@" || exit 1
}
