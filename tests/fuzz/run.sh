#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60),
# new inputs going to a scratch directory; merge the useful ones into the committed corpus with
#   build-fuzz/tests/fuzz/fuzz_cql2 -merge=1 tests/fuzz/corpus/cql2 /tmp/teselas-fuzz/cql2
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]   (targets: see README.md; default: every
# directory of tests/fuzz/corpus). Every target runs; the exit status is 1 when any of them found
# a crash, a leak, undefined behaviour or a failed check (its input is left in build-fuzz/crashes/).
# TESELAS_FUZZ_SEED=N makes the run reproducible: libFuzzer's seed fixed and the scratch corpus
# emptied first, so each target explores from the committed corpus alone along the same path on
# every machine (a longer run with the same seed covers a shorter one); CI sets it.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  mapfile -t TARGETS < <(cd tests/fuzz/corpus && ls -d -- */ | tr -d /)
fi
CC=clang cmake -S . -B build-fuzz -DTESELAS_FUZZ=ON -DTESELAS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${TARGETS[@]/#/fuzz_}"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p build-fuzz/crashes
failed=()
SEED_ARGS=()
if [ -n "${TESELAS_FUZZ_SEED:-}" ]; then
  SEED_ARGS=(-seed="$TESELAS_FUZZ_SEED")
fi
for t in "${TARGETS[@]}"; do
  [ -z "${TESELAS_FUZZ_SEED:-}" ] || rm -rf "/tmp/teselas-fuzz/$t"
  mkdir -p "/tmp/teselas-fuzz/$t"
  echo "fuzz: $t for ${SECONDS_EACH} s"
  if ! build-fuzz/tests/fuzz/fuzz_$t "/tmp/teselas-fuzz/$t" "tests/fuzz/corpus/$t" \
      -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${SEED_ARGS[@]}" \
      -artifact_prefix="build-fuzz/crashes/$t-" >"build-fuzz/crashes/$t.log" 2>&1; then
    failed+=("$t")
    grep -E "ERROR|SUMMARY|runtime error|#[0-9]+ 0x.* in " "build-fuzz/crashes/$t.log" | head -n 20 || true
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec)" "build-fuzz/crashes/$t.log" || true
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs and logs in build-fuzz/crashes/)" >&2
  exit 1
fi
echo "fuzz: ${#TARGETS[@]} targets, ${SECONDS_EACH} s each, no crash"
