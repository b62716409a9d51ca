#!/usr/bin/env bash
# Installs every Debian package that teselas needs to build, serve and test.
# Idempotent: run it as often as you like. It is the only script that installs anything
# (npm packages for the browser tests come from web/package-lock.json via `npm ci`).
# `install-deps.sh --runtime` installs only what a host or container running the built binaries
# needs (README.md, "What a host needs at run time").
set -euo pipefail

# The shared libraries of `teselas` and `teselas-seed` (their NEEDED entries), and the two they
# open on first use instead of linking: libpq5 (a postgresql:// database) and libspatialite7
# (writing a SpatiaLite file).
RUNTIME=(
  libgdal32 libproj25 libgeos-c1v5 libsqlite3-0
  libpng16-16 zlib1g libcairo2 libfontconfig1 libfreetype6 libjansson4 libnettle8 libminizip1
  libsystemd0 libcurl4 libsodium23 libdeflate0 fonts-dejavu-core fontconfig fonts-noto-core
  libpq5 libspatialite7
)

PACKAGES=(
  # build
  build-essential cmake pkg-config git clang
  # libraries
  libgdal-dev libproj-dev libgeos-dev
  libsqlite3-dev libspatialite-dev libsqlite3-mod-spatialite
  libpng-dev zlib1g-dev libcairo2-dev libfontconfig-dev libjansson-dev nettle-dev
  # a .zip or .kmz checked from its central directory before GDAL opens it (importers/guard_zip.c)
  libminizip-dev
  # `teselas serve` under systemd: Type=notify readiness and the watchdog (sd_notify)
  libsystemd-dev
  # `teselas publish --fetch` downloads layer sources over HTTP(S)
  libcurl4-openssl-dev
  # the PostgreSQL/PostGIS backend of store/ (--db postgresql://...)
  libpq-dev
  # accounts and API tokens: Argon2id password hashes, random tokens (tileserver/auth)
  libsodium-dev
  # gzip of tiles and answers, server and seed alike (tileserver/core/gzip.c)
  libdeflate-dev
  # fonts for the server-side renderer (Spanish text: accents and ñ)
  fonts-dejavu-core fontconfig
  # labels and browser glyphs use Noto Sans (regular, bold, italic) when present
  fonts-noto-core
  # tests
  libcmocka-dev gdal-bin sqlite3 spatialite-bin curl jq python3 procps
  # hostile files: which files an import opens (tests/http/test_import_hostile.sh)
  strace
  # the load balancer of the deployment (deploy/nginx/teselas.conf, tests/http/test_pg_cluster.sh)
  nginx-light
  # vector-tile cross-check against PostGIS's ST_AsMVT (tests/http/test_tiles_postgis.sh runs a
  # private cluster on a loopback port) and hex dumps of its tiles
  postgresql postgresql-15-postgis-3 xxd
  # benchmarks: /usr/bin/time reports peak memory (bench/import/run.sh)
  time
  # raster renderer: golden-image comparison (numpy) and the Mapnik cross-check and benchmark
  # (Debian's python3 at /usr/bin/python3: tests/http/test_styles_*.sh, bench/render/run.sh)
  python3-numpy python3-mapnik
  # the DCAT catalogue read by a second RDF library (tests/http/test_catalog_ckan.sh)
  python3-rdflib
  chromium
  # the module graph in README.md (scripts/module-graph.sh: graphviz's tred and dot)
  graphviz
  # the soak's traffic (tests/soak/run.sh) and the upload-under-load benchmark (bench/upload)
  wrk
  # label points checked inside their polygons by GDAL/GEOS from Python (tests/tiles/check_labels.py)
  python3-gdal
  # the tile benchmark's PostGIS peer checked against teselas (tests/http/test_pg_bench_alike.sh)
  python3-psycopg
)

if [ "${1:-}" = --runtime ]; then PACKAGES=("${RUNTIME[@]}"); else PACKAGES+=("${RUNTIME[@]}"); fi
need=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ "${1:-}" != --runtime ] && ! command -v node >/dev/null 2>&1; then need+=(nodejs npm); fi

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "install-deps: all Debian packages present"
