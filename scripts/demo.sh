#!/usr/bin/env bash
# Quick start (1): install what is needed, build, and serve the León sample at http://127.0.0.1:8080/
# Extra arguments go to `teselas demo` (for example --port 9000 or --db leon.db).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
exec ./build/teselas demo "$@"
