#!/usr/bin/env bash
# No error answer repeats a value the client sent (a filter value may be a name, a phone, a
# CURP): tests/privacy/error_echo.py sends personal-looking values to every parameter of every
# route the server's OpenAPI document lists (path and query, PROP=VALUE included) and to unknown
# collections and paths, on a database of third-party files (SSP-CDMX crime points with exact
# locations and generalised, INEGI localities); every answer is below 500, and no 4xx body holds
# the value.
source "$(dirname "$0")/lib.sh"
PRIV="$(cd "$(dirname "$0")/../privacy" && pwd)"
D="$TESELAS_TEST_DATA"
DB="$TEST_TMP/e.db"
"$TESELAS" import "$D/cdmx-ssp/crime-lat-long-2000.csv" --db "$DB" --layer delitos --privacy none \
  --date-field date --quiet > /dev/null || fail "import delitos"
"$TESELAS" import "$D/cdmx-ssp/crime-lat-long-2000.csv" --db "$DB" --layer generalizados \
  --privacy generalize:grid=500,month,k=3 --date-field date --quiet > /dev/null || fail "import generalizados"
"$TESELAS" import "$D/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer localidades --quiet \
  > /dev/null || fail "import localidades"
start_server "$DB" --quiet
for layer in delitos generalizados localidades; do
  python3 "$PRIV/error_echo.py" --base "$BASE" --layer "$layer" || fail "an error echoes a value ($layer)"
  ok
done
stop_server || fail "server exited non-zero"
done_checks
