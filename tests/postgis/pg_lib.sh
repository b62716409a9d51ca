# tests/postgis/pg_lib.sh — what the tests of the PostgreSQL backend (tests/http/test_pg_*.sh)
# add to lib.sh: source both.
#
#   pg_server_available    # PostgreSQL + PostGIS + psql (no GDAL needed, unlike pg_available)
#   pg_uri [SCHEMA]        # the libpq URI of the private cluster, reading SCHEMA when given
#   pg_sql SQL             # one statement through psql, unaligned output

pg_server_available() {
  local bin ver
  bin=$(pg_bin_dir) || return 1
  ver=$(basename "$(dirname "$bin")")
  [ -f /usr/share/postgresql/"$ver"/extension/postgis.control ] && command -v psql >/dev/null
}

pg_uri() {
  local uri="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  [ -n "${1:-}" ] && uri="$uri?options=-csearch_path%3D$1%2Cpublic"
  echo "$uri"
}

pg_sql() { "${PSQL[@]}" -At -c "$1"; }

# pg_test_start: the opening of every test of the backend: a skip (exit 77) without PostgreSQL
# and PostGIS, else the private cluster started and stopped at exit (also when interrupted).
pg_test_start() {
  pg_server_available || skip "PostgreSQL + PostGIS not installed (scripts/install-deps.sh installs them)"
  trap 'pg_stop; cleanup' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  pg_start || fail "PostgreSQL did not start"
}
