#!/usr/bin/env bash
# bench/setup.sh — installs the peers of the benchmarks (not needed to build or test teselas):
# nginx, wrk, hyperfine, psycopg 3 (the PostGIS clients) and python3-mapnik from Debian,
# PostgreSQL + PostGIS (also in scripts/install-deps.sh, for the cross-check test), and
# geojson-vt + vt-pbf from npm into bench/node_modules (gitignored, versions pinned by
# bench/package-lock.json). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
PACKAGES=(nginx-light wrk hyperfine postgresql postgresql-15-postgis-3 xxd python3-psycopg python3-mapnik)
need=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
# any nginx flavour will do
if command -v nginx >/dev/null; then need=("${need[@]/nginx-light}"); fi
mapfile -t need < <(printf '%s\n' "${need[@]}" | grep . || true)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
(cd bench && npm ci --no-audit --no-fund --loglevel=error)
echo "bench/setup.sh: peers installed"
