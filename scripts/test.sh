#!/usr/bin/env bash
# Quick start (2): install what is needed, build twice (normal, and with AddressSanitizer +
# UndefinedBehaviorSanitizer) and run the whole test suite with ctest in both builds.
# TESELAS_SKIP_ASAN=1 runs only the normal build.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
if [ -f tests/browser/package.json ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")
if [ "${TESELAS_SKIP_ASAN:-0}" != 1 ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTESELAS_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1 UBSAN_OPTIONS=print_stacktrace=1 \
     LSAN_OPTIONS="suppressions=$PWD/../tests/lsan.supp:print_suppressions=0" \
     ctest --output-on-failure -j"$jobs" -LE browser)
fi
echo "teselas: all tests passed"
