# tests/postgis/backend_lib.sh — the backend switch of the HTTP suite: with
# TESELAS_TEST_BACKEND=postgis, tests/http/lib.sh sources this, and every `teselas serve --db FILE`
# of the test serves a PostgreSQL copy of FILE instead (tests/postgis/backend_teselas.sh stands in
# for $TESELAS: the file is copied with `teselas copy` into a schema of its own, then the real
# binary serves postgresql://… --db-schema that schema, under the same PID), and the test's
# writes to FILE (import, publish, remove, rollback) are made on those schemas too. Everything
# else the test does (sqlite3 over the file, expected values) is unchanged, so each answer is
# checked against the same expectations on both backends.
#
# One private cluster per test (tests/postgis/lib.sh), started here and stopped by `cleanup`,
# which every test's EXIT trap calls; TESELAS_TEST_PG_PORT names a running cluster to reuse
# instead (user postgres, trust), which is then left running.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pg_lib.sh"

pg_server_available || skip "backend postgis: PostgreSQL + PostGIS not installed (scripts/install-deps.sh installs them)"
if [ -n "${TESELAS_TEST_PG_PORT:-}" ]; then
  PG_PORT=$TESELAS_TEST_PG_PORT
  PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres)
else
  eval "$(declare -f cleanup | sed '1s/cleanup/backend_file_cleanup/')"
  cleanup() { pg_stop; backend_file_cleanup; }
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  pg_start || fail "backend postgis: PostgreSQL did not start"
fi
export TESELAS_BACKEND_REAL=$TESELAS TESELAS_BACKEND_PG_URI TESELAS_BACKEND_MAP
TESELAS_BACKEND_PG_URI=$(pg_uri)
TESELAS_BACKEND_MAP="$TEST_TMP/backend-schemas.tsv"  # FILE <tab> schema, one a served copy
TESELAS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/backend_teselas.sh"
# a server starts once its file is copied into PostgreSQL: up to two minutes for the largest
SERVER_START_STEPS=2400
echo "backend postgis: servers read PostgreSQL on port $PG_PORT"
