#!/usr/bin/env bash
# Quick start (2): install what is needed, build twice (normal, and with AddressSanitizer +
# UndefinedBehaviorSanitizer) and run the whole test suite with ctest across both builds; then a
# third build with ThreadSanitizer runs the concurrency tests (ctest label `tsan`: the tile
# cache's threads, and the server under parallel load).
# TESELAS_SKIP_ASAN=1 runs only the normal build; TESELAS_SKIP_TSAN=1 skips the ThreadSanitizer one;
# TESELAS_SKIP_FUZZ=1 skips the libFuzzer phase (TESELAS_FUZZ_SECONDS: its budget per target).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
if [ -f tests/browser/package.json ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
# Every test runs once at least. With the sanitizer build below, the HTTP suite over SpatiaLite
# runs there only (the same requests and checks, with ASan and UBSan watching the server; running
# it twice cost about 11 minutes: this phase took 2,427 s with it, 1,786 s without); this build
# runs what that one leaves out, the unit tests (labels unit: the tests of each module, the fuzz
# corpora, the layering rules), the browser tests, the soak and the PostgreSQL backend's tests
# (postgis, whose proof asks every tile here and a sample there; pg_suite, the suite's repeat).
asan_select=(-LE 'browser|pg_suite|soak'
             -E '^http_test_pg_cluster$|^http_test_(publish_api|admin_signin|review_workflow)_pg$')
normal_only=()
if [ "${TESELAS_SKIP_ASAN:-0}" != 1 ]; then
  normal_only=(-L 'unit|postgis|browser|pg_suite|soak')
  # A test that neither selection names would never run: refuse to go on without it. (The
  # sanitizer build's own soak, soak_asan_2min, is left to `ctest -L soak` by hand, as before.)
  names() { (cd build && ctest -N "$@" | sed -n 's/^ *Test *#[0-9]*: //p' | sort -u); }
  all=$(names)
  covered=$({ names "${normal_only[@]}"; names "${asan_select[@]}"; } | sort -u)
  [ -n "$all" ] || { echo "scripts/test.sh: ctest -N listed no test" >&2; exit 1; }
  missed=$(comm -23 <(echo "$all") <(echo "$covered"))
  [ -z "$missed" ] || { echo "scripts/test.sh: no phase runs: $missed" >&2; exit 1; }
fi
(cd build && ctest --output-on-failure -j"$jobs" "${normal_only[@]}")
if [ "${TESELAS_SKIP_ASAN:-0}" != 1 ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTESELAS_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  # The HTTP suite's repeat over PostgreSQL (label pg_suite) runs in the normal build only: the
  # backend's code paths run here in its own tests (label postgis). Also left to the normal build,
  # to keep CI well inside its time: the soak (its own 2 minutes of load), the cluster of primary,
  # standby and nginx (the same reads as http_test_pg_serve, which runs here) and the write API's
  # repeats over PostgreSQL (the backend's writes run here in http_test_pg_write and _accounts).
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1 UBSAN_OPTIONS=print_stacktrace=1 \
     LSAN_OPTIONS="suppressions=$PWD/../tests/lsan.supp:print_suppressions=0" \
     TESELAS_PROOF_STRIDE=15 \
     ctest --output-on-failure -j"$jobs" "${asan_select[@]}")
fi
if [ "${TESELAS_SKIP_ASAN:-0}" != 1 ] && [ "${TESELAS_SKIP_FUZZ:-0}" != 1 ]; then
  # Every libFuzzer target (tests/fuzz) for a fixed budget under clang's ASan + UBSan, after the
  # replay of its corpus above: 18 s each keeps the phase, build included, under six minutes for
  # eighteen targets. Any crash, leak or failed check fails. The seed is fixed so that a run is
  # reproducible (TESELAS_FUZZ_SEED to choose another; tests/fuzz/run.sh alone explores at random).
  TESELAS_FUZZ_SEED=${TESELAS_FUZZ_SEED:-20261206} tests/fuzz/run.sh "${TESELAS_FUZZ_SECONDS:-18}"
fi
if [ "${TESELAS_SKIP_ASAN:-0}" != 1 ] && [ "${TESELAS_SKIP_TSAN:-0}" != 1 ]; then
  # Only what the tsan tests run is built (the server and the unit tests that start threads), and
  # without the web assets, which no tsan test loads: the third build stays short.
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DTESELAS_TSAN=ON -DTESELAS_WEB=OFF >/dev/null
  mapfile -t tsan_targets < <(cd build-tsan && ctest -N -L tsan | sed -n 's/^ *Test *#[0-9]*: unit_\(.*\)$/unit_\1/p')
  cmake --build build-tsan -j"$jobs" --target teselas "${tsan_targets[@]}"
  # halt_on_error: the first race stops the process, so its test fails (the http test also reads
  # the server's log for a report).
  (cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/../tests/tsan.supp" \
     ctest --output-on-failure -j"$jobs" -L tsan)
fi
echo "teselas: all tests passed"
