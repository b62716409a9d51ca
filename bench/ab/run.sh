#!/usr/bin/env bash
# bench/ab/run.sh — one build against another (before and after a change), teselas alone: the
# same load asked of each binary in turn, round after round, so that a drift of a shared
# machine's load falls on both alike. No peers, no setup: the data is the demo's sample of León
# (made once, by the first binary, and served by both).
#
#   bench/ab/run.sh BEFORE AFTER [--seconds N] [--rounds R] [--incidents N]
#
# Cases (paths from bench/tiles/tiles.txt, Gaussian around León's centre):
#   tile-uncached LAYER:Z  vector tiles with the tile cache off (--tile-cache-mb 0)
#   tile-cached   LAYER:Z  vector tiles from a warm cache (every tile asked once first)
#   png           Z        PNG tiles of the `leon` style, cache off
#   items-filter  Z        /items pages, 100 features of the tile's box with a CQL2 filter
# Each cell is wrk with 2 threads (32 connections for the cached case, where the server is not
# the bottleneck otherwise; 2 elsewhere, one per core) for N seconds (default 5), R rounds
# (default 3), the binaries' order turning every round. It measures requests per second (wall)
# and requests per CPU second of the server process (user + system from /proc: steadier than the
# wall rate on a loaded machine), prints every round with the load average, then the medians
# and AFTER/BEFORE ratios. Any non-2xx answer aborts the run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
for tool in wrk python3; do
  command -v $tool >/dev/null || { echo "run.sh: $tool missing: run bench/setup.sh" >&2; exit 1; }
done
exec python3 "$ROOT/bench/ab/ab.py" "$@"
