#!/usr/bin/env bash
# The same teselas over PostgreSQL/PostGIS: the demo database, a database built only from
# third-party files and a generalised crimes layer, each copied into PostgreSQL with `teselas
# copy`, answer the URL proof's fixed list (~2,700 requests: vector tiles at every zoom, items
# pages with bbox, filters, sort and paging, downloads, PNG tiles, TileJSON, collections) byte
# for byte as the SpatiaLite files do, with the same binary; and no exact source coordinate of
# the generalised layer is in any PostgreSQL table (tests/postgis/pg_proof.py does both).
# PostgreSQL runs privately on a free loopback port (tests/postgis/lib.sh). Skips (exit 77) when
# PostgreSQL or PostGIS is not installed (scripts/install-deps.sh installs both).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
pg_test_start
mkdir -p "$TEST_TMP/proof"
python3 "$(dirname "$0")/../postgis/pg_proof.py" "$TESELAS" "$(pg_uri)" "$TEST_TMP/proof" ||
  fail "SpatiaLite and PostgreSQL answers differ (or a coordinate leaked): see above"
ok
echo "PASS: $N_CHECKS checks"
