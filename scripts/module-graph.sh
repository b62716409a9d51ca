#!/usr/bin/env bash
# Draws the module graph as the build declares it: `cmake --graphviz` of a configured build tree
# (what it draws: CMakeGraphVizOptions.cmake) -> docs/modules.dot, then graphviz's tred (edges
# implied by others left out, for reading) and dot -> docs/modules.svg, which README.md shows.
# Usage: scripts/module-graph.sh [BUILD_DIR]   (default: build; configure it first)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$build" && cmake --graphviz="$tmp/teselas.dot" . >/dev/null)
cp "$tmp/teselas.dot" docs/modules.dot
tred docs/modules.dot | dot -Tsvg -o docs/modules.svg
echo "module-graph: docs/modules.dot, docs/modules.svg"
