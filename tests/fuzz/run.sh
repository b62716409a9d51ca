#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60),
# new inputs going to a scratch directory; merge the useful ones into the committed corpus with
#   build-fuzz/tests/fuzz/fuzz_cql2 -merge=1 tests/fuzz/corpus/cql2 /tmp/teselas-fuzz/cql2
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]   (targets: see README.md; default all)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(cql2 params geom_blob geom_wkb wkb_walk ranked_line pmtiles)
CC=clang cmake -S . -B build-fuzz -DTESELAS_FUZZ=ON -DTESELAS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${TARGETS[@]/#/fuzz_}"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${TARGETS[@]}"; do
  mkdir -p "/tmp/teselas-fuzz/$t"
  build-fuzz/tests/fuzz/fuzz_$t "/tmp/teselas-fuzz/$t" "tests/fuzz/corpus/$t" \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
    tail -n 12
done
