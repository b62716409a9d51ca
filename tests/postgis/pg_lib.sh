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
