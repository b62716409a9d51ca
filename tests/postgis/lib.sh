# tests/postgis/lib.sh — a private PostgreSQL + PostGIS cluster on a free loopback port, for the
# cross-check test (tests/http/test_tiles_postgis.sh) and the benchmark (bench/tiles/run.sh).
# Source it; it uses Debian's binaries (/usr/lib/postgresql/<N>/bin) and never touches a system
# cluster. The cluster lives in a fresh directory owned by the postgres user (PostgreSQL refuses
# to run as root) and is stopped by pg_stop (by the PID in its postmaster.pid).
#
#   pg_available || skip "..."     # tests/http/lib.sh: exit 77, a skip for ctest
#   pg_start            # sets PG_DIR, PG_PORT, PG_CONN (for ogr2ogr) and PSQL (an array)
#   pg_load_layers DB [layer ...]   # teselas layers -> PostGIS tables named after the layer ids
#   pg_stop

pg_bin_dir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

# True when PostgreSQL and the PostGIS extension are installed.
pg_available() {
  local bin ver
  bin=$(pg_bin_dir) || return 1
  ver=$(basename "$(dirname "$bin")")
  ls /usr/share/postgresql/"$ver"/extension/postgis.control >/dev/null 2>&1 || return 1
  command -v psql >/dev/null && command -v ogr2ogr >/dev/null
}

pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# as_pg CMD...: runs CMD as the postgres user when we are root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  local bin
  bin=$(pg_bin_dir) || return 1
  PG_DIR=$(mktemp -d /tmp/teselas-pg-XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
  PG_PORT=$(pg_free_port)
  as_pg "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync -E UTF8 >"$PG_DIR/initdb.log" 2>&1 ||
    { cat "$PG_DIR/initdb.log" >&2; return 1; }
  # Benchmark-friendly and private: no fsync (throw-away data), loopback only, socket in PG_DIR.
  as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off -c shared_buffers=${PG_SHARED_BUFFERS:-256MB} \
        -c work_mem=${PG_WORK_MEM:-64MB} -c max_parallel_workers_per_gather=0 -c jit=off" \
    >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
  PG_CONN="PG:host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
  PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres)
  "${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] || return 0
  local bin
  bin=$(pg_bin_dir)
  as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || {
    local pid
    pid=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null)
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
  }
  rm -rf "$PG_DIR"
  PG_DIR=""
}

# pg_load_layers DB [id ...]: copies the current version of each teselas layer (all by default)
# into a PostGIS table named after the layer id (quoted: ids have dashes), with fid and the
# published fields, geom in EPSG:4326 and a GiST index on geom and on ST_Transform(geom, 3857), the
# index that Martin's and pg_tileserv's tile queries use when the data are stored in 4326.
# pg_layer_fields DB ID: the layer's published fields, comma-separated (for ogr2ogr -select)
pg_layer_fields() {
  sqlite3 "$1" "SELECT group_concat(json_extract(value, '\$.name'), ',') FROM teselas_layers,
                json_each(teselas_layers.fields) WHERE teselas_layers.id = '$2'"
}

pg_load_layers() {
  local db=$1; shift
  local ids=("$@") id table
  [ ${#ids[@]} -gt 0 ] || mapfile -t ids < <(sqlite3 "$db" "SELECT id FROM teselas_layers ORDER BY id")
  for id in "${ids[@]}"; do
    table=$(sqlite3 "$db" "SELECT table_name FROM teselas_layers WHERE id = '$id'")
    # the feature id and the layer's published fields only (a line layer's table also holds its
    # levels of detail); GDAL takes the table's row number (teselas_row) as its FID
    ogr2ogr -f PostgreSQL "$PG_CONN" "$db" "$table" -select "fid,$(pg_layer_fields "$db" "$id")" \
      -nln "$id" -overwrite -preserve_fid \
      -lco FID=teselas_row -lco GEOMETRY_NAME=geom -lco LAUNDER=NO -lco SPATIAL_INDEX=NONE -nlt PROMOTE_TO_MULTI \
      -a_srs EPSG:4326 --config PG_USE_COPY YES >/dev/null 2>"$PG_DIR/ogr2ogr.err" ||
      { cat "$PG_DIR/ogr2ogr.err" >&2; return 1; }
    "${PSQL[@]}" -c "CREATE INDEX ON \"$id\" USING gist (geom);
                     CREATE INDEX ON \"$id\" USING gist (ST_Transform(geom, 3857));
                     ANALYZE \"$id\";" >/dev/null
  done
}

# pg_tile_sql Z X Y BUFFER id[:col,col...]...: the SQL of one tile with one MVT layer per id, as
# Martin and pg_tileserv write it (ST_AsMVTGeom over ST_TileEnvelope, extent 4096, the given buffer,
# clipped), with the listed attribute columns, returning the tile as hex.
pg_tile_sql() {
  local z=$1 x=$2 y=$3 buf=$4; shift 4
  local parts=() spec id cols
  for spec in "$@"; do
    id=${spec%%:*}
    cols=""
    [ "$spec" != "$id" ] && cols=$(echo "${spec#*:}" | tr ',' '\n' | sed 's/.*/"&", /' | tr -d '\n')
    parts+=("(SELECT COALESCE(ST_AsMVT(t, '$id', 4096, 'geom', 'fid'), '') FROM (
      SELECT fid, $cols ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope($z, $x, $y), 4096, $buf, true) AS geom
      FROM \"$id\"
      WHERE ST_Transform(geom, 3857) && ST_TileEnvelope($z, $x, $y, margin => $buf / 4096.0)) t
      WHERE geom IS NOT NULL)")
  done
  local IFS='|'
  local joined="${parts[*]}"
  echo "SELECT encode(${joined//|/ || }, 'hex')"
}
